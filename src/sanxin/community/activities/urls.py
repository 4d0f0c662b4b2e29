from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.home, name="home"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:need_id>/", views.need, name="need"),
    path("<int:activity_id>/", views.detail, name="detail"),
    path("mine/", views.mine, name="mine"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("manage/", views.manage, name="manage"),
    path("manage/needs/<int:need_id>/", views.manage_need, name="manage_need"),
    path("manage/new/", views.new, name="new"),
    path("manage/<int:activity_id>/", views.roster, name="roster"),
    path("stats/", views.stats, name="stats"),
]
