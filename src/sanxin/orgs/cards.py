from __future__ import annotations

from django.utils import timezone

from sanxin.core.scope import request_scope

from . import selectors


def renewals(request) -> dict:
    today = timezone.localdate()
    due = list(selectors.renewals_due(request_scope(request, "orgs", "view"), today)[:8])
    return {"items": [(o, o.term_state(today), (o.term_ends_on - today).days) for o in due], "today": today}
