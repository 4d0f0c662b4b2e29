"""Per-request context: the request id and the acting user, carried by contextvars.

Services receive the acting user explicitly; the context is only a fallback for code paths that
cannot (signals, the audit of an admin change) and the source of the request id in the audit log
and in every log line.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("sanxin_request_id", default="")
_actor_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("sanxin_actor_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def get_request_id() -> str:
    return _request_id.get()


def get_actor_id() -> int | None:
    return _actor_id.get()


@contextmanager
def request_context(*, request_id: str | None = None, actor_id: int | None = None):
    """Bind a request id (and optionally an actor) for the duration of a block: requests, tasks,
    management commands."""
    t1 = _request_id.set(request_id or new_request_id())
    t2 = _actor_id.set(actor_id)
    try:
        yield
    finally:
        _request_id.reset(t1)
        _actor_id.reset(t2)


def set_actor_id(actor_id: int | None) -> None:
    _actor_id.set(actor_id)


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True
