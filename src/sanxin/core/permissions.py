"""Route permissions: every page and API operation declares the (module, action) it needs.

    @permission("orgs", "view", model=Org, lookup="org_id")
    def org_detail(request, org_id): ... request.scope is the caller's Scope for orgs/view

The authorization matrix (``sanxin.accounts.matrix``) says which roles may do it and over which
anchors; ``core.scope.scope_for`` turns the user's grants into the Scope. A user whose grants give an
empty scope for the pair gets 403 (pages: the login page first if anonymous). ``model``/``lookup``
name the object a path parameter points at, so the scope walker test can aim at objects outside the
caller's scope. Routes that serve only the caller's own data are declared ``permission.own()``;
public routes ``permission.public()``.
"""

from __future__ import annotations

import dataclasses
import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from .scope import has_permission, request_scope


@dataclasses.dataclass(frozen=True)
class Perm:
    module: str
    action: str
    model: type | None = None
    lookup: str | None = None

    @property
    def kind(self) -> str:
        return "scoped"


@dataclasses.dataclass(frozen=True)
class OwnPerm:
    kind: str = "own"


@dataclasses.dataclass(frozen=True)
class PublicPerm:
    kind: str = "public"


@dataclasses.dataclass(frozen=True)
class ReferencePerm:
    kind: str = "reference"


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if auth is not None else getattr(request, "user", None)


def _is_api(request) -> bool:
    return request.path.startswith("/api/") or hasattr(request, "auth")


def permission(module: str, action: str, *, model=None, lookup: str | None = None):
    perm = Perm(module, action, model, lookup)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = _caller(request)
            if user is None or not user.is_authenticated:
                if _is_api(request):
                    from ninja.errors import AuthenticationError

                    raise AuthenticationError()
                return redirect_to_login(request.get_full_path())
            scope = request_scope(request, module, action)
            if scope.is_empty:
                raise DjangoPermissionDenied
            request.scope = scope
            return view(request, *args, **kwargs)

        wrapper.sanxin_permission = perm
        return wrapper

    return decorator


def _marker(perm):
    def decorator(view):
        view.sanxin_permission = perm
        return view

    return decorator


permission.own = lambda: _marker(OwnPerm())  # the caller's own notifications, tokens, preferences
permission.public = lambda: _marker(PublicPerm())  # login, health check, API docs
# Shared reference data any signed-in user reads (region codes, the working-day calendar).
permission.reference = lambda: _marker(ReferencePerm())


def is_office_admin(user) -> bool:
    """The organization department's system pages (audit log, calendar, imports)."""
    return bool(user and user.is_authenticated and has_permission(user, "system", "view"))
