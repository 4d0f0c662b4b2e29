"""The annual requirement (32 学时 for members, 56 for those holding a branch or committee post that
year; configurable), 学分 beside 学时, and the secretary's list of who is behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.core.scope import scope_for
from sanxin.learning import selectors
from sanxin.learning.models import Credit, Lesson
from tests.helpers import ApiClient, assert_max_queries

from .conftest import watch

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def give(member, lesson_or_course, hours: str, year: int = YEAR):
    """A credit row as a completion writes it (the rules themselves are tested in test_credits)."""
    lesson = Lesson.objects.create(
        course=lesson_or_course, title=f"补{hours}", kind="article", body="x", credit_hours=Decimal(hours),
        duration_s=30,
    )  # fmt: skip
    return Credit.objects.create(
        member=member, lesson=lesson, on=dt.date(year, 3, 1), year=year, hours=Decimal(hours),
        credits=Decimal(hours),
    )  # fmt: skip


def test_members_need_32_hours_and_the_branch_committee_56(lw):
    assert selectors.year_of(lw.members[1]).required == Decimal("32")
    assert selectors.year_of(lw.members[0]).required == Decimal("56")  # the secretary
    assert selectors.year_of(lw.members[0], 2015).required == Decimal("32")  # before the post


def test_the_requirement_and_the_conversion_are_settings(lw, settings):
    settings.LEARNING_REQUIRED_HOURS = {"member": Decimal("20"), "cadre": Decimal("40")}
    settings.LEARNING_CREDITS_PER_HOUR = Decimal("0.5")
    assert selectors.year_of(lw.members[1]).required == Decimal("20")
    watch(lw.users[1], lw.audio, seconds=20)
    credit = Credit.objects.get(member=lw.members[1])
    assert (credit.hours, credit.credits) == (Decimal("1"), Decimal("0.50"))
    y = selectors.year_of(lw.members[1])
    assert (y.hours, y.credits, y.missing) == (Decimal("1.00"), Decimal("0.50"), Decimal("19.00"))


def test_the_behind_list_holds_who_is_short_of_their_requirement_largest_first(lw):
    secretary, m1, m2, m3 = lw.members
    give(m1, lw.course, "20")
    give(m1, lw.course, "12")  # 32: done
    give(m2, lw.course, "10")
    give(secretary, lw.course, "20")
    give(secretary, lw.course, "20")  # 40 < 56
    give(m3, lw.course, "20", year=YEAR - 1)  # last year's do not count
    scope = scope_for(lw.secretary, "learning", "view")
    with assert_max_queries(3):
        rows = list(selectors.behind(scope, YEAR))
    got = {r.pk: (r.hours, r.required, r.missing, r.cadre) for r in rows}
    assert m1.pk not in got
    assert got[m3.pk][0] == 0 and got[m3.pk][2] == Decimal("32")
    assert got[m2.pk][2] == Decimal("22")
    assert got[secretary.pk][1:] == (Decimal("56"), Decimal("16"), True)
    assert [r.pk for r in rows] == [m3.pk, m2.pk, secretary.pk]
    assert lw.outsider.pk not in got  # another branch


def test_a_member_moves_off_the_list_by_learning(lw, settings):
    settings.LEARNING_REQUIRED_HOURS = {"member": Decimal("1"), "cadre": Decimal("2")}
    scope = scope_for(lw.secretary, "learning", "view")
    assert lw.members[1] in selectors.behind(scope, YEAR)
    watch(lw.users[1], lw.audio, seconds=20)
    assert lw.members[1] not in selectors.behind(scope, YEAR)


def test_the_behind_page_and_api_are_scoped(lw):
    api = ApiClient(lw.secretary)
    body = api.get("/api/v1/learning/behind").json()
    names = {r["name"] for r in body["items"]}
    assert names == {"李书记", "王骑手", "张骑手", "陈骑手"}
    assert all(r["required"] in ("32", "56", "32.00", "56.00") or r["required"] for r in body["items"])
    page = Client()
    page.force_login(lw.secretary)
    html = page.get("/learning/behind/").content.decode()
    assert "王骑手" in html and "赵司机" not in html
    assert ApiClient(lw.outsider_user).get("/api/v1/learning/behind").status_code == 403
