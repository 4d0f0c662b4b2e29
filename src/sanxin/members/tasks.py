"""Periodic reminders of the member registry: dues in arrears, once a month (idempotent by key)."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sanxin.core import notify
from sanxin.orgs.models import Post, PostTitle

from . import selectors
from .models import Member

notify.register_kind("members.dues_arrears", "党费欠交提醒")
FOLLOW_UP_MONTHS = 3


def remind_arrears(today=None) -> int:
    """Each member with a login and months unpaid gets a reminder; the secretary of each branch with
    members three or more months behind gets the count. Once per member (branch) and month."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    members = (
        Member.objects.filter(relations__kind="formal", relations__end_on__isnull=True)
        .select_related("person")
        .prefetch_related("payments", "relations", "declarations")
        .order_by("pk")
    )
    sent = 0
    behind: Counter[int] = Counter()
    for m in members.iterator(chunk_size=500):
        owed = selectors.arrears(m, today)
        if not owed:
            continue
        if len(owed) >= FOLLOW_UP_MONTHS:
            behind[m.person.org_id] += 1
        if m.person.user_id:
            n = notify.notify(
                recipient=m.person.user_id,
                kind="members.dues_arrears",
                title=f"您有{len(owed)}个月的党费尚未交纳（最早{owed[0]:%Y年%m月}），请及时交纳",
                url="/members/me/",
                level="alert" if len(owed) >= FOLLOW_UP_MONTHS else "warning",
                key=f"dues:{m.pk}:{month:%Y-%m}",
            )
            sent += n is not None
    secretaries = Post.objects.filter(
        org_id__in=list(behind), title=PostTitle.SECRETARY, end_on__isnull=True, person__user__isnull=False
    ).values_list("org_id", "person__user_id")
    for org_id, user_id in secretaries:
        n = notify.notify(
            recipient=user_id,
            kind="members.dues_arrears",
            title=f"本支部有{behind[org_id]}名党员欠交党费{FOLLOW_UP_MONTHS}个月以上，请跟进",
            url="/members/?arrears=on",
            level="warning",
            key=f"dues-branch:{org_id}:{month:%Y-%m}",
        )
        sent += n is not None
    return sent


@db_periodic_task(crontab(minute="0", hour="8", day="5"))
def remind_arrears_task() -> None:
    remind_arrears()
