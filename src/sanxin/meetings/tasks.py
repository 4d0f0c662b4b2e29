"""Scheduled work of organization life: reminders to invitees before a meeting (every five minutes),
and each series scheduled a year ahead (nightly)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sanxin.core import notify

from . import services
from .models import Series

notify.register_kind("meetings.reminder", "会议提醒")
notify.register_kind("meetings.makeup", "补学提醒")


@db_periodic_task(crontab(minute="*/5"))
def remind_task() -> int:
    return services.send_reminders()


@db_periodic_task(crontab(minute="40", hour="2"))
def extend_series_task() -> int:
    until = timezone.localdate() + dt.timedelta(days=services.SERIES_HORIZON_DAYS)
    return sum(
        services.series_extend(actor=None, series=s, until=until)
        for s in Series.objects.filter(active=True).select_related("org", "venue")
    )
