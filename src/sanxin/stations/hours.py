"""Opening hours: a week of intervals in local time, and the days that differ.

An interval is (weekday, opens, closes) with Monday = 0. ``closes <= opens`` means it ends on the next
day: 22:00–06:00 on Friday is open from Friday 22:00 to Saturday 06:00; 00:00–00:00 is the whole day.
Laid on the week as minutes, intervals may touch but not overlap — Friday's overnight interval may not
run into Saturday's first one, and Sunday's runs into Monday's.

A ``Closure`` replaces the intervals that *begin* on its date: none when closed, its own hours when
not; an interval of the day before still runs into it (the night shift of a station that closes for
a holiday ends as usual).

No Django here apart from the model rows passed in: the nearest search and the benchmark call it on
many stations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

DAY = 24 * 60
WEEK = 7 * DAY
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


@dataclasses.dataclass(frozen=True)
class Interval:
    weekday: int
    opens: dt.time
    closes: dt.time

    @property
    def minutes(self) -> int:
        """Its length: up to a whole day (00:00–00:00)."""
        start, end = _m(self.opens), _m(self.closes)
        return end - start if end > start else end + DAY - start

    def label(self) -> str:
        nxt = "次日" if _m(self.closes) <= _m(self.opens) else ""
        return f"{WEEKDAYS[self.weekday]} {self.opens:%H:%M}–{nxt}{self.closes:%H:%M}"


def _m(t: dt.time) -> int:
    return t.hour * 60 + t.minute


class HoursError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check(intervals: list[Interval]) -> list[Interval]:
    """The intervals sorted, or ``HoursError`` (in Chinese) for a bad weekday or an overlap."""
    for iv in intervals:
        if not 0 <= iv.weekday <= 6:
            raise HoursError("星期应为周一到周日")
        if iv.opens.second or iv.closes.second:
            raise HoursError("开放时间精确到分钟")
    spans = []  # (start, end, interval) on the week, an interval past Sunday midnight split in two
    for iv in intervals:
        start = iv.weekday * DAY + _m(iv.opens)
        end = start + iv.minutes
        if end > WEEK:
            spans += [(start, WEEK, iv), (0, end - WEEK, iv)]
        else:
            spans.append((start, end, iv))
    spans.sort(key=lambda s: (s[0], s[1]))
    for (_s1, e1, a), (s2, _e2, b) in itertools.pairwise(spans):
        if s2 < e1:
            first, second = sorted([a, b], key=lambda iv: (iv.weekday, _m(iv.opens)))
            raise HoursError(f"开放时间重叠：{first.label()} 与 {second.label()}")
    return sorted(intervals, key=lambda iv: (iv.weekday, _m(iv.opens)))


@dataclasses.dataclass(frozen=True)
class DayOverride:
    """A date's own hours: ``None`` intervals when closed all day."""

    on: dt.date
    opens: dt.time | None = None
    closes: dt.time | None = None

    @property
    def closed(self) -> bool:
        return self.opens is None


def weekly(rows) -> list[Interval]:
    """The intervals of rows with ``weekday``, ``opens``, ``closes`` (a station's ``Hours``)."""
    return [Interval(r.weekday, r.opens, r.closes) for r in rows]


def overrides(rows) -> dict[dt.date, DayOverride]:
    """The days that differ, from rows with ``on``, ``closed``, ``opens``, ``closes`` (``Closure``)."""
    return {
        r.on: DayOverride(r.on, None if r.closed else r.opens, None if r.closed else r.closes) for r in rows
    }


def _starting_on(day: dt.date, weekly: list[Interval], overrides: dict[dt.date, DayOverride]):
    """The (start, end) minutes from ``day``'s midnight of the intervals that begin on ``day``."""
    o = overrides.get(day)
    if o is not None:
        if o.closed:
            return []
        ivs = [Interval(day.weekday(), o.opens, o.closes)]
    else:
        ivs = [iv for iv in weekly if iv.weekday == day.weekday()]
    return [(_m(iv.opens), _m(iv.opens) + iv.minutes) for iv in ivs]


def is_open(
    at: dt.datetime, weekly: list[Interval], overrides: dict[dt.date, DayOverride] | None = None
) -> bool:
    """Open at the local wall-clock time ``at`` (naive or aware in local time)? Closing time itself
    is closed."""
    overrides = overrides or {}
    day, minute = at.date(), at.hour * 60 + at.minute
    if any(s <= minute < e for s, e in _starting_on(day, weekly, overrides)):
        return True
    yesterday = day - dt.timedelta(days=1)
    return any(e > DAY and minute < e - DAY for _s, e in _starting_on(yesterday, weekly, overrides))


def today_label(
    day: dt.date, weekly: list[Interval], overrides: dict[dt.date, DayOverride] | None = None
) -> str:
    """What a phone shows for ``day``: "08:00–20:00", "全天", "今日闭站"."""
    overrides = overrides or {}
    spans = _starting_on(day, weekly, overrides)
    if not spans:
        return "闭站" if day in overrides else "不开放"
    parts = []
    for s, e in spans:
        if e - s >= DAY:
            parts.append("全天")
        else:
            nxt = "次日" if e > DAY else ""
            parts.append(f"{s // 60:02d}:{s % 60:02d}–{nxt}{(e % DAY) // 60:02d}:{e % 60:02d}")
    return "、".join(parts)
