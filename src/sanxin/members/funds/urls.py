"""Pages of 党组织经费, included under /members/funds/ in the ``members`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.funds_overview, name="funds_overview"),
    path("orgs/<int:org_id>/", views.funds_ledger, name="funds_ledger"),
    path("orgs/<int:org_id>/new/", views.funds_entry_new, name="funds_entry_new"),
    path("orgs/<int:org_id>/allocate/", views.funds_allocate, name="funds_allocate"),
    path("orgs/<int:org_id>/dues-return/", views.funds_dues_return, name="funds_dues_return"),
    path("entries/<int:entry_id>/reverse/", views.funds_entry_reverse, name="funds_entry_reverse"),
]
