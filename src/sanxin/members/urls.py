from django.urls import include, path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("<int:member_id>/archive/", views.member_archive, name="archive"),
    path("dues/", views.dues_ledger, name="dues_ledger"),
    path("me/", views.my_record, name="me"),
    path("new/", views.member_enrol, name="enrol"),
    path("bulk/", views.member_bulk, name="bulk"),
    path("<int:member_id>/declare/", views.member_declare, name="declare"),
    path("<int:member_id>/pay/", views.member_pay, name="pay"),
    path("<int:member_id>/status/", views.member_status, name="status"),
    path("pipeline/", include("sanxin.members.pipeline.urls")),
    path("findings/", include("sanxin.members.findings.urls")),
    path("funds/", include("sanxin.members.funds.urls")),
]
