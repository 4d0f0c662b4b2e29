from django.urls import path

from . import views

# Included under /members/findings/ inside the ``members`` namespace.
urlpatterns = [
    path("", views.findings_list, name="findings_list"),
    path("upload/", views.findings_upload, name="findings_upload"),
    path("<int:finding_id>/", views.findings_detail, name="findings_detail"),
]
