"""Who sees a course: the members under its publisher (a member sees the courses of every org on their
org's ancestor chain, and of their 流入 host's); the publishers over it. Never a member of another
branch, through any route, nor its media."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from sanxin.core.errors import NotFound
from sanxin.learning import selectors, services
from sanxin.members import services as member_services
from tests.factories import user_with_grant
from tests.helpers import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def test_a_member_of_branch_b_does_not_see_a_course_published_to_committee_x(lw):
    b = lw.outsider_user
    assert not selectors.catalogue(b).exists()
    with pytest.raises(NotFound):
        selectors.learner_course(b, lw.course.pk)
    api = ApiClient(b)
    assert api.get("/api/v1/learning/courses").json()["count"] == 0
    assert_error(api.get(f"/api/v1/learning/courses/{lw.course.pk}"), 404, "not_found")
    assert_error(api.get(f"/api/v1/learning/lessons/{lw.audio.pk}"), 404, "not_found")
    assert_error(api.post(f"/api/v1/learning/lessons/{lw.audio.pk}/heartbeat", {"position": 1}), 404)
    assert_error(api.post(f"/api/v1/learning/lessons/{lw.video.pk}/answer", {"choice": 1}), 404)
    page = Client()
    page.force_login(b)
    assert page.get(f"/learning/courses/{lw.course.pk}/").status_code == 404
    assert page.get(f"/learning/lessons/{lw.audio.pk}/").status_code == 404
    assert page.get(f"/files/{lw.audio.media_id}/").status_code == 404
    assert "骑手安全与权益" not in page.get("/learning/").content.decode()


def test_members_under_the_publisher_see_it_and_its_media(lw):
    a = lw.users[1]
    assert list(selectors.catalogue(a)) == [lw.course]
    page = Client()
    page.force_login(a)
    resp = page.get(f"/files/{lw.audio.media_id}/?inline=1", headers={"Range": "bytes=0-9"})
    assert resp.status_code == 206 and resp["Content-Range"].startswith("bytes 0-9/")


def test_a_branch_course_stays_in_the_branch_and_a_city_course_reaches_everyone(lw):
    from .conftest import publish

    other_reviewer = user_with_grant("industry_committee", lw.committee_x)
    branch_course = services.course_create(actor=lw.secretary, publisher=lw.branch_a, title="支部微党课",
                                           column="theory")  # fmt: skip
    services.lesson_add(actor=lw.secretary, course=branch_course, title="读", kind="article", body="内容",
                        credit_hours=1)  # fmt: skip
    publish(branch_course, lw.secretary, other_reviewer)
    office = user_with_grant("org_department", lw.city)
    city_course = services.course_create(
        actor=office, publisher=lw.city, title="全市党员必修课", column="policy"
    )
    services.lesson_add(
        actor=office, course=city_course, title="读", kind="article", body="内容", credit_hours=1
    )
    publish(city_course, office, user_with_grant("org_department", lw.city))
    assert set(selectors.catalogue(lw.users[1])) == {lw.course, branch_course, city_course}
    assert set(selectors.catalogue(lw.outsider_user)) == {city_course}


def test_a_member_hosted_in_branch_a_learns_its_committees_courses(lw):
    member_services.mobile_in(
        actor=None, member=lw.outsider, on=dt.date.today() - dt.timedelta(days=3), host=lw.branch_a
    )
    assert lw.course in set(selectors.catalogue(lw.outsider_user))


def test_publishers_see_the_courses_of_their_subtree_only(lw):
    other = user_with_grant("industry_committee", lw.committee_y)
    api = ApiClient(other)
    assert_error(api.get(f"/api/v1/learning/manage/courses/{lw.course.pk}"), 404, "not_found")
    assert api.get("/api/v1/learning/manage/courses").json()["count"] == 0
    mine = ApiClient(lw.reviewer).get("/api/v1/learning/manage/courses").json()
    assert [c["id"] for c in mine["items"]] == [lw.course.pk]
    assert_error(ApiClient(lw.users[1]).get("/api/v1/learning/manage/courses"), 403, "permission_denied")
