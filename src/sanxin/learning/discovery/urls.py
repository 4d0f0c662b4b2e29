from django.urls import path

from . import views

urlpatterns = [
    path("", views.recommended, name="discover"),
    path("preference/", views.preference, name="discover_preference"),
    path("search/", views.search, name="search"),
]
