"""View counts (once per member, lesson and day), the office's statistics — completion and views by column,
views by month, hours per member by branch — scoped to the office's subtree with Excel export, and the
reminders to members behind (at most one a week each, audited, shown on the behind list)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from sanxin.core.errors import NotFound, RuleViolation
from sanxin.core.models import AuditLog, Notification
from sanxin.core.scope import scope_for
from sanxin.learning.training import selectors, services
from sanxin.learning.training.models import LessonView, Reminder

from .conftest import watch

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_lesson_opened_fifty_times_a_day_counts_one_view_a_day(lw):
    c = client(lw.users[1])
    for _ in range(50):
        assert c.get(f"/learning/lessons/{lw.audio.pk}/").status_code == 200
    assert c.get(f"/api/v1/learning/lessons/{lw.audio.pk}").status_code == 200
    view = LessonView.objects.get()
    assert (view.member_id, view.lesson_id, view.column, view.org_id) == (
        lw.members[1].pk, lw.audio.pk, "skills", lw.branch_a.pk,
    )  # fmt: skip
    services.lesson_viewed(member=lw.members[1], lesson=lw.audio, now=timezone.now() + dt.timedelta(days=1))
    assert LessonView.objects.count() == 2
    # an office user who is not a member opens nothing countable; a refused lesson counts nothing
    assert client(lw.outsider_user).get(f"/learning/lessons/{lw.audio.pk}/").status_code == 404
    assert LessonView.objects.count() == 2


def test_statistics_count_completion_views_and_hours_by_branch_inside_the_scope(
    lw, settings, django_assert_max_num_queries
):
    settings.LEARNING_REQUIRED_HOURS = {"member": Decimal("1"), "cadre": Decimal("56")}
    year = timezone.localdate().year
    watch(lw.users[1], lw.audio, seconds=20)  # skills, 1 h: member 1 meets the (lowered) requirement
    watch(lw.users[2], lw.short, seconds=10)  # skills, 0.1 h
    for user in lw.users[1:3]:
        client(user).get(f"/learning/lessons/{lw.audio.pk}/")
    client(lw.outsider_user).get(f"/learning/courses/{lw.course.pk}/")  # B sees nothing of X's
    scope = scope_for(lw.publisher, "learning", "view")
    with django_assert_max_num_queries(4):
        completion = {r["column"]: r for r in selectors.completion_by_column(scope, year)}
        views = {r["column"]: r for r in selectors.views_by_column(scope, year)}
        months = selectors.views_by_month(scope, year)
        branches = {r["org_id"]: r for r in selectors.hours_by_branch(scope, year)}
    assert (completion["skills"]["lessons"], completion["skills"]["members"]) == (2, 2)
    assert completion["skills"]["hours"] == Decimal("1.10") and completion["theory"]["lessons"] == 0
    assert (views["skills"]["views"], views["skills"]["viewers"]) == (2, 2)
    assert sum(m["views"] for m in months) == 2 and months[timezone.localdate().month - 1]["views"] == 2
    a = branches[lw.branch_a.pk]
    assert (a["members"], a["meeting"], a["share"]) == (4, 1, 25)
    assert a["hours"] == Decimal("1.10") and a["average"] == Decimal("0.28")
    assert lw.branch_b.pk not in branches
    # the page, and each table as Excel (audited)
    c = client(lw.publisher)
    page = c.get("/learning/training/stats/").content.decode()
    assert (
        'data-testid="views-total">2<' in page
        and "骑手流动党员党支部" in page
        and "货车司机党支部" not in page
    )
    resp = c.get(f"/learning/training/stats/?year={year}&export=branches")
    book = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    rows = list(book.active.values)
    assert rows[0][0] == "党组织" and rows[1][:2] == ("骑手流动党员党支部", 4)
    assert AuditLog.objects.filter(action="export", message__contains="各组织党员学时").exists()
    api = c.get("/api/v1/learning/training/stats").json()
    assert api["branches"][0]["share"] == 25
    assert client(lw.users[1]).get("/learning/training/stats/").status_code == 403


def test_reminders_reach_the_member_once_a_week_audited_and_show_on_the_behind_list(lw, settings):
    m, user = lw.members[1], lw.users[1]
    result = services.reminders_send(actor=lw.secretary, members=[m])
    assert result["sent"] == [m.pk]
    note = Notification.objects.get(recipient=user, kind=services.REMINDER_KIND)
    assert "还差" in note.title and note.url == "/learning/"
    assert AuditLog.objects.filter(action="learning_remind").count() == 1
    with pytest.raises(RuleViolation) as exc:
        services.reminders_send(actor=lw.secretary, members=[m])
    assert exc.value.code == "reminded_recently"
    later = timezone.now() + dt.timedelta(days=6, hours=23)
    with pytest.raises(RuleViolation):
        services.reminders_send(actor=lw.secretary, members=[m], now=later)
    assert services.reminders_send(
        actor=lw.secretary, members=[m], now=timezone.now() + dt.timedelta(days=8)
    )["sent"] == [m.pk]
    assert Reminder.objects.filter(member=m).count() == 2
    with pytest.raises(NotFound):
        services.reminders_send(actor=lw.secretary, members=[lw.outsider])
    # the behind page: remind everyone behind, see when each was last reminded
    c = client(lw.secretary)
    resp = c.post("/learning/training/remind/", {"year": timezone.localdate().year, "org": lw.branch_a.pk})
    assert resp.status_code == 302
    page = c.get(resp["Location"]).content.decode()
    assert "已提醒 3 人" in page and "未重复提醒" in page
    assert f'data-testid="reminded-{lw.members[2].pk}">{timezone.localtime():%Y-%m-%d}' in page
    assert Notification.objects.filter(kind=services.REMINDER_KIND).count() == 5
    # nobody is reminded who met the year's requirement
    settings.LEARNING_REQUIRED_HOURS = {"member": Decimal("0"), "cadre": Decimal("0")}
    api = c.post("/api/v1/learning/training/reminders", json.dumps({"member_ids": [m.pk]}),
                 content_type="application/json")  # fmt: skip
    assert api.status_code == 409 and api.json()["error"]["code"] == "not_behind"
