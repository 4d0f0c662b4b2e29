"""Home cards of the transfer workflow: the member's own transfer in progress, and what waits for a
secretary or an office (each queue with its count and the oldest few)."""

from __future__ import annotations

from sanxin.members.models import Member

from . import selectors


def is_member(user) -> bool:
    return bool(user.is_authenticated) and Member.objects.filter(person__user=user).exists()


def mine(request) -> dict:
    transfer = selectors.mine(request.user).first()
    return {"transfer": transfer}


def waiting(request) -> dict:
    out = []
    for key, label, qs in selectors.queues(request.user):
        n = qs.count()
        if n:
            out.append({"key": key, "label": label, "count": n, "oldest": list(qs[:3])})
    return {"queues": out, "total": sum(q["count"] for q in out)}
