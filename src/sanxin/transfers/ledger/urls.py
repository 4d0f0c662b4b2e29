"""Pages of the transparency ledger, included under /transfers/ledger/ in the ``transfers`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("mine/", views.ledger_mine, name="ledger_mine"),
    path("members/<int:member_id>/", views.ledger_member, name="ledger_member"),
    path("entries/<int:index>/bundle/", views.ledger_bundle, name="ledger_bundle"),
]
