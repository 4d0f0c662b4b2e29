from __future__ import annotations

from django.utils import timezone

from sanxin.core.scope import request_scope

from . import coverage as cov


def coverage(request) -> dict:
    scope = request_scope(request, "registry", "view")
    today = timezone.localdate()
    return {
        "rates": cov.rates(scope, today),
        "gaps": list(
            cov.blank_points(scope, today).select_related("region").order_by("-new_employment_workers")[:5]
        ),
    }
