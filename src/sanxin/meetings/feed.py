"""A member's meetings as an iCalendar feed (RFC 5545), written with the ``icalendar`` library: one
VEVENT per invitation with local Asia/Shanghai times (TZID and its VTIMEZONE), a reminder (VALARM) at
the meeting's lead time, cancelled meetings kept as STATUS:CANCELLED so calendars remove them."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from . import rules
from .models import FeedToken, Meeting, MeetingStatus

PAST_DAYS = 90


def user_for_token(token: str):
    """The user whose feed secret this is, or None."""
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    row = FeedToken.objects.select_related("user").filter(digest=digest).first()
    return row.user if row is not None and row.user.is_active else None


def meetings_of(user, now: dt.datetime | None = None):
    now = now or timezone.now()
    return (
        Meeting.objects.filter(
            attendances__member__person__user=user, ends_at__gte=now - dt.timedelta(days=PAST_DAYS)
        )
        .select_related("org", "venue")
        .order_by("starts_at")
    )


def calendar_bytes(user, *, host: str, now: dt.datetime | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//sanxin//组织生活//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "我的组织生活")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = now or timezone.now()
    for m in meetings_of(user, now):
        ev = Event()
        ev.add("uid", f"meeting-{m.pk}@{host}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", m.starts_at.astimezone(rules.SHANGHAI))
        ev.add("dtend", m.ends_at.astimezone(rules.SHANGHAI))
        ev.add("summary", f"{m.get_kind_display()}：{m.topic}")
        where = m.venue.name if m.venue_id else m.place
        if m.venue_id and m.venue.address:
            where = f"{where}（{m.venue.address}）"
        if where:
            ev.add("location", where)
        if m.online_url:
            ev.add("url", m.online_url)
        ev.add("description", f"{m.org.name}{'；线上链接：' + m.online_url if m.online_url else ''}")
        ev.add("status", "CANCELLED" if m.status == MeetingStatus.CANCELLED else "CONFIRMED")
        ev.add("last-modified", m.updated_at)
        if m.status == MeetingStatus.SCHEDULED and m.remind_minutes:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"即将召开：{m.topic}")
            alarm.add("trigger", dt.timedelta(minutes=-m.remind_minutes))
            ev.add_component(alarm)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
