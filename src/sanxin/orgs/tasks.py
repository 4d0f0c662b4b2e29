"""Periodic reminders of the org tree: terms of office due within 90 days or overdue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sanxin.core import notify

from .models import Org, OrgStatus, Post, PostTitle

notify.register_kind("orgs.renewal", "换届提醒")


def remind_renewals(today=None) -> int:
    """Notify the secretary of each org whose term ends within 90 days or is overdue, and the
    secretary of its parent committee; once per org, term and state (idempotent by key)."""
    today = today or timezone.localdate()
    sent = 0
    due = Org.objects.filter(status=OrgStatus.ACTIVE, term_ends_on__lte=today + dt.timedelta(days=90))
    for org in due.select_related(None):
        state = org.term_state(today)
        if not state:
            continue
        parent = Org.objects.get_parent(org)
        orgs = [org] + ([parent] if parent else [])
        secretaries = Post.objects.filter(
            org__in=orgs, title=PostTitle.SECRETARY, end_on__isnull=True, person__user__isnull=False
        ).values_list("person__user_id", flat=True)
        title = (
            f"{org.name}已超过届满日期（{org.term_ends_on:%Y-%m-%d}），请尽快换届"
            if state == "overdue"
            else f"{org.name}将于{org.term_ends_on:%Y-%m-%d}届满，请做好换届准备"
        )
        for user_id in set(secretaries):
            n = notify.notify(
                recipient=user_id,
                kind="orgs.renewal",
                title=title,
                url=f"/orgs/{org.pk}/",
                level="alert" if state == "overdue" else "warning",
                key=f"renewal:{org.pk}:{org.term_ends_on}:{state}",
            )
            sent += n is not None
    return sent


@db_periodic_task(crontab(minute="30", hour="7"))
def remind_renewals_task() -> None:
    remind_renewals()
