import datetime as dt

import pytest

from sanxin.core import notices
from sanxin.core.errors import InvalidInput, RuleViolation
from sanxin.core.models import Event, Objection, PublicNotice
from tests.factories import UserFactory

D = dt.date


@pytest.mark.django_db
def test_window_counts_working_days_across_spring_festival(user):
    # Opened Friday 2026-02-13 for 3 working days: 2/13, 2/14 (调休 Saturday), 2/24.
    n = notices.notice_open(actor=user, title="积分公示", starts_on=D(2026, 2, 13), window_days=3)
    assert n.ends_on == D(2026, 2, 24)
    assert n.status == PublicNotice.Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_notice_with_objection_upheld_closes_as_objected(user):
    objector = UserFactory()
    n = notices.notice_open(actor=user, title="发展对象公示：张三", starts_on=D(2026, 3, 2), window_days=5)
    with pytest.raises(InvalidInput):
        notices.objection_raise(actor=objector, notice=n, reason="短", on=D(2026, 3, 3))
    obj = notices.objection_raise(
        actor=objector, notice=n, reason="该同志近期未参加组织生活", on=D(2026, 3, 3)
    )
    assert obj.status == Objection.Status.PENDING
    with pytest.raises(RuleViolation) as exc:
        notices.notice_close(actor=user, notice=n, on=D(2026, 3, 6))
    assert exc.value.code == "notice_not_due"
    notices.objection_resolve(actor=user, objection=obj, upheld=True, resolution="经核实情况属实")
    closed = notices.notice_close(actor=user, notice=n, on=D(2026, 3, 9))
    assert closed.status == PublicNotice.Status.OBJECTED
    event = Event.objects.get(name="core.notice_closed")
    assert event.payload["status"] == "objected" and event.payload["notice_id"] == n.pk


@pytest.mark.django_db
def test_dismissed_objection_lets_the_notice_pass(user):
    objector = UserFactory()
    n = notices.notice_open(actor=user, title="积分公示", starts_on=D(2026, 3, 2), window_days=1)
    obj = notices.objection_raise(actor=objector, notice=n, reason="积分计算可能有误", on=D(2026, 3, 2))
    notices.objection_resolve(actor=user, objection=obj, upheld=False, resolution="经核算无误")
    with pytest.raises(RuleViolation):
        notices.objection_resolve(actor=user, objection=obj, upheld=True, resolution="重复处理")
    assert notices.close_due(on=D(2026, 3, 3)) == 1
    n.refresh_from_db()
    assert n.status == PublicNotice.Status.PASSED


@pytest.mark.django_db
def test_objection_outside_window_is_refused(user):
    n = notices.notice_open(actor=user, title="公示", starts_on=D(2026, 3, 2), window_days=2)
    with pytest.raises(RuleViolation) as exc:
        notices.objection_raise(actor=user, notice=n, reason="公示期后提出的异议", on=D(2026, 3, 10))
    assert exc.value.code == "notice_closed"


@pytest.mark.django_db
def test_audience_restricts_who_may_object(user):
    from django.contrib.auth import get_user_model

    insider, outsider = UserFactory(), UserFactory()
    notices.register_audience("accounts.user", lambda audience, u: u.pk in {audience.pk, insider.pk})
    audience_obj = get_user_model().objects.get(pk=user.pk)  # any model works as an audience anchor
    n = notices.notice_open(actor=user, title="公示", audience=audience_obj, starts_on=D(2026, 3, 2))
    notices.objection_raise(actor=insider, notice=n, reason="我有不同意见请核实", on=D(2026, 3, 2))
    with pytest.raises(RuleViolation) as exc:
        notices.objection_raise(actor=outsider, notice=n, reason="我有不同意见请核实", on=D(2026, 3, 2))
    assert exc.value.code == "not_in_audience"
