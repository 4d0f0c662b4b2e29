"""Deadlines of an appeal, after the 12345 practice (defaults in migration 0002, editable rows of
``DeadlineRule``): respond within 24 hours; urgent appeals resolved the same day; 求助 and 咨询 within
3 working days, 投诉 and 建议 within 13; working days are the core calendar's (holidays and 调休
make-up workdays). A resolution deadline is the end of its day in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sanxin.core.workdays import add_working_days, working_days_between

from .models import DeadlineRule


def rule_for(*, kind: str, category_id: str | None, urgent: bool) -> DeadlineRule:
    """The most specific rule: (category, kind), category, kind, default — for the urgency given,
    else for non-urgent appeals."""
    rows = list(DeadlineRule.objects.filter(urgent__in=[urgent, False]))

    def rank(r: DeadlineRule):
        if r.category_id not in (None, category_id) or r.kind not in ("", kind):
            return None
        return (r.urgent == urgent, r.category_id is not None, r.kind != "")

    ranked = [(rank(r), r) for r in rows if rank(r) is not None]
    if not ranked:
        raise LookupError("no deadline rule: migration appeals 0002 seeds the defaults")
    return max(ranked, key=lambda pair: pair[0])[1]


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def respond_by(received_at: dt.datetime, rule: DeadlineRule) -> dt.datetime:
    return received_at + dt.timedelta(hours=rule.respond_hours)


def resolve_by(received_at: dt.datetime, rule: DeadlineRule) -> dt.datetime:
    day = local_day(received_at)
    if rule.resolve_days == 0:
        return max(received_at, end_of_day(day))  # received in the day's last second
    return end_of_day(add_working_days(day, rule.resolve_days))


def shifted(due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.datetime:
    """``due`` moved by the working days an appeal waited for the worker (a wait within one day
    moves it by the time waited, so a same-day deadline keeps its meaning)."""
    days = working_days_between(local_day(paused_at), local_day(resumed_at))
    if days <= 0:
        return due + (resumed_at - paused_at)
    return end_of_day(add_working_days(local_day(due), days))


def extended(due: dt.datetime, days: int) -> dt.datetime:
    return end_of_day(add_working_days(local_day(due), days))


def overdue_since(due: dt.datetime, now: dt.datetime) -> bool:
    """Overdue for escalation: the day after the deadline's day has begun (the 督办 comes the day
    after, not the minute after)."""
    return local_day(now) > local_day(due)
