"""The scheduled expiry of transfer letters: every morning, transfers whose letter is past its
validity and that were not accepted are closed as expired."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="10", hour="1"))
def expire_letters_task() -> int:
    return services.transfers_expire()
