"""Offline trainings (线下培训): attendance credits the training's hours once, as a lesson-less credit that
the year's figures, the growth archive and the points rules read; a correction within the window
reverses the credit by a row of its own (nothing deleted), marking present again reverses the reversal,
and after the window the correction is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from sanxin.core.errors import NotFound, RuleViolation
from sanxin.core.models import AuditLog, Event
from sanxin.learning import selectors as learning_selectors
from sanxin.learning.models import Credit
from sanxin.learning.training import services
from sanxin.learning.training.models import Attendance
from sanxin.points.sources import SOURCES, matches

pytestmark = pytest.mark.django_db


def training(lw, *, held_on=None, hours="3", org=None, actor=None):
    return services.training_create(
        actor=actor or lw.secretary, org=org or lw.branch_a, title="安全骑行现场教学", place="城关暖蜂驿站",
        held_on=held_on or timezone.localdate() - dt.timedelta(days=1), hours=hours,
    )  # fmt: skip


def standing(member, t) -> Decimal:
    return sum((c.hours for c in Credit.objects.filter(member=member, training=t)), Decimal("0"))


def test_attendance_credits_the_hours_once_announced_audited_and_in_the_years_figures(lw):
    t = training(lw)
    m = lw.members[1]
    services.attendance_add(actor=lw.secretary, training=t, members=[m, lw.members[2]])
    services.attendance_add(actor=lw.secretary, training=t, members=[m])  # again: nothing new
    credit = Credit.objects.get(member=m, training=t)
    assert credit.lesson_id is None and credit.hours == Decimal("3") and credit.on == t.held_on
    assert learning_selectors.year_of(m, t.held_on.year).hours == Decimal("3.00")
    event = Event.objects.get(name="learning.credited", payload__member_id=m.pk)
    assert event.payload["source"] == "training" and event.payload["lesson_id"] is None
    assert event.payload["training_id"] == t.pk and Decimal(event.payload["hours"]) == 3
    assert AuditLog.objects.filter(action="training_credit").count() == 2
    assert AuditLog.objects.filter(action="attendance_add").count() == 2
    # the growth archive reads a lesson-less credit
    events = learning_selectors.member_credits_timeline(m, None, viewer=None, limit=None)
    assert events[0].title == "参加线下培训《安全骑行现场教学》"
    # the points source distinguishes online from offline credits
    assert "learning.credited" in SOURCES
    assert matches({"source": "training"}, event.payload) and not matches({"source": "lesson"}, event.payload)


def test_a_correction_reverses_the_credit_keeps_the_row_and_marking_again_restores_it(lw):
    t = training(lw)
    m = lw.members[1]
    services.attendance_add(actor=lw.secretary, training=t, members=[m])
    with pytest.raises(Exception) as exc:
        services.attendance_remove(actor=lw.secretary, training=t, member=m, reason="  ")
    assert getattr(exc.value, "field", None) == "reason"
    row = services.attendance_remove(actor=lw.secretary, training=t, member=m, reason="签到表误录，当天未到")
    assert not row.present and row.removed_by == lw.secretary and row.removed_reason == "签到表误录，当天未到"
    original = Credit.objects.get(member=m, training=t, reverses__isnull=True)
    reversal = Credit.objects.get(reverses=original)
    assert reversal.hours == Decimal("-3") and reversal.year == original.year and reversal.on == original.on
    assert standing(m, t) == 0 and learning_selectors.year_of(m, t.held_on.year).hours == Decimal("0.00")
    assert Event.objects.filter(name="learning.credit_reversed", payload__member_id=m.pk).count() == 1
    assert AuditLog.objects.filter(action="training_credit_reverse", message="签到表误录，当天未到").exists()
    with pytest.raises(RuleViolation) as exc:
        services.attendance_remove(actor=lw.secretary, training=t, member=m, reason="再来一次")
    assert exc.value.code == "not_present"
    # marked present again: a third row reverses the reversal; consumers were told once
    services.attendance_add(actor=lw.secretary, training=t, members=[m])
    assert standing(m, t) == Decimal("3") and Credit.objects.filter(member=m, training=t).count() == 3
    assert Event.objects.filter(name="learning.credited", payload__member_id=m.pk).count() == 1
    assert Attendance.objects.get(training=t, member=m).present
    # the database keeps one original credit per member and training
    with transaction.atomic(), pytest.raises(IntegrityError):
        Credit.objects.create(member=m, training=t, on=t.held_on, year=t.held_on.year, hours=1, credits=1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Credit.objects.create(
            member=m, lesson=lw.audio, training=t, on=t.held_on, year=2026, hours=1, credits=1
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Credit.objects.create(member=m, on=t.held_on, year=2026, hours=1, credits=1)


def test_the_correction_window_closes_and_the_hours_of_a_credited_training_are_fixed(lw, settings):
    settings.LEARNING_TRAINING_CORRECTION_DAYS = 30
    t = training(lw, held_on=timezone.localdate() - dt.timedelta(days=40))
    m = lw.members[1]
    marked = timezone.now() - dt.timedelta(days=31)
    services.attendance_add(actor=lw.secretary, training=t, members=[m], now=marked)
    with pytest.raises(RuleViolation) as exc:
        services.attendance_remove(actor=lw.secretary, training=t, member=m, reason="晚了")
    assert exc.value.code == "correction_closed"
    assert standing(m, t) == Decimal("3")
    with pytest.raises(RuleViolation) as exc:
        services.training_update(actor=lw.secretary, training=t, hours="4")
    assert exc.value.code == "has_attendance"
    assert services.training_update(actor=lw.secretary, training=t, place="城关站二楼").place == "城关站二楼"


def test_attendance_only_after_the_day_and_only_of_members_below_the_org_in_scope(lw):
    future = training(lw, held_on=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(RuleViolation) as exc:
        services.attendance_add(actor=lw.secretary, training=future, members=[lw.members[1]])
    assert exc.value.code == "not_held"
    t = training(lw, org=lw.committee_x, actor=lw.publisher)
    with pytest.raises(NotFound):
        services.members_for(lw.publisher, [lw.outsider.pk])
    with pytest.raises(NotFound):  # the outsider is outside the secretary's scope even if passed in
        services.attendance_add(actor=lw.secretary, training=training(lw), members=[lw.outsider])
    services.attendance_add(actor=lw.publisher, training=t, members=[lw.members[2]])
    assert standing(lw.members[2], t) == Decimal("3")


def test_the_pages_record_a_training_mark_attendance_and_correct_it(lw):
    c = Client()
    c.force_login(lw.secretary)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    resp = c.post("/learning/training/offline/new/", {"org": lw.branch_a.pk, "title": "急救知识现场培训",
                  "held_on": yesterday, "place": "驿站", "hours": "abc"})  # fmt: skip
    assert resp.status_code == 400 and "学时应为数字" in resp.content.decode()
    assert "急救知识现场培训" in resp.content.decode()  # what was typed is kept
    resp = c.post("/learning/training/offline/new/", {"org": lw.branch_a.pk, "title": "急救知识现场培训",
                  "held_on": yesterday, "place": "驿站", "hours": "2"})  # fmt: skip
    assert resp.status_code == 302
    url = resp["Location"]
    resp = c.post(url, {"action": "attend", "members": [lw.members[1].pk, lw.members[2].pk]})
    assert resp.status_code == 302
    page = c.get(url).content.decode()
    assert 'data-testid="present">2<' in page and "取消出席" in page
    resp = c.post(url, {"action": "remove", "member": lw.members[2].pk, "reason": "未到场"})
    assert resp.status_code == 302
    page = c.get(url).content.decode()
    assert 'data-testid="present">1<' in page and "已更正为未出席：未到场" in page
    listing = c.get("/learning/training/offline/").content.decode()
    assert "急救知识现场培训" in listing
    outsider = Client()
    outsider.force_login(lw.outsider_user)
    assert outsider.get(url).status_code == 403
