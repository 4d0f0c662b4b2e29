from django.urls import include, path

app_name = "transfers"

urlpatterns = [
    path("ledger/", include("sanxin.transfers.ledger.urls")),
    path("credentials/", include("sanxin.transfers.credentials.urls")),
]
