from django.urls import include, path

from . import views

app_name = "transfers"

urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("new/", views.transfer_new, name="new"),
    path("mine/", views.my_transfers, name="mine"),
    path("overdue/", views.transfer_overdue, name="overdue"),
    path("<int:transfer_id>/", views.transfer_detail, name="detail"),
    path("ledger/", include("sanxin.transfers.ledger.urls")),
    path("credentials/", include("sanxin.transfers.credentials.urls")),
]
