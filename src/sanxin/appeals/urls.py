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
    path("metrics/drill/", views.metrics_drill, name="metrics_drill"),
    path("board/", views.board, name="board"),
    path("hardship/", views.hardships, name="hardships"),
    path("hardship/new/", views.hardship_new, name="hardship_new"),
    path("hardship/<int:hardship_id>/", views.hardship, name="hardship"),
    path("coordination/", views.coordinations, name="coordinations"),
    path("coordination/new/", views.coordination_new, name="coordination_new"),
    path("coordination/<int:meeting_id>/", views.coordination, name="coordination"),
    path("<int:appeal_id>/", views.detail, name="detail"),
]
