"""Domain events: after-commit delivery, retries that act once, idempotent publish."""

import pytest
from django.db import transaction

from sanxin.core import events
from sanxin.core.models import CalendarDay, Event, EventDelivery
from tests.helpers import run_scheduled_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def subscriber():
    """A subscriber that creates one CalendarDay per event (a visible database effect) and fails as
    many times as told first."""
    state = {"fail": 0, "calls": 0}

    def handler(event):
        state["calls"] += 1
        CalendarDay.objects.create(date=event.payload["date"], is_workday=True, name=f"event {event.pk}")
        if state["fail"] > 0:
            state["fail"] -= 1
            raise RuntimeError("subscriber down")

    events.subscribe("test.happened", name="test-sub")(handler)
    yield state
    events.unsubscribe("test.happened", "test-sub")


def test_event_is_delivered_after_commit_only(subscriber):
    with transaction.atomic():
        events.publish("test.happened", {"date": "2031-05-06"})
        assert subscriber["calls"] == 0  # nothing before commit
    assert subscriber["calls"] == 1
    assert CalendarDay.objects.filter(date="2031-05-06").count() == 1
    assert EventDelivery.objects.get().status == EventDelivery.Status.DONE


def test_rolled_back_publish_delivers_nothing(subscriber):
    with pytest.raises(ValueError), transaction.atomic():
        events.publish("test.happened", {"date": "2031-05-07"})
        raise ValueError("publisher fails")
    assert subscriber["calls"] == 0
    assert not Event.objects.exists()


def test_subscriber_failing_once_is_delivered_again_and_acts_once(subscriber):
    subscriber["fail"] = 1
    with transaction.atomic():
        events.publish("test.happened", {"date": "2031-05-08"})
    delivery = EventDelivery.objects.get()
    assert delivery.status == EventDelivery.Status.FAILED
    assert delivery.attempts == 1 and "subscriber down" in delivery.last_error
    # The failed attempt's effect was rolled back with it.
    assert not CalendarDay.objects.filter(date="2031-05-08").exists()

    assert run_scheduled_tasks() >= 1  # huey's delayed retry
    delivery.refresh_from_db()
    assert delivery.status == EventDelivery.Status.DONE and delivery.attempts == 2
    assert CalendarDay.objects.filter(date="2031-05-08").count() == 1

    # Redelivery (a duplicate task, the sweep) does not act again.
    assert events.deliver(delivery.pk) is True
    events.sweep()
    assert CalendarDay.objects.filter(date="2031-05-08").count() == 1
    assert subscriber["calls"] == 2


def test_sweep_retries_due_failures(subscriber):
    import datetime as dt

    from django.utils import timezone

    subscriber["fail"] = 1
    with transaction.atomic():
        events.publish("test.happened", {"date": "2031-05-09"})
    assert EventDelivery.objects.get().status == EventDelivery.Status.FAILED
    events.sweep(now=timezone.now() + dt.timedelta(hours=2))
    assert EventDelivery.objects.get().status == EventDelivery.Status.DONE
    assert CalendarDay.objects.filter(date="2031-05-09").count() == 1


def test_sweep_dispatches_events_whose_dispatch_was_lost(subscriber, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(events, "_enqueue_dispatch", lambda event_id: None)  # the process died
    with transaction.atomic():
        events.publish("test.happened", {"date": "2031-05-10"})
    assert subscriber["calls"] == 0
    events.sweep(now=timezone.now() + dt.timedelta(minutes=5))
    assert CalendarDay.objects.filter(date="2031-05-10").count() == 1


def test_publish_with_same_key_has_one_effect(subscriber):
    with transaction.atomic():
        first = events.publish("test.happened", {"date": "2031-05-11"}, key="k-1")
    with transaction.atomic():
        second = events.publish("test.happened", {"date": "2031-05-11"}, key="k-1")
    assert first.pk == second.pk
    assert Event.objects.count() == 1
    assert CalendarDay.objects.filter(date="2031-05-11").count() == 1


def test_subscriber_failure_never_breaks_the_publisher(subscriber):
    subscriber["fail"] = 100
    with transaction.atomic():
        CalendarDay.objects.create(date="2031-06-01", is_workday=False, name="publisher's own write")
        events.publish("test.happened", {"date": "2031-05-12"})
    assert CalendarDay.objects.filter(date="2031-06-01").exists()


def test_dead_after_max_attempts(subscriber):
    subscriber["fail"] = 1000
    with transaction.atomic():
        events.publish("test.happened", {"date": "2031-05-13"})
    d = EventDelivery.objects.get()
    for _ in range(events.MAX_ATTEMPTS):
        try:
            events.deliver(d.pk)
        except events.DeliveryFailed:
            pass
    d.refresh_from_db()
    assert d.status == EventDelivery.Status.DEAD


def test_dispatched_together_delivers_once_the_block_ends_in_publishing_order(subscriber, monkeypatch):
    from huey.contrib.djhuey import HUEY

    tasks = []
    enqueue = HUEY.enqueue
    monkeypatch.setattr(HUEY, "enqueue", lambda task: tasks.append(task.name) or enqueue(task))
    dates = [f"2031-07-{d:02d}" for d in range(1, 6)]
    with events.dispatched_together():
        with transaction.atomic():
            for date in dates[:3]:
                events.publish("test.happened", {"date": date})
        with pytest.raises(ValueError), transaction.atomic():
            events.publish("test.happened", {"date": "2031-07-31"})
            raise ValueError("rolled back: never delivered")
        events.publish("test.happened", {"date": dates[3]})  # autocommit
        with transaction.atomic():
            events.publish("test.happened", {"date": dates[4]})
            events.publish("test.other", {})  # no subscriber: dispatched, nothing to deliver
        assert subscriber["calls"] == 0  # committed, waiting for the block's end
    assert subscriber["calls"] == 5
    delivered = CalendarDay.objects.order_by("pk").values_list("date", flat=True)
    assert [d.isoformat() for d in delivered] == dates
    assert EventDelivery.objects.filter(status=EventDelivery.Status.DONE).count() == 5
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert tasks.count("dispatch_events_task") == 1
    assert "dispatch_event_task" not in tasks


def test_dispatched_together_inside_a_transaction_waits_for_its_commit(subscriber, monkeypatch):
    monkeypatch.setattr(events, "DISPATCH_BATCH", 2)
    with transaction.atomic():
        with events.dispatched_together():
            for day in range(1, 6):
                events.publish("test.happened", {"date": f"2031-08-{day:02d}"})
        assert subscriber["calls"] == 0
    assert subscriber["calls"] == 5
    with pytest.raises(ValueError), transaction.atomic():
        with events.dispatched_together():
            events.publish("test.happened", {"date": "2031-08-31"})
        raise ValueError("the outer transaction rolls back")
    assert subscriber["calls"] == 5


def test_dispatched_together_delivers_what_subscribers_publish_as_usual(subscriber):
    def relay(event):
        events.publish("test.happened", {"date": event.payload["then"]})

    events.subscribe("test.relayed", name="test-relay")(relay)
    try:
        with events.dispatched_together():
            events.publish("test.relayed", {"then": "2031-09-01"})
    finally:
        events.unsubscribe("test.relayed", "test-relay")
    assert CalendarDay.objects.filter(date="2031-09-01").count() == 1
    assert EventDelivery.objects.filter(status=EventDelivery.Status.DONE).count() == 2
