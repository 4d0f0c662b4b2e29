"""huey tasks of discovery: the recommendation signals, computed from all completions every night."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="40", hour="2"))
def signals_rebuild_task() -> None:
    from .services import signals_rebuild

    signals_rebuild()
