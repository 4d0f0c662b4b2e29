from django.urls import path

from sanxin.core.permissions import permission

from . import views

urlpatterns = [
    path("login/", permission.public()(views.LoginView.as_view()), name="login"),
    path("logout/", permission.public()(views.LogoutView.as_view()), name="logout"),
    path("matrix/", views.matrix_page, name="matrix"),
    path("me/", views.me, name="me"),
]
