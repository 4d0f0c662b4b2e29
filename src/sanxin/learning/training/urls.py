"""Pages of training, included under /learning/training/ in the ``learning`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.programmes, name="training_programmes"),
    path("programmes/new/", views.programme_new, name="training_programme_new"),
    path("programmes/<int:programme_id>/", views.programme, name="training_programme"),
    path("cohorts/<int:cohort_id>/", views.cohort, name="training_cohort"),
    path("offline/", views.trainings, name="training_list"),
    path("offline/new/", views.training_new, name="training_new"),
    path("offline/<int:training_id>/", views.training_detail, name="training_detail"),
    path("transcript/", views.my_transcript, name="training_transcript"),
    path("members/<int:member_id>/transcript/", views.member_transcript, name="training_member_transcript"),
    path("stats/", views.stats, name="training_stats"),
    path("remind/", views.remind, name="training_remind"),
]
