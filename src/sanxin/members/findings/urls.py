from django.urls import path

from . import views

# Included under /members/findings/ inside the ``members`` namespace.
urlpatterns = [
    path("", views.findings_list, name="findings_list"),
    path("upload/", views.findings_upload, name="findings_upload"),
    path("<int:finding_id>/", views.findings_detail, name="findings_detail"),
    path("<int:finding_id>/office/", views.findings_check_office, name="findings_check_office"),
    path("<int:finding_id>/industry/", views.findings_check_industry, name="findings_check_industry"),
]
