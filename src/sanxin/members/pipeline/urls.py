from django.urls import path

from . import views

urlpatterns = [
    path("", views.case_list, name="pipeline_list"),
    path("new/", views.case_new, name="pipeline_new"),
    path("<int:case_id>/", views.case_detail, name="pipeline_detail"),
    path("quotas/", views.quota_list, name="pipeline_quotas"),
    path("quotas/set/", views.quota_set, name="pipeline_quota_set"),
]
