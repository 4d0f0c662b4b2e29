"""huey tasks of the core. Task arguments are ids only: never personal identifiers."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import events

logger = logging.getLogger(__name__)


@db_task()
def dispatch_event_task(event_id: int) -> None:
    for delivery_id in events.dispatch(event_id):
        deliver_event_task(delivery_id)


@db_task()
def dispatch_events_task(event_ids: list[int]) -> None:
    for delivery_id in events.dispatch_many(event_ids):
        deliver_event_task(delivery_id)


@db_task(retries=3, retry_delay=15, retry_backoff=2)
def deliver_event_task(delivery_id: int) -> None:
    events.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def sweep_events_task() -> None:
    events.sweep()


@db_task()
def run_import_task(job_id: str) -> None:
    from .excel.importer import run_job

    run_job(job_id)


@db_task()
def deliver_notification_task(notification_id: int, channel: str) -> None:
    from .notify import deliver_outbound

    deliver_outbound(notification_id, channel)


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_expired_files_task() -> None:
    from .uploads import purge_expired

    purge_expired()


@db_periodic_task(crontab(minute="5", hour="*"))
def close_due_notices_task() -> None:
    from .notices import close_due

    close_due()
