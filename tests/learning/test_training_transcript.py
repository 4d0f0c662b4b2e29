"""A member's transcript (学时档案): every credit by year, online and offline apart, programmes finished,
the requirement met or not; the member's own page and API, and a secretary's view inside the scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.learning.models import Credit
from sanxin.learning.training import selectors, services

from .conftest import watch

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_transcript_splits_online_and_offline_hours_by_year_and_judges_the_requirement(lw, settings):
    settings.LEARNING_REQUIRED_HOURS = {"member": Decimal("4"), "cadre": Decimal("56")}
    m, user = lw.members[1], lw.users[1]
    watch(user, lw.audio, seconds=20)  # 1 h online this year
    last_year = timezone.localdate().year - 1
    Credit.objects.create(member=m, lesson=lw.article, on=dt.date(last_year, 5, 4), year=last_year,
                          hours=Decimal("0.25"), credits=Decimal("0.25"))  # fmt: skip
    t = services.training_create(
        actor=lw.secretary, org=lw.branch_a, title="支部集中学习", place="驿站", hours="3",
        held_on=timezone.localdate() - dt.timedelta(days=2),
    )  # fmt: skip
    services.attendance_add(actor=lw.secretary, training=t, members=[m])
    years = {y.year: y for y in selectors.transcript_years(m)}
    this = years[timezone.localdate().year]
    assert (this.online, this.offline, this.hours, this.met) == (
        Decimal("1.00"),
        Decimal("3.00"),
        Decimal("4.00"),
        True,
    )
    assert (years[last_year].hours, years[last_year].met) == (Decimal("0.25"), False)
    # a corrected attendance takes the year below the requirement again
    services.attendance_remove(actor=lw.secretary, training=t, member=m, reason="未到")
    this = {y.year: y for y in selectors.transcript_years(m)}[timezone.localdate().year]
    assert (this.offline, this.met, this.missing) == (Decimal("0.00"), False, Decimal("3.00"))


def test_the_member_reads_their_own_transcript_and_programmes_page_and_api(lw):
    m, user = lw.members[1], lw.users[1]
    today = timezone.localdate()
    p = services.programme_create(
        actor=lw.publisher, org=lw.committee_x, title="骑手安全网上培训", mode="online", starts_on=today,
        ends_on=today + dt.timedelta(days=10), required_hours="1", course_ids=[lw.course.pk],
    )  # fmt: skip
    c = services.cohort_add(actor=lw.publisher, programme=p, name="第一期")
    services.enrol(actor=lw.publisher, cohort=c, members=[m])
    watch(user, lw.audio, seconds=20)
    page = client(user).get("/learning/training/transcript/").content.decode()
    assert (
        "王骑手的学时档案" in page
        and "data-print" in page
        and "骑手安全网上培训" in page
        and "已结业" in page
    )
    assert "劳动合同要点" in page
    data = client(user).get("/api/v1/learning/training/mine/transcript").json()
    assert data["programmes"][0]["finished"] is True
    assert (
        data["credits"][0]["kind"] == "online"
        and data["credits"][0]["title"] == "骑手安全与权益·劳动合同要点"
    )
    # the learning API's own credits list reads a lesson-less credit too
    t = services.training_create(actor=lw.secretary, org=lw.branch_a, title="集中学习", place="驿站", hours="2",
                                 held_on=today)  # fmt: skip
    services.attendance_add(actor=lw.secretary, training=t, members=[m])
    rows = client(user).get("/api/v1/learning/mine/credits").json()["items"]
    offline = [r for r in rows if r["training_id"] == t.pk]
    assert offline and offline[0]["lesson_id"] is None and offline[0]["training_title"] == "集中学习"


def test_a_secretary_reads_a_members_transcript_in_scope_only(lw):
    sec = client(lw.secretary)
    page = sec.get(f"/learning/training/members/{lw.members[2].pk}/transcript/")
    assert page.status_code == 200 and "张骑手的学时档案" in page.content.decode()
    assert sec.get(f"/learning/training/members/{lw.outsider.pk}/transcript/").status_code == 404
    assert sec.get(f"/api/v1/learning/training/members/{lw.outsider.pk}/transcript").status_code == 404
    api = sec.get(f"/api/v1/learning/training/members/{lw.members[2].pk}/transcript").json()
    assert api["name"] == "张骑手" and api["years"][0]["met"] is False
    # a member has no view of another's transcript
    assert (
        client(lw.users[1]).get(f"/learning/training/members/{lw.members[2].pk}/transcript/").status_code
        == 403
    )
