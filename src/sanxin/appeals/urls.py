from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.submit, name="submit"),
    path("mine/", views.my_appeals, name="mine"),
    path("mine/<int:appeal_id>/", views.my_appeal, name="mine_detail"),
    path("metrics/", views.metrics, name="metrics"),
    path("metrics.xlsx", views.metrics_export, name="metrics_export"),
    path("<int:appeal_id>/", views.detail, name="detail"),
]
