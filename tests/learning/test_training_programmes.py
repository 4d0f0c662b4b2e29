"""Training programmes (培训班) and their cohorts: cut by tier or growth stage, enrolment within scope and
the organiser's subtree, and a cohort's progress — hours in the programme's courses and trainings within
the cohort's dates, in one query."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import AuditLog
from sanxin.core.scope import scope_for
from sanxin.learning.models import Credit
from sanxin.learning.training import selectors, services
from sanxin.learning.training.models import Enrolment

from .conftest import watch

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def programme(lw, *, audience="general", mode="online", hours="1.5", courses=None, org=None):
    today = TODAY()
    return services.programme_create(
        actor=lw.publisher, org=org or lw.committee_x, title="骑手安全网上培训", mode=mode, audience=audience,
        starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=30), required_hours=hours,
        course_ids=[lw.course.pk] if courses is None else courses,
    )  # fmt: skip


def api(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_cohorts_are_cut_by_tier_for_secretaries_by_stage_for_entrepreneurs_and_by_round_otherwise(lw):
    sec = programme(lw, audience="secretary", mode="hybrid")
    county = services.cohort_add(actor=lw.publisher, programme=sec, name="县级示范班", track="county")
    assert county.get_track_display() == "县级"
    with pytest.raises(InvalidInput) as exc:
        services.cohort_add(actor=lw.publisher, programme=sec, name="初创班", track="startup")
    assert exc.value.field == "track" and "省级" in exc.value.message
    ent = programme(lw, audience="entrepreneur", mode="offline", courses=[])
    assert services.cohort_add(actor=lw.publisher, programme=ent, name="接班期班", track="succession").track
    with pytest.raises(InvalidInput):
        services.cohort_add(actor=lw.publisher, programme=ent, name="无阶段", track="")
    general = programme(lw)
    with pytest.raises(InvalidInput):
        services.cohort_add(actor=lw.publisher, programme=general, name="第一期", track="city")
    first = services.cohort_add(actor=lw.publisher, programme=general, name="第一期")
    assert (first.starts_on, first.ends_on) == (general.starts_on, general.ends_on)
    with pytest.raises(InvalidInput) as exc:
        services.cohort_add(actor=lw.publisher, programme=general, name="第一期")
    assert exc.value.code == "duplicate"
    with pytest.raises(InvalidInput):
        services.cohort_add(
            actor=lw.publisher,
            programme=general,
            name="第二期",
            starts_on=general.ends_on + dt.timedelta(days=1),
        )
    assert AuditLog.objects.filter(action="cohort_create").count() == 3


def test_a_programme_takes_only_published_courses_its_members_can_open_and_refuses_a_foreign_org(lw):
    from sanxin.core.errors import PermissionDenied
    from sanxin.learning import services as learning_services

    draft = learning_services.course_create(actor=lw.publisher, publisher=lw.committee_x, title="草稿课",
                                            column="theory")  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        programme(lw, courses=[lw.course.pk, draft.pk])  # a draft is nobody's to learn yet
    assert exc.value.code == "bad_course"
    with pytest.raises(PermissionDenied):
        programme(lw, org=lw.committee_y, courses=[])
    with pytest.raises(InvalidInput) as exc:
        programme(lw, courses=[])  # an online programme without courses
    assert exc.value.field == "course_ids"
    p = programme(lw)
    assert list(p.courses.all()) == [lw.course]
    assert AuditLog.objects.get(action="programme_create", object_id=str(p.pk)).after["courses"] == [
        lw.course.pk
    ]


def test_enrolment_stays_inside_the_scope_the_subtree_and_the_secretary_rule(lw):
    sec = programme(lw, audience="secretary", mode="hybrid")
    cohort = services.cohort_add(actor=lw.publisher, programme=sec, name="市级示范班", track="city")
    with pytest.raises(RuleViolation) as exc:
        services.enrol(actor=lw.publisher, cohort=cohort, members=[lw.members[1]])
    assert exc.value.code == "not_cadre"
    assert not Enrolment.objects.exists()  # all or none
    services.enrol(actor=lw.publisher, cohort=cohort, members=[lw.members[0]])
    with pytest.raises(RuleViolation) as exc:
        services.enrol(actor=lw.publisher, cohort=cohort, members=[lw.members[0]])
    assert exc.value.code == "already_enrolled"
    with pytest.raises(NotFound):
        services.members_for(lw.publisher, [lw.outsider.pk])  # branch B is not committee X's
    # the secretary of branch A enrols their own members into committee X's programme, not B's member
    general = programme(lw)
    first = services.cohort_add(actor=lw.publisher, programme=general, name="第一期")
    scope = scope_for(lw.secretary, "learning", "change")
    assert selectors.cohort_get(scope, first.pk) == first  # a programme from above is reachable
    services.enrol(
        actor=lw.secretary,
        cohort=first,
        members=services.members_for(lw.secretary, [m.pk for m in lw.members[1:3]]),
    )
    assert Enrolment.objects.filter(cohort=first).count() == 2
    assert AuditLog.objects.filter(action="enrol").count() == 3
    with pytest.raises(NotFound):
        services.members_for(lw.secretary, [lw.outsider.pk])
    with transaction.atomic(), pytest.raises(IntegrityError):
        Enrolment.objects.create(programme=general, cohort=first, member=lw.members[1])


def test_a_cohort_of_committee_y_is_not_found_by_branch_a(lw):
    from sanxin.accounts.matrix import Role
    from tests.factories import user_with_grant

    y_office = user_with_grant(Role.INDUSTRY_COMMITTEE, lw.committee_y)
    today = TODAY()
    p = services.programme_create(
        actor=y_office, org=lw.committee_y, title="司机培训", mode="offline", starts_on=today,
        ends_on=today, required_hours="2",
    )  # fmt: skip
    c = services.cohort_add(actor=y_office, programme=p, name="第一期")
    with pytest.raises(NotFound):
        selectors.cohort_get(scope_for(lw.secretary, "learning", "view"), c.pk)
    assert api(lw.secretary).get(f"/learning/training/cohorts/{c.pk}/").status_code == 404
    assert api(lw.secretary).get(f"/api/v1/learning/training/programmes/{p.pk}").status_code == 404


def test_progress_counts_the_programmes_courses_and_trainings_within_the_cohorts_dates_in_one_query(
    lw, django_assert_num_queries
):
    p = programme(lw, hours="1.5")
    c = services.cohort_add(actor=lw.publisher, programme=p, name="第一期")
    services.enrol(actor=lw.publisher, cohort=c, members=lw.members[1:4])
    watch(lw.users[1], lw.audio, seconds=20)  # 1 h, in the programme's course
    today = TODAY()
    # a credit of the course before the cohort began does not count
    Credit.objects.create(member=lw.members[2], lesson=lw.article, on=today - dt.timedelta(days=60),
                          year=(today - dt.timedelta(days=60)).year, hours=Decimal("0.25"), credits=Decimal("0.25"))  # fmt: skip
    t = services.training_create(
        actor=lw.publisher, org=lw.committee_x, title="安全骑行现场教学", held_on=today, place="城关站",
        hours="0.5", programme=p, cohort=c,
    )  # fmt: skip
    other = services.training_create(
        actor=lw.publisher, org=lw.committee_x, title="别的培训", held_on=today, place="城关站", hours="3"
    )
    services.attendance_add(actor=lw.publisher, training=t, members=[lw.members[1], lw.members[3]])
    services.attendance_add(actor=lw.publisher, training=other, members=[lw.members[2]])
    progress = selectors.cohort_progress(c, scope_for(lw.publisher, "learning", "view"))
    with django_assert_num_queries(1):
        rows = list(progress)
    got = {e.member_id: (e.hours, e.finished) for e in rows}
    assert got == {
        lw.members[1].pk: (Decimal("1.50"), True),
        lw.members[2].pk: (Decimal("0"), False),
        lw.members[3].pk: (Decimal("0.50"), False),
    }
    summary = selectors.summarize(selectors.cohort_progress(c, scope_for(lw.publisher, "learning", "view")))
    assert (summary.enrolled, summary.finished, summary.percent) == (3, 1, 33)
    # a corrected attendance no longer counts
    services.attendance_remove(actor=lw.publisher, training=t, member=lw.members[1], reason="当天未到")
    hours = {
        e.member_id: e.hours
        for e in selectors.cohort_progress(c, scope_for(lw.publisher, "learning", "view"))
    }
    assert hours[lw.members[1].pk] == Decimal("1.00")


def test_pages_and_api_create_a_programme_a_cohort_and_enrol(lw):
    c = api(lw.publisher)
    today = TODAY()
    resp = c.post("/api/v1/learning/training/programmes", json.dumps({
        "org_id": lw.committee_x.pk, "title": "新生代企业家红色接力", "mode": "hybrid", "audience": "entrepreneur",
        "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=60)).isoformat(),
        "required_hours": "1", "course_ids": [lw.course.pk],
    }), content_type="application/json")  # fmt: skip
    assert resp.status_code == 201, resp.content
    pid = resp.json()["id"]
    resp = c.post(f"/api/v1/learning/training/programmes/{pid}/cohorts", json.dumps({"name": "成熟期班"}),
                  content_type="application/json")  # fmt: skip
    assert resp.status_code == 422 and resp.json()["error"]["details"][0]["loc"] == ["track"]
    resp = c.post(
        f"/learning/training/programmes/{pid}/", {"action": "cohort", "name": "成熟期班", "track": "mature"}
    )
    assert resp.status_code == 302
    cohort = selectors.programme_get(scope_for(lw.publisher, "learning", "view"), pid).cohorts.get()
    resp = c.post(
        f"/learning/training/cohorts/{cohort.pk}/", {"action": "enrol", "members": [lw.members[1].pk]}
    )
    assert resp.status_code == 302
    page = c.get(f"/learning/training/cohorts/{cohort.pk}/").content.decode()
    assert f'data-testid="enrolment-{lw.members[1].pk}"' in page and "王骑手" in page
    xlsx = c.get(f"/learning/training/cohorts/{cohort.pk}/?export=xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    mine = api(lw.users[1]).get("/api/v1/learning/training/mine/programmes").json()
    assert [m["programme_title"] for m in mine] == ["新生代企业家红色接力"]
    assert mine[0]["cohort"]["track"] == "mature" and mine[0]["finished"] is False
    resp = c.post(f"/api/v1/learning/training/cohorts/{cohort.pk}/enrol",
                  json.dumps({"member_ids": [lw.outsider.pk]}), content_type="application/json")  # fmt: skip
    assert resp.status_code == 404
