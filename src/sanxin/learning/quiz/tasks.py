"""Scheduled work of contests: papers left running past their deadline (the member closed the page, lost
the signal) are recorded as expired, without a score, every five minutes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def expire_papers_task() -> int:
    return services.expire_overdue()
