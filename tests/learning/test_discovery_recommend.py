"""为你推荐: never a lesson outside the member's org chain or of a course not published; item-based
collaborative filtering recommends what members like them completed; the kind of work and the year's
missing hours count, each with its reason; turned off, the list is the same for everyone in scope and
reads nothing about the member."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.core.models import AuditLog
from sanxin.learning import services
from sanxin.learning.discovery import recommend
from sanxin.learning.discovery import selectors as discovery
from sanxin.learning.discovery import services as discovery_services
from sanxin.learning.discovery.models import LessonSignal, Preference
from sanxin.learning.models import Credit
from sanxin.members import services as member_services
from tests.factories import user_with_grant
from tests.helpers import ApiClient
from tests.meetings.conftest import member

from .conftest import publish

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _course(lw, title: str, titles: list[str], *, org=None, author=None, reviewer=None, occupations=()):
    author = author or lw.publisher
    course = services.course_create(
        actor=author, publisher=org or lw.committee_x, title=title, column="theory", occupations=occupations
    )
    lessons = [
        services.lesson_add(
            actor=author,
            course=course,
            title=t,
            kind="article",
            body=f"{t}。" * 20,
            credit_hours=Decimal("1"),
        )
        for t in titles
    ]
    publish(course, author, reviewer or lw.reviewer)
    return course, lessons


def _complete(m, lesson):
    Credit.objects.create(
        member=m,
        lesson=lesson,
        on=TODAY,
        year=TODAY.year,
        hours=lesson.credit_hours,
        credits=lesson.credit_hours,
    )


def _ids(rec) -> list[int]:
    return [r.lesson.pk for r in rec.items]


def _members(lw, n: int, prefix: str):
    return [member(lw.branch_a, f"{prefix}{i}") for i in range(n)]


def test_members_like_me_completed_it(lw):
    """Four members completed A and B; six others completed C (more popular). Whoever completed A is
    recommended B first, because of A; without collaborative filtering C would lead."""
    _c, (a, b, c, _d) = _course(lw, "党员应知应会", ["党章总纲", "党员权利", "党史故事", "廉洁自律"])
    for m, _u in _members(lw, 4, "同伴"):
        _complete(m, a)
        _complete(m, b)
    for m, _u in _members(lw, 6, "旁人"):
        _complete(m, c)
    target, target_user = member(lw.branch_a, "新党员")
    _complete(target, a)
    discovery_services.signals_rebuild()
    rec = discovery.recommended(target_user, limit=10)
    assert rec.personalised
    ids = _ids(rec)
    assert ids[0] == b.pk and ids.index(b.pk) < ids.index(c.pk)
    assert "与你学过的《党章总纲》相近" in rec.items[0].reasons
    assert a.pk not in ids  # completed
    # the popularity-only list puts C first: the difference is the collaborative filtering
    off = discovery.common_list(target_user, limit=10)
    assert [r.lesson.pk for r in off].index(c.pk) < [r.lesson.pk for r in off].index(b.pk)
    sig = LessonSignal.objects.get(lesson=a)
    assert sig.neighbours[0][0] == b.pk and sig.completions == 5


def test_never_outside_the_org_chain_nor_unpublished_nor_archived(lw):
    office = user_with_grant("org_department", lw.city)
    city_course, (city_lesson,) = _course(
        lw,
        "全市必修",
        ["全市必修一课"],
        org=lw.city,
        author=office,
        reviewer=user_with_grant("org_department", lw.city),
    )
    archived, (old,) = _course(lw, "旧政策", ["旧政策解读"])
    draft = services.course_create(
        actor=lw.publisher, publisher=lw.committee_x, title="草稿", column="theory"
    )
    draft_lesson = services.lesson_add(
        actor=lw.publisher, course=draft, title="草稿课时", kind="article", body="内容" * 50, credit_hours=1
    )
    # members of branch A completed the city lesson with X's lessons, the archived one the most
    for m, _u in _members(lw, 3, "甲"):
        for lesson in (city_lesson, lw.article, old, lw.audio):
            _complete(m, lesson)
    services.course_archive(actor=lw.reviewer, course=archived)
    # the outsider (branch B, under the other committee) completed the city lesson too: their
    # neighbours point into committee X's lessons, which they may not open
    _complete(lw.outsider, city_lesson)
    discovery_services.signals_rebuild()
    x_lessons = {lw.video.pk, lw.audio.pk, lw.article.pk, lw.short.pk, old.pk, draft_lesson.pk}
    for user in (lw.outsider_user, *lw.users):
        for rec in (
            discovery.recommended(user, limit=50),
            discovery.Recommended(False, discovery.common_list(user)),
        ):
            ids = set(_ids(rec))
            assert old.pk not in ids and draft_lesson.pk not in ids
            if user == lw.outsider_user:
                assert not ids & x_lessons
    api = ApiClient(lw.outsider_user).get("/api/v1/learning/discovery/recommended", {"limit": 50}).json()
    assert {i["lesson_id"] for i in api["items"]} <= {city_lesson.pk}
    assert city_course.pk and lw.users[1]  # the city lesson is for everyone


def test_the_kind_of_work_and_the_missing_hours_count_with_their_reasons(lw):
    rider, rider_user = lw.members[1], lw.users[1]
    member_services.employment_record(
        actor=None, person=rider.person, kind="rider", since=dt.date(2022, 1, 1), employer_name="急速达"
    )
    _course(lw, "货车安全", ["长途驾驶防疲劳"], occupations=["truck"])
    _c, (general,) = _course(lw, "通用课", ["通用一课"])
    discovery_services.signals_rebuild()
    rec = discovery.recommended(rider_user, limit=20)
    by_id = {r.lesson.pk: r for r in rec.items}
    ids = _ids(rec)
    truck = [r for r in rec.items if r.lesson.title == "长途驾驶防疲劳"]
    # the rider's course (lw.course names riders) before the general one, the truck drivers' last
    assert ids.index(lw.audio.pk) < ids.index(general.pk)
    assert not truck or ids.index(truck[0].lesson.pk) > ids.index(general.pk)
    assert "面向外卖骑手" in by_id[lw.audio.pk].reasons or "本年学时还差 32" in by_id[lw.audio.pk].reasons
    assert any(why.startswith("本年学时还差") for r in rec.items for why in r.reasons)


def test_a_rider_gets_the_short_lesson_before_a_shift():
    """At 7 a.m. a rider's 班前班后五分钟 lessons score for the time of day; at 3 a.m. they do not."""
    import numpy as np
    import scipy.sparse as sp

    items = recommend.Items(
        ids=np.array([1, 2]), publisher=np.array([0, 0]), occupations=np.zeros((len(recommend.KINDS), 2)),
        industry=np.array([-1, -1]), age_days=np.array([5.0, 5.0]), hours=np.array([0.1, 0.1]),
        short=np.array([recommend.SHORT_SHIFT, recommend.SHORT_NONE]), recent=np.array([0.0, 3.0]),
        peer_share=np.zeros((len(recommend.KINDS), 2)),
    )  # fmt: skip
    kinds = np.zeros((1, len(recommend.KINDS)))
    kinds[0, recommend.KINDS.index("rider")] = 1

    def best(hour):
        members = recommend.Members(
            completed=sp.csr_matrix((1, 2)), started=sp.csr_matrix((1, 2)), kinds=kinds,
            industries=np.zeros((1, 0)), audience=sp.csr_matrix(np.ones((1, 1))), missing=np.array([0.0]),
            required=np.array([32.0]), slot=recommend.slot_now(hour),
        )  # fmt: skip
        scores = recommend.personal_scores(items, sp.csr_matrix((2, 2)), members)
        return int(items.ids[recommend.top_k(scores, 1)[0][0]])

    assert best(7) == 1 and best(12) == 2 and best(3) == 2


def test_turned_off_the_list_is_the_same_for_everyone_and_reads_nothing_personal(lw, monkeypatch):
    _c, (a, b, _c2) = _course(lw, "党员应知应会", ["党章总纲", "党员权利", "党史故事"])
    one, one_user = lw.members[1], lw.users[1]
    two, two_user = lw.members[2], lw.users[2]
    member_services.employment_record(
        actor=None, person=one.person, kind="rider", since=dt.date(2022, 1, 1), employer_name="急速达"
    )
    member_services.employment_record(
        actor=None, person=two.person, kind="courier", since=dt.date(2022, 1, 1), employer_name="蜂行快送"
    )
    for m, _u in _members(lw, 3, "同伴"):
        _complete(m, a)
        _complete(m, b)
    _complete(one, a)
    discovery_services.signals_rebuild()
    assert _ids(discovery.recommended(one_user)) != _ids(discovery.recommended(two_user))
    # one turns it off on the page, two through the API
    page = Client()
    page.force_login(one_user)
    assert page.post("/learning/discover/preference/", {"personalised": "0"}).status_code == 302
    resp = ApiClient(two_user).put("/api/v1/learning/discovery/preference", {"personalised": False})
    assert resp.status_code == 200 and resp.json() == {"personalised": False}
    assert not Preference.objects.get(member=one).personalised
    assert AuditLog.objects.filter(action="recommend_preference").count() == 2

    def personal(*args, **kwargs):
        raise AssertionError("a personal feature was read")

    monkeypatch.setattr(discovery, "_member_features", personal)
    monkeypatch.setattr(discovery_services, "member_kinds", personal)
    first, second = discovery.recommended(one_user), discovery.recommended(two_user)
    assert not first.personalised and not second.personalised
    assert _ids(first) == _ids(second) and _ids(first)
    assert all("同岗位" not in why and "学过" not in why for r in first.items for why in r.reasons)
    api = ApiClient(one_user).get("/api/v1/learning/discovery/recommended").json()
    assert api["personalised"] is False and [i["lesson_id"] for i in api["items"]] == _ids(first)[:10]
    # completed lessons stay in the common list (not re-ranked), only flagged on display
    assert next(i for i in api["items"] if i["lesson_id"] == a.pk)["done"] is True
    home = ApiClient(two_user).get("/api/v1/learning/home").json()
    assert home["recommended"]["personalised"] is False
    monkeypatch.undo()
    ApiClient(two_user).put("/api/v1/learning/discovery/preference", {"personalised": True})
    assert discovery.recommended(two_user).personalised


def test_pages_show_the_recommendations_with_their_reasons(lw):
    _course(lw, "党员应知应会", ["党章总纲"])
    page = Client()
    page.force_login(lw.users[1])
    home = page.get("/learning/").content.decode()
    assert 'data-testid="recommended"' in home and "为你推荐" in home
    full = page.get("/learning/discover/").content.decode()
    assert "党章总纲" in full and "关闭个性化推荐" in full and 'data-testid="reasons"' in full
    assert ApiClient(lw.users[1]).get("/api/v1/learning/discovery/preference").json() == {
        "personalised": True
    }


def test_signals_are_computed_once_on_demand_and_then_kept(lw):
    _c, (a, b) = _course(lw, "党员应知应会", ["党章总纲", "党员权利"])
    for m, _u in _members(lw, 2, "同伴"):
        _complete(m, a)
        _complete(m, b)
    assert discovery.latest_run() is None
    discovery.recommended(lw.users[1])
    run = discovery.latest_run()
    assert run is not None and run.completions == 4
    discovery.recommended(lw.users[2])
    assert discovery.latest_run().pk == run.pk
    assert timezone.now() - run.computed_at < dt.timedelta(minutes=5)
