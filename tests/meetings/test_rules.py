"""The arithmetic of organization life, as properties: periods tile the calendar, quorum and votes are
"more than half", recurrences honour their exceptions and keep their Asia/Shanghai wall-clock time,
the rotating check-in code works for one window and its successor only, distances are metres."""

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanxin.meetings import rules as r

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))
period_kinds = st.sampled_from(["month", "quarter", "half_year", "year"])


@given(days, period_kinds)
def test_a_day_lies_in_exactly_its_period(day, period):
    start, end = r.period_start(day, period), r.period_end(day, period)
    assert start <= day < end
    assert start.day == 1
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == r.MONTHS_IN[period]
    assert (start.month - 1) % r.MONTHS_IN[period] == 0
    # the day before a period's start belongs to the previous period
    assert r.period_end(start - dt.timedelta(days=1), period) == start


@given(days, days, period_kinds)
def test_periods_tile_the_window_without_gaps(a, b, period):
    start, end = min(a, b), max(a, b) + dt.timedelta(days=1)
    ps = r.periods(start, end, period)
    assert ps[0][0] <= start < ps[0][1]
    assert ps[-1][0] < end <= ps[-1][1]
    for (_s1, e1), (s2, _e2) in itertools.pairwise(ps):
        assert e1 == s2


def test_period_boundaries_by_example():
    assert r.period_start(dt.date(2026, 3, 31), "quarter") == dt.date(2026, 1, 1)
    assert r.period_start(dt.date(2026, 4, 1), "quarter") == dt.date(2026, 4, 1)
    assert r.period_end(dt.date(2026, 12, 31), "month") == dt.date(2027, 1, 1)
    assert r.period_start(dt.date(2026, 7, 1), "half_year") == dt.date(2026, 7, 1)
    assert r.period_label(dt.date(2026, 4, 1), "quarter") == "2026年第2季度"
    assert r.period_label(dt.date(2026, 7, 1), "half_year") == "2026年下半年"


@given(st.integers(0, 500), st.integers(0, 500))
def test_majority_is_strictly_more_than_half(count, of):
    assert r.majority(count, of) == (count > of / 2)


def test_quorum_by_example():
    # 支部党员大会: more than half of the 9 voting members, whatever the probationary members do
    assert r.quorum_met("voting_majority", invited=12, voting=9, present=12, present_voting=4) is False
    assert r.quorum_met("voting_majority", invited=12, voting=9, present=5, present_voting=5) is True
    assert r.quorum_met("voting_majority", invited=8, voting=8, present=4, present_voting=4) is False
    assert r.quorum_met("voting_majority", invited=0, voting=0, present=0, present_voting=0) is False
    assert r.quorum_met("invited_majority", invited=5, voting=5, present=3, present_voting=0) is True
    assert r.quorum_met("none", invited=5, voting=5, present=0, present_voting=0) is True
    with pytest.raises(ValueError):
        r.quorum_met("most", invited=1, voting=1, present=1, present_voting=1)


@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 300))
def test_a_vote_needs_more_than_half_of_those_entitled_not_of_those_present(votes_for, present, entitled):
    carried = r.vote_carried(votes_for, entitled)
    assert carried == (entitled > 0 and 2 * votes_for > entitled)
    if votes_for <= present < entitled and 2 * votes_for > present and 2 * votes_for <= entitled:
        assert not carried  # a majority of those present is not enough


monthly_days = st.integers(1, 28)
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@settings(max_examples=60)
@given(
    first=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 1)),
    day=monthly_days,
    at=times,
    months=st.integers(1, 30),
    data=st.data(),
)
def test_monthly_recurrence_with_skips_and_moves(first, day, at, months, data):
    first = first.replace(day=day)
    until = r.add_months(first, months)
    plain = r.occurrences(f"FREQ=MONTHLY;BYMONTHDAY={day}", first, at, until=until)
    assert [d for d, _ in plain] == [r.add_months(first, i).replace(day=day) for i in range(months)]
    for planned, start in plain:
        assert start.utcoffset() == dt.timedelta(hours=8)  # no daylight saving in Asia/Shanghai
        assert (start.date(), start.time()) == (planned, at)
    dates = [d for d, _ in plain]
    skipped = data.draw(st.sets(st.sampled_from(dates), max_size=len(dates)))
    movable = [d for d in dates if d not in skipped]
    moved_days = data.draw(st.sets(st.sampled_from(movable), max_size=3)) if movable else set()
    moved = {
        d: dt.datetime.combine(d + dt.timedelta(days=2), dt.time(19, 30), tzinfo=r.SHANGHAI)
        for d in moved_days
    }
    got = r.occurrences(
        f"FREQ=MONTHLY;BYMONTHDAY={day}", first, at, until=until, skipped=skipped, moved=moved
    )
    assert [d for d, _ in got] == [d for d in dates if d not in skipped]
    for planned, start in got:
        if planned in moved:
            assert start == moved[planned]
            assert start.time() == dt.time(19, 30)
        else:
            assert start.time() == at


def test_moved_occurrence_given_in_utc_is_shown_in_local_time():
    moved = {dt.date(2026, 3, 15): dt.datetime(2026, 3, 16, 1, 0, tzinfo=dt.UTC)}
    got = dict(
        r.occurrences(
            "FREQ=MONTHLY;BYMONTHDAY=15",
            dt.date(2026, 3, 15),
            dt.time(9),
            until=dt.date(2026, 4, 1),
            moved=moved,
        )
    )
    assert got[dt.date(2026, 3, 15)].hour == 9 and got[dt.date(2026, 3, 15)].day == 16


def test_bad_rrules_are_named():
    assert r.check_rrule("FREQ=MONTHLY;BYMONTHDAY=15") is None
    assert "无法识别" in r.check_rrule("every month")
    assert "每天" in r.check_rrule("FREQ=MINUTELY")


@settings(max_examples=50)
@given(
    st.integers(1, 10**9),
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2035, 1, 1)).map(
        lambda d: d.replace(tzinfo=dt.UTC)
    ),
    st.integers(0, 600),
)
def test_checkin_code_is_valid_for_its_window_and_the_next_only(meeting_id, shown, later):
    secret = "s" * 32
    token = r.checkin_token(secret, meeting_id, shown)
    scanned = shown + dt.timedelta(seconds=later)
    windows_apart = int(scanned.timestamp()) // r.WINDOW_SECONDS - int(shown.timestamp()) // r.WINDOW_SECONDS
    assert r.token_state(secret, meeting_id, token, scanned) == ("ok" if windows_apart <= 1 else "stale")
    assert r.token_state("t" * 32, meeting_id, token, scanned) == "bad"  # another meeting's secret
    assert r.token_state(secret, meeting_id + 1, token, scanned) == "bad"
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert r.token_state(secret, meeting_id, forged, scanned) == "bad"
    assert r.token_state(secret, meeting_id, token, shown - dt.timedelta(seconds=60)) == "future"


def test_garbage_tokens_are_bad():
    for token in ["", "abc", "1.2", "x.y.z", "1.2.3.4"]:
        assert r.token_state("s", 1, token, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "bad"


def test_distances():
    # 0.01° of latitude is about 1.11 km everywhere
    assert r.distance_m(30.0, 120.0, 30.01, 120.0) == pytest.approx(1112, abs=2)
    assert r.distance_m(30.0, 120.0, 30.0, 120.0) == 0
    # Hangzhou to Shanghai, about 165 km
    assert r.distance_m(30.2741, 120.1551, 31.2304, 121.4737) == pytest.approx(165_000, rel=0.02)
