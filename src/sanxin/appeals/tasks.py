"""Scheduled work of appeals: every hour, escalate what is overdue since yesterday (once per
deadline, so a rerun or a late run does nothing twice); each night, close replies nobody rated; each
morning, remind the keepers of the hardship register of the follow-ups due."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="5"))
def escalate_task() -> int:
    return services.escalate_overdue()


@db_periodic_task(crontab(minute="20", hour="2"))
def close_unrated_task() -> int:
    return services.close_unrated()


@db_periodic_task(crontab(minute="30", hour="8"))
def hardship_reminders_task() -> int:
    return services.hardship_reminders()
