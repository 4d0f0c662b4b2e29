from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    path("", views.home, name="home"),
    path("selections/<int:selection_id>/", views.selection, name="selection"),
    path("certificates/<int:certificate_id>/", views.certificate, name="certificate"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("siliang/", views.siliang_mine, name="siliang_mine"),
    path("manage/", views.manage, name="manage"),
    path("manage/nominate/", views.nominate, name="nominate"),
    path("manage/<int:selection_id>/", views.manage_selection, name="manage_selection"),
    path("manage/<int:selection_id>/export/", views.export, name="export"),
    path("manage/siliang/", views.siliang, name="siliang"),
    path("manage/siliang/export/", views.siliang_export, name="siliang_export"),
]
