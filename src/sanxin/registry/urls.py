from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organizations/", views.organization_list, name="list"),
    path("organizations/new/", views.create, name="create"),
    path("organizations/<int:org_id>/", views.detail, name="detail"),
    path("organizations/<int:org_id>/coverage/", views.add_coverage, name="add_coverage"),
    path("organizations/<int:org_id>/contacts/", views.add_contact, name="add_contact"),
    path("organizations/<int:org_id>/visits/", views.add_visit, name="add_visit"),
    path("organizations/<int:org_id>/confirm/", views.confirm_status, name="confirm_status"),
    path("coverages/<int:coverage_id>/end/", views.coverage_end, name="coverage_end"),
    path("contacts/<int:contact_id>/end/", views.contact_end, name="contact_end"),
    path("contacts/<int:contact_id>/incubation/", views.contact_incubation, name="contact_incubation"),
    path("extracts/", views.extract_list, name="extracts"),
    path("extracts/new/", views.extract_create, name="extract_create"),
    path("extracts/<int:extract_id>/", views.extract_detail, name="extract"),
    path("reviews/<int:review_id>/", views.review_decide, name="review_decide"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/targets/<int:target_id>/", views.target_update, name="target_update"),
]
