from django.urls import path

from . import views

app_name = "affairs"

urlpatterns = [
    path("", views.home, name="home"),
    path("notices/<int:notice_id>/", views.notice, name="notice"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/<int:consultation_id>/", views.consultation, name="consultation"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:designation_id>/", views.designation_mine, name="designation_mine"),
    path("manage/", views.manage_notices, name="manage_notices"),
    path("manage/notices/<int:notice_id>/", views.manage_notice, name="manage_notice"),
    path("manage/consultations/", views.manage_consultations, name="manage_consultations"),
    path(
        "manage/consultations/<int:consultation_id>/", views.manage_consultation, name="manage_consultation"
    ),
    path("manage/consultations/export/", views.export_consultations, name="export_consultations"),
    path("manage/designations/", views.manage_designations, name="manage_designations"),
    path("manage/designations/<int:designation_id>/", views.manage_designation, name="manage_designation"),
    path("manage/designations/export/", views.export_designations, name="export_designations"),
]
