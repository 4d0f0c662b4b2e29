"""The arithmetic of organization life, without Django: periods, quorum and votes, recurrence with
exceptions, the rotating check-in code and the distance to a venue.

Times: meetings are planned in Asia/Shanghai wall-clock time, which has had no daylight saving since
1991, so a local time maps to exactly one instant; recurrences are expanded in local time and then
made aware (``zoneinfo``), so "9:00 on the 15th" stays 9:00 whatever the instant arithmetic says.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from sanxin.core.geo import distance_m  # noqa: F401  (the one haversine; check-in by location uses it)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# --- periods --------------------------------------------------------------------------------------

MONTHS_IN = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the period (month, quarter, half year, year) that contains ``day``."""
    n = MONTHS_IN[period]
    month = (day.month - 1) // n * n + 1
    return dt.date(day.year, month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_end(day: dt.date, period: str) -> dt.date:
    """The first day after the period that contains ``day`` (periods are half-open)."""
    return add_months(period_start(day, period), MONTHS_IN[period])


def periods(start: dt.date, end: dt.date, period: str) -> list[tuple[dt.date, dt.date]]:
    """The periods that overlap [start, end), each as its own half-open [first day, day after)."""
    out = []
    day = period_start(start, period)
    while day < end:
        nxt = add_months(day, MONTHS_IN[period])
        out.append((day, nxt))
        day = nxt
    return out


def period_label(start: dt.date, period: str) -> str:
    if period == "month":
        return f"{start.year}年{start.month}月"
    if period == "quarter":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if period == "half_year":
        return f"{start.year}年{'上' if start.month <= 6 else '下'}半年"
    return f"{start.year}年"


# --- quorum and votes -------------------------------------------------------------------------------


def majority(count: int, of: int) -> bool:
    """More than half: ``count`` > ``of`` / 2, in integers (4 of 8 is not a majority, 5 of 9 is)."""
    return 2 * count > of


def quorum_met(rule: str, *, invited: int, voting: int, present: int, present_voting: int) -> bool:
    """Whether a meeting's attendance meets its rule's quorum.

    ``voting_majority`` — a 支部党员大会 needs more than half of the members with the right to vote
    (正式党员) present; ``invited_majority`` — more than half of those who should attend; ``none``
    — no requirement. A meeting nobody was bound to attend cannot meet a quorum."""
    if rule == "none":
        return True
    if rule == "voting_majority":
        return voting > 0 and majority(present_voting, voting)
    if rule == "invited_majority":
        return invited > 0 and majority(present, invited)
    raise ValueError(f"unknown quorum rule {rule!r}")


def vote_carried(votes_for: int, entitled: int) -> bool:
    """A resolution passes with more than half of those entitled to vote (应到会有表决权的党员),
    not of those present or of the votes cast."""
    return entitled > 0 and majority(votes_for, entitled)


# --- recurrence ---------------------------------------------------------------------------------------


def occurrences(
    rule: str,
    first_on: dt.date,
    local_time: dt.time,
    *,
    until: dt.date,
    skipped: Iterable[dt.date] = (),
    moved: Mapping[dt.date, dt.datetime] | None = None,
) -> list[tuple[dt.date, dt.datetime]]:
    """The occurrences of an RFC 5545 RRULE from ``first_on`` at ``local_time`` (Asia/Shanghai) up to
    ``until`` (exclusive), as (the date it was planned for, the aware start). A skipped date drops its
    occurrence; a moved one keeps its planned date as its identity and starts at the new time."""
    start = dt.datetime.combine(first_on, local_time)
    limit = dt.datetime.combine(until, dt.time())
    skipped = set(skipped)
    moved = dict(moved or {})
    out = []
    for naive in rrulestr(rule, dtstart=start):
        if naive >= limit:
            break
        day = naive.date()
        if day in skipped:
            continue
        when = moved.get(day)
        if when is None:
            out.append((day, naive.replace(tzinfo=SHANGHAI)))
        else:
            out.append(
                (day, when.replace(tzinfo=SHANGHAI) if when.tzinfo is None else when.astimezone(SHANGHAI))
            )
    return out


def check_rrule(rule: str) -> str | None:
    """A Chinese message when ``rule`` is not a usable RRULE (unparsable, or unbounded by nothing and
    faster than daily), else None."""
    try:
        parsed = rrulestr(rule, dtstart=dt.datetime(2000, 1, 1))
    except (ValueError, TypeError):
        return "重复规则无法识别，请使用RFC 5545格式，例如 FREQ=MONTHLY;BYMONTHDAY=15"
    if not hasattr(parsed, "_freq"):
        return "只能填写一条重复规则（RRULE）"
    if getattr(parsed, "_freq", 0) > 3:  # HOURLY, MINUTELY, SECONDLY (a set of rules is refused below)
        return "重复规则最短为每天一次"
    return None


# --- the rotating check-in code ---------------------------------------------------------------------

WINDOW_SECONDS = 30


def _window(at: dt.datetime) -> int:
    return int(at.timestamp()) // WINDOW_SECONDS


def _mac(secret: str, meeting_id: int, window: int) -> str:
    digest = hmac.new(secret.encode(), f"{meeting_id}.{window}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().rstrip("=")


def checkin_token(secret: str, meeting_id: int, at: dt.datetime) -> str:
    """The code shown at the meeting at ``at``: ``<meeting>.<window>.<mac>``. It changes every 30 s."""
    window = _window(at)
    return f"{meeting_id}.{window}.{_mac(secret, meeting_id, window)}"


def parse_token(token: str) -> tuple[int, int, str] | None:
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def token_state(secret: str, meeting_id: int, token: str, at: dt.datetime) -> str:
    """``ok`` for the current or the previous window's code (a code scanned as it changes still
    works), ``stale`` for an older genuine one, ``future`` / ``bad`` otherwise."""
    parsed = parse_token(token)
    if parsed is None or parsed[0] != meeting_id:
        return "bad"
    _meeting, window, mac = parsed
    if not hmac.compare_digest(mac, _mac(secret, meeting_id, window)):
        return "bad"
    now = _window(at)
    if window > now:
        return "future"
    return "ok" if now - window <= 1 else "stale"
