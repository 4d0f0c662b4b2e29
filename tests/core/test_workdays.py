import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanxin.core import workdays
from sanxin.core.models import CalendarDay

D = dt.date


@pytest.mark.django_db
def test_spring_festival_2026_and_its_tiaoxiu_saturdays():
    # 2026: holiday 2/15 (Sun) – 2/23 (Mon); make-up workdays Sat 2/14 and Sat 2/28.
    assert workdays.is_workday(D(2026, 2, 14)) is True  # Saturday, 调休上班
    assert workdays.is_workday(D(2026, 2, 17)) is False  # 正月初一, a Tuesday
    assert workdays.is_workday(D(2026, 2, 28)) is True
    # Friday 2/13 + 1 working day = Saturday 2/14 (调休), + 2 = Tuesday 2/24 (after the holiday).
    assert workdays.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert workdays.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert workdays.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    # Backwards across the holiday.
    assert workdays.add_working_days(D(2026, 2, 24), -1) == D(2026, 2, 14)


@pytest.mark.django_db
def test_zero_days_rolls_forward_to_a_working_day():
    assert workdays.add_working_days(D(2026, 2, 17), 0) == D(2026, 2, 24)
    assert workdays.add_working_days(D(2026, 2, 24), 0) == D(2026, 2, 24)


@pytest.mark.django_db
def test_office_override_wins_and_covers_unknown_years(user):
    unknown = D(2099, 1, 1)  # a Thursday the package knows nothing about
    assert not workdays.known_year(2099)
    assert workdays.is_workday(unknown) is True  # Mon–Fri fallback
    workdays.set_day(actor=user, date=unknown, is_workday=False, name="元旦")
    assert workdays.is_workday(unknown) is False
    assert workdays.known_year(2099)
    assert workdays.holiday_name(unknown) == "元旦"
    # A 调休 Saturday entered by the office.
    workdays.set_day(actor=user, date=D(2099, 1, 3), is_workday=True, name="元旦调休")
    assert workdays.add_working_days(D(2098, 12, 31), 1) == D(2099, 1, 2)
    assert workdays.add_working_days(D(2099, 1, 2), 1) == D(2099, 1, 3)
    workdays.remove_day(actor=user, date=unknown)
    assert workdays.is_workday(unknown) is True


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 9, 30)),
    n=st.integers(min_value=1, max_value=40),
)
def test_add_and_between_are_inverse(start, n):
    end = workdays.add_working_days(start, n)
    assert workdays.working_days_between(start, end) == n
    assert workdays.is_workday(end)
    assert workdays.working_days_between(end, start) == -n


@pytest.mark.django_db
def test_calendar_page_saves_override_and_shows_chinese_errors(client, office_user, user):
    client.force_login(user)
    assert client.get("/calendar/").status_code == 403
    client.force_login(office_user)
    r = client.get("/calendar/?year=2099")
    assert "尚未收录 2099 年" in r.content.decode()
    r = client.post("/calendar/?year=2099", {"date": "2099-13-01", "name": "坏日期"})
    assert r.status_code == 400
    assert "日期格式应为" in r.content.decode() or "输入一个有效的日期" in r.content.decode()
    assert not CalendarDay.objects.exists()
    r = client.post("/calendar/?year=2099", {"date": "2099-10-01", "name": "国庆节"})
    assert r.status_code == 302
    assert CalendarDay.objects.get(date=D(2099, 10, 1)).is_workday is False
