"""The monthly dues-arrears reminder: to the member, and the count to their branch's secretary, once a
month each."""

import datetime as dt

import pytest

from sanxin.core.models import Notification
from sanxin.members import services, tasks
from sanxin.members.dues import Basis
from sanxin.orgs.models import Post
from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_arrears_reminders_once_a_month(django_user_model):
    w = build_world()
    member_user = django_user_model.objects.create(username="liu-member")
    w.member_a.person.user = member_user
    w.member_a.person.save()
    secretary = Post.objects.get(org=w.branch_a, end_on__isnull=True).person
    secretary.user = w.secretary_a
    secretary.save()
    services.income_declare(actor=None, member=w.member_a, basis=Basis.FLAT, month=dt.date(2025, 1, 1))
    services.dues_pay(
        actor=None,
        member=w.member_a,
        month_from=dt.date(2025, 1, 1),
        channel="cash",
        paid_on=dt.date(2025, 1, 5),
    )
    assert tasks.remind_arrears(today=dt.date(2025, 6, 15)) == 2
    mine = Notification.objects.get(recipient=member_user)
    assert "4个月" in mine.title and "2025年02月" in mine.title and mine.url == "/members/me/"
    branch = Notification.objects.get(recipient=w.secretary_a)
    assert "1名党员" in branch.title
    assert tasks.remind_arrears(today=dt.date(2025, 6, 20)) == 0  # once a month
    assert tasks.remind_arrears(today=dt.date(2025, 7, 1)) == 2  # next month again
    # paid up: nothing more
    services.dues_pay(
        actor=None,
        member=w.member_a,
        month_from=dt.date(2025, 2, 1),
        month_to=dt.date(2025, 7, 1),
        channel="cash",
        paid_on=dt.date(2025, 7, 2),
    )
    assert tasks.remind_arrears(today=dt.date(2025, 8, 1)) == 0
