"""Pages of the member credential, included under /transfers/credentials/ in the ``transfers``
namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("mine/", views.credential_mine, name="credential_mine"),
    path("mine/qr.png", views.credential_mine_png, name="credential_mine_png"),
    path("verify/", views.credential_verify, name="credential_verify"),
    path("members/<int:member_id>/", views.credential_member, name="credential_member"),
    path("members/<int:member_id>/issue/", views.credential_member_issue, name="credential_member_issue"),
    path("members/<int:member_id>/revoke/", views.credential_member_revoke, name="credential_member_revoke"),
]
