from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sanxin.core.permissions import permission

from . import matrix
from .scope import active_grants


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。请注意区分大小写。",
        "inactive": "该账号已停用。",
    }
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@permission("accounts", "view")
@require_safe
def matrix_page(request):
    return render(request, "accounts/matrix.html", {"roles": list(matrix.Role), "rows": matrix.table()})


@permission.own()
@login_required
@require_safe
def me(request):
    grants = list(active_grants(request.user))
    for g in grants:
        g.role_label = matrix.Role(g.role).label if g.role in matrix.Role.values else g.role
    return render(request, "accounts/me.html", {"grants": grants})
