"""Domain events through a transactional outbox.

``publish`` writes the event in the publisher's transaction; after commit each subscriber gets its
own delivery row and a huey task. A subscriber runs in a transaction that also marks its delivery
done, so its database effects happen exactly once even if the task is redelivered; a failure rolls
back its effects, is recorded and retried (by the task's retries and by the periodic sweep, which
also rescues events whose commit-time dispatch was lost to a crash). The publisher never imports
its subscribers and is never affected by their failures.

    # in the subscribing app's apps.py ready(): from . import subscribers
    @subscribe("meetings.attended")
    def credit_attendance(event): ...
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from .context import get_actor_id, get_request_id
from .models import Event, EventDelivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
DISPATCH_BATCH = 1000

# Inside ``dispatched_together``: the events of committed transactions, waiting for the block's end.
_together: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("events_together", default=None)


@dataclasses.dataclass(frozen=True)
class Subscriber:
    event_name: str
    name: str
    handler: Callable[[Event], None]


_registry: dict[str, dict[str, Subscriber]] = defaultdict(dict)


def subscribe(event_name: str, *, name: str | None = None):
    def decorator(func: Callable[[Event], None]):
        sub_name = name or f"{func.__module__}.{func.__qualname__}"
        _registry[event_name][sub_name] = Subscriber(event_name, sub_name, func)
        return func

    return decorator


def unsubscribe(event_name: str, name: str) -> None:
    _registry[event_name].pop(name, None)


def subscribers(event_name: str) -> list[Subscriber]:
    return list(_registry.get(event_name, {}).values())


def publish(name: str, payload: dict | None = None, *, key: str | None = None) -> Event:
    """Record ``name`` with ``payload`` (ids and plain values only). With ``key``, publishing the same
    key again returns the first event and delivers nothing new."""
    if key is not None:
        existing = Event.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            event = Event.objects.create(
                name=name,
                payload=payload or {},
                key=key,
                actor_id=get_actor_id(),
                request_id=get_request_id(),
            )
    except IntegrityError:
        if key is None:
            raise
        return Event.objects.get(key=key)
    together = _together.get()
    if together is None:
        transaction.on_commit(lambda: _enqueue_dispatch(event.pk))
    else:
        transaction.on_commit(lambda: together.append(event.pk))
    return event


def _enqueue_dispatch(event_id: int) -> None:
    from .tasks import dispatch_event_task

    try:
        dispatch_event_task(event_id)
    except Exception:  # the sweep will pick it up; never fail the publisher's response
        logger.exception("could not enqueue dispatch of event %s", event_id)


@contextlib.contextmanager
def dispatched_together():
    """For bulk work that publishes thousands of events (the demo): the events published inside the
    block get no dispatch task each; when the block ends, those whose transactions committed are
    dispatched by a few tasks of ``DISPATCH_BATCH`` events (their delivery rows written in one
    transaction per batch), then delivered as usual — each delivery its own task and transaction, in
    publishing order. Events that subscribers publish during those deliveries go the usual way.
    Inside an outer transaction the batches wait for its commit; if the block raises, what it
    committed is left to the sweep."""
    together: list[int] = []
    token = _together.set(together)
    try:
        yield
    finally:
        _together.reset(token)
    transaction.on_commit(lambda: _enqueue_dispatch_many(together))


def _enqueue_dispatch_many(event_ids: list[int]) -> None:
    from .tasks import dispatch_events_task

    for start in range(0, len(event_ids), DISPATCH_BATCH):
        batch = event_ids[start : start + DISPATCH_BATCH]
        try:
            dispatch_events_task(batch)
        except Exception:  # as for one event: the sweep will pick them up
            logger.exception("could not enqueue dispatch of events %s…%s", batch[0], batch[-1])


def dispatch(event_id: int) -> list[int]:
    """Create one delivery per subscriber (idempotently) and return their ids."""
    return dispatch_many([event_id])


def dispatch_many(event_ids: list[int]) -> list[int]:
    """``dispatch`` for many events in one transaction: the ids of their deliveries, event by event in
    the order given, each event's in the order its subscribers registered."""
    with transaction.atomic():
        names = dict(Event.objects.filter(pk__in=event_ids).values_list("pk", "name"))
        wanted = [(pk, sub.name) for pk in event_ids if pk in names for sub in subscribers(names[pk])]
        ids: dict[tuple[int, str], int] = {}
        if wanted:
            EventDelivery.objects.bulk_create(
                [EventDelivery(event_id=pk, subscriber=name) for pk, name in wanted], ignore_conflicts=True
            )
            ids = {
                (event_id, name): pk
                for pk, event_id, name in EventDelivery.objects.filter(event_id__in=names).values_list(
                    "pk", "event_id", "subscriber"
                )
            }
        Event.objects.filter(pk__in=names, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return [ids[w] for w in wanted]


class DeliveryFailed(Exception):
    pass


def deliver(delivery_id: int) -> bool:
    """Run one subscriber for one event. Returns True when the delivery is done (now or before).
    Raises ``DeliveryFailed`` after recording a failure, so a task queue can retry."""
    delivery = EventDelivery.objects.select_related("event").get(pk=delivery_id)
    if delivery.status == EventDelivery.Status.DONE:
        return True
    sub = _registry.get(delivery.event.name, {}).get(delivery.subscriber)
    if sub is None:
        logger.warning("no subscriber %s for %s any more", delivery.subscriber, delivery.event.name)
        return False
    try:
        with transaction.atomic():
            # Claim the row: a concurrent delivery of the same pair waits here (PostgreSQL) or on the
            # IMMEDIATE write lock (SQLite), then sees DONE and does nothing.
            locked = EventDelivery.objects.select_for_update().get(pk=delivery_id)
            if locked.status == EventDelivery.Status.DONE:
                return True
            sub.handler(delivery.event)
            EventDelivery.objects.filter(pk=delivery_id).update(
                status=EventDelivery.Status.DONE,
                attempts=locked.attempts + 1,
                delivered_at=timezone.now(),
                last_error="",
            )
        return True
    except Exception as exc:
        attempts = delivery.attempts + 1
        backoff = dt.timedelta(seconds=min(3600, 10 * 2 ** (attempts - 1)))
        status = EventDelivery.Status.DEAD if attempts >= MAX_ATTEMPTS else EventDelivery.Status.FAILED
        EventDelivery.objects.filter(pk=delivery_id).update(
            attempts=attempts,
            status=status,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=timezone.now() + backoff,
        )
        logger.warning(
            "subscriber %s failed on event %s (attempt %s): %s", sub.name, delivery.event_id, attempts, exc
        )
        raise DeliveryFailed(str(exc)) from exc


def sweep(*, now: dt.datetime | None = None, stale_after: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Dispatch events whose commit-time dispatch never ran and retry due failed deliveries.
    Returns the number of deliveries attempted. Run periodically (``core.tasks``)."""
    now = now or timezone.now()
    for event_id in Event.objects.filter(
        dispatched_at__isnull=True, created_at__lte=now - stale_after
    ).values_list("pk", flat=True)[:1000]:
        dispatch(event_id)
    due = list(
        EventDelivery.objects.filter(
            status__in=[EventDelivery.Status.PENDING, EventDelivery.Status.FAILED], next_attempt_at__lte=now
        )
        .exclude(status=EventDelivery.Status.PENDING, event__created_at__gt=now - stale_after)
        .values_list("pk", flat=True)[:1000]
    )
    for delivery_id in due:
        try:
            deliver(delivery_id)
        except DeliveryFailed:
            pass
    return len(due)
