from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("", views.nearby, name="nearby"),
    path("ledger/", views.ledger, name="ledger"),
    path("circle/", views.circle, name="circle"),
    path("reviews/", views.review_queue, name="reviews"),
    path("reviews/<int:review_id>/", views.review_moderate, name="review_moderate"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("<int:station_id>/", views.station, name="detail"),
    path("<int:station_id>/keep/", views.keep, name="keep"),
]
