"""Scheduled work of points: close the 公示 windows that ended and remind reviewers of overdue claims
(each morning), and expire unused vouchers (nightly)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="15", hour="7"))
def remind_task() -> int:
    return services.remind_overdue()


@db_periodic_task(crontab(minute="10", hour="1"))
def expire_vouchers_task() -> int:
    return services.vouchers_expire()
