from __future__ import annotations

from . import registry
from .notify import unread_count


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_notifications": 0}
    return {"nav_items": registry.nav_for(user), "unread_notifications": unread_count(user)}
