"""The working-day calendar: Chinese public holidays and 调休 make-up workdays.

The maintained ``chinese_calendar`` package knows the State Council's arrangements up to the year it
was released for; an office records the days of a newer year (or local exceptions) as
``CalendarDay`` overrides, which always win. For a year neither knows, Monday–Friday is assumed and
``known_year`` tells pages to warn.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from .models import CalendarDay


def _package_is_workday(day: dt.date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


@lru_cache(maxsize=64)
def package_knows(year: int) -> bool:
    return _package_is_workday(dt.date(year, 6, 1)) is not None


def known_year(year: int) -> bool:
    return package_knows(year) or CalendarDay.objects.filter(date__year=year).exists()


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def _is_workday(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    pkg = _package_is_workday(day)
    if pkg is not None:
        return pkg
    return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    return _is_workday(day, _overrides(day, day))


def holiday_name(day: dt.date) -> str:
    override = CalendarDay.objects.filter(date=day).first()
    if override is not None:
        return override.name
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    return getattr(name, "value", name) or ""


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (before it when negative); ``start`` itself is
    not counted. ``add_working_days(d, 0)`` is ``d`` if it is a working day, else the next one."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    # Overrides for a generous window, fetched once (a holiday season is at most ~9 days long).
    span = dt.timedelta(days=remaining * 2 + 30)
    lo, hi = (start, start + span) if step > 0 else (start - span, start)
    overrides = _overrides(lo, hi)
    day = start
    if remaining == 0:
        while not _is_workday(day, overrides):
            day += dt.timedelta(days=1)
        return day
    while remaining:
        day += dt.timedelta(days=step)
        if not (lo <= day <= hi):
            overrides.update(_overrides(day - span, day + span))
            lo, hi = day - span, day + span
        if _is_workday(day, overrides):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in the half-open interval (start, end]: the count that ``add_working_days(start, n)
    == end`` inverts. Negative when ``end`` precedes ``start``."""
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start)
    overrides = _overrides(start, end)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if _is_workday(day, overrides):
            count += 1
    return count


def set_day(*, actor, date: dt.date, is_workday: bool, name: str = "") -> CalendarDay:
    from .services import model_create, model_update

    existing = CalendarDay.objects.filter(date=date).first()
    if existing is None:
        return model_create(CalendarDay, actor=actor, date=date, is_workday=is_workday, name=name)
    obj, _ = model_update(existing, actor=actor, data={"is_workday": is_workday, "name": name})
    return obj


def remove_day(*, actor, date: dt.date) -> None:
    from .services import model_delete

    existing = CalendarDay.objects.filter(date=date).first()
    if existing is not None:
        model_delete(existing, actor=actor)
