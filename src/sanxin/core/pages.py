"""Helpers that every module's views use: pagination of tables, htmx partial vs whole page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render


def paginate(request, qs, per_page: int = 50):
    paginator = Paginator(qs, per_page)
    return paginator.get_page(request.GET.get("page"))


def render_page(request, template: str, context: dict, *, partial: str | None = None, status: int = 200):
    """One view serves the whole page and, for htmx requests, just the partial it swaps."""
    if partial and getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, partial, context, status=status)
    return render(request, template, context, status=status)


def render_form(request, template: str, context: dict):
    """Render a page holding a form; a POST that comes back here failed validation, so it answers 400
    (the form shows the Chinese messages, and nothing the user typed is lost)."""
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def message_error(request, exc) -> None:
    """A service's refusal of a one-click action, shown as a Chinese message on the page it returns
    to; "not found / not yours" and "not allowed" stay 404 / 403."""
    from django.contrib import messages

    from .errors import NotFound, PermissionDenied

    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    messages.error(request, exc.message)


def form_error(form, exc) -> None:
    """Show a service's refusal on the form (on the field it names), except "not found / not yours"
    and "not allowed", which stay 404 / 403 pages: a form must not reveal what lies outside the scope."""
    from .errors import NotFound, PermissionDenied

    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
