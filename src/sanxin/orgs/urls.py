from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("<int:org_id>/", views.detail, name="detail"),
    path("<int:org_id>/children/", views.tree_children, name="children"),
    path("<int:org_id>/new/", views.create_child, name="create"),
    path("<int:org_id>/edit/", views.edit, name="edit"),
    path("<int:org_id>/event/", views.event, name="event"),
]
