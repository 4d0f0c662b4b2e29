"""The ledger's background work: signing a tree head after an append commits, and every minute when
the tree grew without one (an append whose commit-time task was lost)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def sign_head_task() -> None:
    from .services import sign_head

    sign_head()


@db_periodic_task(crontab(minute="*"))
def sign_head_periodic_task() -> None:
    from .services import sign_head

    sign_head()
