"""Deadlines with a frozen clock (time-machine): the working-day calendar, the pause, escalation the
day after a missed deadline — once — with its 督办 notice, and the metrics that count it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from sanxin.appeals import deadlines, selectors, services
from sanxin.appeals.models import Action, DeadlineRule, Level
from sanxin.core.models import Notification
from sanxin.core.scope import Scope
from tests.appeals.conftest import submit

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_defaults_follow_the_12345_practice(db):
    complaint = deadlines.rule_for(kind="complaint", category_id="wages", urgent=False)
    consult = deadlines.rule_for(kind="consult", category_id="schooling", urgent=False)
    urgent = deadlines.rule_for(kind="help", category_id="injury", urgent=True)
    assert (complaint.respond_hours, complaint.resolve_days) == (24, 13)
    assert (consult.respond_hours, consult.resolve_days) == (24, 3)
    assert urgent.resolve_days == 0
    received = at(2026, 12, 4, 16, 0)  # a Friday
    assert deadlines.resolve_by(received, consult) == at(2026, 12, 9, 23, 59, 59)  # Mon, Tue, Wed
    assert deadlines.resolve_by(received, urgent) == at(2026, 12, 4, 23, 59, 59)
    # 2026-10-01..07 is the National Day holiday; Saturday 2026-10-10 a make-up workday (调休): the
    # third working day after 9-30 is that Saturday.
    assert deadlines.resolve_by(at(2026, 9, 30, 9, 0), consult) == at(2026, 10, 10, 23, 59, 59)


def test_a_more_specific_rule_wins(db):
    DeadlineRule.objects.create(
        kind="complaint", category_id="wages", urgent=False, respond_hours=12, resolve_days=5
    )
    rule = deadlines.rule_for(kind="complaint", category_id="wages", urgent=False)
    assert (rule.respond_hours, rule.resolve_days) == (12, 5)
    assert deadlines.rule_for(kind="complaint", category_id="contract", urgent=False).resolve_days == 13


def test_an_unanswered_appeal_escalates_exactly_once_the_day_after_with_a_supervision_notice(aw):
    with time_machine.travel(at(2026, 12, 7, 10, 0), tick=False):  # Monday
        a = submit(aw)
    assert a.level == Level.PLATFORM and a.respond_due == at(2026, 12, 8, 10, 0)
    with time_machine.travel(at(2026, 12, 8, 18, 0), tick=False):  # past the deadline, same day
        assert services.escalate_overdue() == 0
    with time_machine.travel(at(2026, 12, 9, 8, 0), tick=False):  # the day after
        assert services.escalate_overdue() == 1
        assert services.escalate_overdue() == 0
    with time_machine.travel(at(2026, 12, 9, 11, 0), tick=False):
        assert services.escalate_overdue() == 0
    a.refresh_from_db()
    assert (a.level, a.department, a.escalations) == (Level.DEPARTMENT, aw.hrss, 1)
    assert a.steps.filter(action=Action.OVERDUE).count() == 1
    told = set(Notification.objects.filter(kind="appeals.supervise").values_list("recipient_id", flat=True))
    assert {aw.hrss_user.pk, aw.zzb.pk, aw.industry_user.pk} <= told
    assert aw.platform_user.pk not in told
    with time_machine.travel(at(2026, 12, 9, 14, 0), tick=False):
        services.appeal_accept(actor=aw.hrss_user, appeal=a)
        services.appeal_resolve(
            actor=aw.hrss_user, appeal=a, reply="已责令站点补发克扣的配送费，请注意查收。"
        )
    [row] = selectors.metrics(Scope.all(), start=at(2026, 12, 1), end=at(2027, 1, 1))
    assert (row.received, row.responded_in_time, row.resolved) == (1, 0, 1)
    assert row.response_rate == 0.0 and row.resolution_rate == 100.0


def test_at_the_department_an_overdue_resolution_is_supervised_once(aw):
    with time_machine.travel(at(2026, 12, 7, 10, 0), tick=False):
        a = submit(aw, skip_platform=True, kind="consult")
        services.appeal_accept(actor=aw.hrss_user, appeal=a)
    assert a.resolve_due == at(2026, 12, 10, 23, 59, 59)
    for day in (11, 12, 14):
        with time_machine.travel(at(2026, 12, day, 9, 0), tick=False):
            services.escalate_overdue()
    a.refresh_from_db()
    assert a.level == Level.DEPARTMENT and a.supervised_at is not None
    assert a.steps.filter(action=Action.SUPERVISE).count() == 1


def test_the_pause_moves_the_deadline_by_the_working_days_waited(aw):
    with time_machine.travel(at(2026, 12, 7, 10, 0), tick=False):
        a = submit(aw, kind="consult", text="想咨询一下灵活就业人员社保怎么交，交多少钱")
        services.appeal_accept(actor=aw.platform_user if a.level == Level.PLATFORM else aw.liaison, appeal=a)
    due = a.resolve_due
    with time_machine.travel(at(2026, 12, 7, 15, 0), tick=False):
        services.appeal_ask(actor=aw.platform_user if a.level == Level.PLATFORM else aw.liaison, appeal=a,
                            question="请告知您的户籍所在地")  # fmt: skip
    with time_machine.travel(at(2026, 12, 10, 9, 0), tick=False):  # three working days later
        services.appeal_answer(actor=aw.rider, appeal=a, text="户籍在清水县白沙镇")
    a.refresh_from_db()
    assert deadlines.local_day(due) == dt.date(2026, 12, 10)
    assert deadlines.local_day(a.resolve_due) == dt.date(2026, 12, 15)  # Fri, Mon, Tue
    with time_machine.travel(at(2026, 12, 11, 9, 0), tick=False):  # past the old deadline: not overdue
        assert services.escalate_overdue() == 0


def test_an_urgent_appeal_in_the_last_second_of_a_day_is_not_due_before_it_came(aw):
    with time_machine.travel(at(2026, 12, 7, 23, 59, 59, 500000), tick=False):
        a = submit(aw, urgent=True, kind="help", text="刚刚送餐摔伤了，腿流血走不了")
    assert a.resolve_due >= a.received_at
