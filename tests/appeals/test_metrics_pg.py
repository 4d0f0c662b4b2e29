"""The metrics' p90s against the nearest rank worked out by hand, on whichever database the suite runs:
on PostgreSQL ``PERCENTILE_DISC`` inside the one grouped query, on SQLite the window queries of
``core.query.nearest_rank``. And the months of ``by="month"`` at a month's edge in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import NotSupportedError, connection
from django.db.models import F
from django.db.models.functions import TruncMonth
from django.test.utils import CaptureQueriesContext

from sanxin.appeals import selectors
from sanxin.appeals.models import Appeal, Level, Status
from sanxin.core.query import LocalMonth, PercentileDisc, SecondsBetween
from sanxin.core.scope import Scope

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2025, 6, 2, 9, 0, tzinfo=SH)
START, END = dt.datetime(2025, 6, 1, tzinfo=SH), dt.datetime(2025, 7, 1, tzinfo=SH)
ODD = dt.timedelta(microseconds=137)  # timestamps carry microseconds

# (hours to the first response or None, hours to the answer or None, status) per appeal
LIAISON = [
    (4.2, 50, Status.CLOSED),
    (0.5, 10, Status.CLOSED),
    (11.7, 70, Status.RESOLVED),
    (2.0, 30, Status.CLOSED),
    (7.3, 90, Status.CLOSED),
    (1.1, 20, Status.CLOSED),
    (23.8, 61, Status.CLOSED),
    (3.4, 40, Status.RESOLVED),
    (9.8, 200, Status.HANDLING),  # answered, then reopened: not among the answered
    (5.6, None, Status.HANDLING),
    (None, None, Status.RECEIVED),  # not yet responded to: not in the response p90
    (None, None, Status.RECEIVED),
]
PLATFORM = [
    (30.0, 100, Status.CLOSED),
    (12.5, 5, Status.CLOSED),
    (48.2, 15, Status.CLOSED),
    (6.1, None, Status.HANDLING),
    (20.0, 25, Status.CLOSED),
    (15.5, 35, Status.CLOSED),
    (40.4, None, Status.WAITING),
]
LEFT_OUT = [(0.1, 0.2, Status.WITHDRAWN), (999.0, 999.0, Status.MERGED)]  # not counted at all


def by_hand(hours: list[float]) -> float:
    """Nearest rank: the value at rank ceil(0.9 n) of the sorted values."""
    values = sorted(hours)
    return values[-(-9 * len(values) // 10) - 1]


def _make(level: str, rows, start_n: int) -> None:
    for n, (respond, resolve, status) in enumerate(rows, start=start_n):
        received = T0 + dt.timedelta(minutes=7 * n) + ODD
        Appeal.objects.create(
            number=f"SQT{n:05d}",
            kind="help",
            text="测试诉求",
            level=level,
            status=status,
            received_at=received,
            respond_due=received + dt.timedelta(hours=24),
            resolve_due=received + dt.timedelta(days=30),
            responded_at=None if respond is None else received + dt.timedelta(hours=respond) + ODD,
            resolved_at=None if resolve is None else received + dt.timedelta(hours=resolve) + ODD,
        )


@pytest.fixture
def appeals(db):
    _make(Level.LIAISON, LIAISON, 1)
    _make(Level.PLATFORM, PLATFORM, 100)
    _make(Level.LIAISON, LEFT_OUT, 200)


def _responded(rows):
    return [r for r, _v, _s in rows if r is not None]


def _answered(rows):
    return [v for _r, v, s in rows if s in (Status.RESOLVED, Status.CLOSED)]


def test_the_p90s_are_the_nearest_rank_worked_out_by_hand(appeals, db_vendor):
    with CaptureQueriesContext(connection) as ctx:
        rows = {f.key: f for f in selectors.metrics(Scope.all(), start=START, end=END, by="level")}
    # one grouped query on PostgreSQL; the aggregate and two window queries on SQLite
    assert len(ctx.captured_queries) == (1 if db_vendor == "postgresql" else 3)
    liaison, platform = rows[Level.LIAISON], rows[Level.PLATFORM]
    assert list(rows) == [Level.LIAISON, Level.PLATFORM]  # largest first
    assert (liaison.received, platform.received) == (12, 7)
    # rank ceil(0.9 × 10) = 9 of the 10 responded; of the 8 answered, rank 8
    assert liaison.p90_respond_h == by_hand(_responded(LIAISON)) == 11.7
    assert liaison.p90_resolve_h == by_hand(_answered(LIAISON)) == 90.0
    # rank ceil(0.9 × 7) = 7 of 7 responded; of the 5 answered, rank 5
    assert platform.p90_respond_h == by_hand(_responded(PLATFORM)) == 48.2
    assert platform.p90_resolve_h == by_hand(_answered(PLATFORM)) == 100.0
    assert liaison.avg_respond_h == round(sum(_responded(LIAISON)) / 10, 1)
    assert platform.avg_resolve_h == round(sum(_answered(PLATFORM)) / 5, 1)
    assert (liaison.responded_in_time, liaison.resolved) == (10, 8)

    [total] = selectors.metrics(Scope.all(), start=START, end=END)
    assert total.key is None and total.received == 19
    # rank ceil(0.9 × 17) = 16 of the 17 responded; rank ceil(0.9 × 13) = 12 of the 13 answered
    assert total.p90_respond_h == by_hand(_responded(LIAISON + PLATFORM)) == 40.4
    assert total.p90_resolve_h == by_hand(_answered(LIAISON + PLATFORM)) == 90.0


def test_without_percentiles_and_on_an_empty_period(appeals):
    [row] = selectors.metrics(Scope.all(), start=START, end=END, by="level", percentiles=False)[:1]
    assert row.received == 12 and row.p90_respond_h is None and row.p90_resolve_h is None
    [empty] = selectors.metrics(Scope.all(), start=END, end=END + dt.timedelta(days=30))
    assert (empty.received, empty.p90_respond_h, empty.avg_resolve_h) == (0, None, None)
    assert selectors.metrics(Scope.all(), start=END, end=END + dt.timedelta(days=30), by="level") == []


def test_months_are_asia_shanghai_months_as_truncmonth_gives_them(db, db_vendor):
    # 2025-05-31 23:59:59.5 and 2025-06-01 00:00:00 in Shanghai: 15:59:59.5 and 16:00 UTC the same day
    for n, local in enumerate(
        [dt.datetime(2025, 5, 31, 23, 59, 59, 500000, tzinfo=SH), dt.datetime(2025, 6, 1, tzinfo=SH)]
    ):
        Appeal.objects.create(
            number=f"SQM{n}",
            kind="help",
            text="测试诉求",
            level=Level.LIAISON,
            received_at=local,
            respond_due=local + dt.timedelta(hours=24),
            resolve_due=local + dt.timedelta(days=3),
        )
    start = dt.datetime(2025, 1, 1, tzinfo=SH)
    keys = [f.key for f in selectors.metrics(Scope.all(), start=start, end=END, by="month")]
    expected = list(
        Appeal.objects.annotate(m=TruncMonth("received_at")).order_by("m").values_list("m", flat=True)
    )
    assert (
        sorted(keys) == expected == [dt.datetime(2025, 5, 1, tzinfo=SH), dt.datetime(2025, 6, 1, tzinfo=SH)]
    )
    sql = str(Appeal.objects.annotate(m=LocalMonth("received_at", since=start)).values("m").query)
    old = str(
        Appeal.objects.annotate(m=LocalMonth("received_at", since=dt.datetime(1990, 1, 1, tzinfo=SH))).query
    )
    if db_vendor == "sqlite":
        assert "strftime" in sql and "django_datetime_trunc" not in sql
        assert "django_datetime_trunc" in old  # before 1991 Shanghai kept daylight saving time
    else:
        assert "DATE_TRUNC" in sql


def test_percentile_disc_is_postgresql_only(appeals, db_vendor):
    qs = Appeal.objects.aggregate
    p90 = PercentileDisc(SecondsBetween(F("responded_at"), F("received_at")), 0.9)
    if db_vendor == "postgresql":
        assert round(qs(p=p90)["p"] / 3600, 1) == by_hand(_responded(LIAISON + PLATFORM + LEFT_OUT))
    else:
        with pytest.raises(NotSupportedError):
            qs(p=p90)
    with pytest.raises(ValueError):
        PercentileDisc(F("responded_at"), 1.5)
