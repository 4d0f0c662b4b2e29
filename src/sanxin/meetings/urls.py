from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("mine/", views.my_meetings, name="mine"),
    path("checkin/", views.checkin_page, name="checkin"),
    path("compliance/", views.compliance, name="compliance"),
    path("venues/", views.venues, name="venues"),
    path("rules/", views.rule_list, name="rules"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/screen/", views.checkin_screen, name="screen"),
]
