from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("", views.nearby, name="nearby"),
    path("<int:station_id>/", views.station, name="detail"),
]
