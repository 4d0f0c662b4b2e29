"""Chinese full-text search of the library: words found inside longer text, title hits first, snippets
escaped before they are marked, only what the searcher may open (published courses of their org
chain), and an index that follows publishing and archiving. Runs on SQLite (FTS5) and PostgreSQL
(tsvector, GIN) alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from sanxin.learning import services
from sanxin.learning.discovery import search
from sanxin.learning.discovery import selectors as discovery
from sanxin.learning.discovery.models import SearchDoc
from tests.factories import user_with_grant
from tests.helpers import ApiClient

from .conftest import publish

pytestmark = pytest.mark.django_db

CONTRACT_BODY = (
    "新就业形态劳动者和平台企业之间的关系各不相同。如果你与站点签订了书面劳动合同，"
    "工资、社会保险和休息休假都要按合同执行；没有签订的，也可以申请法律援助。"
)


def _course(lw, title: str, lessons: list[tuple[str, str]], *, summary: str = "", publish_it: bool = True):
    course = services.course_create(
        actor=lw.publisher, publisher=lw.committee_x, title=title, column="policy", summary=summary
    )
    out = [
        services.lesson_add(
            actor=lw.publisher, course=course, title=t, kind="article", body=body, credit_hours=Decimal("0.5")
        )
        for t, body in lessons
    ]
    if publish_it:
        publish(course, lw.publisher, lw.reviewer)
    return course, out


def _found(user, q: str) -> list[tuple[str, int]]:
    return [
        (h.kind, h.lesson.pk if h.lesson else h.course.pk)
        for h in discovery.search_lessons(user, q, limit=50)
    ]


def test_a_chinese_word_is_found_inside_a_longer_article_body(lw):
    _c, (lesson,) = _course(lw, "权益保障问答", [("签约之前看一看", CONTRACT_BODY)])
    rider = lw.users[1]
    assert ("lesson", lesson.pk) in _found(rider, "劳动合同")
    assert ("lesson", lesson.pk) in _found(rider, "合同")  # a shorter word of it
    assert ("lesson", lesson.pk) in _found(rider, "法律援助 社会保险")  # every word, anywhere in the text
    assert ("lesson", lesson.pk) not in _found(rider, "劳动合同 驾驶证")  # not every word is there


def test_titles_come_before_bodies(lw):
    # the article mentions the words again and again; the world's audio lesson has them only in its title
    _c, (body_only,) = _course(
        lw, "维权指南", [("签约须知", (CONTRACT_BODY + "劳动合同要点：劳动合同一式两份。") * 3)]
    )
    found = _found(lw.users[1], "劳动合同要点")
    assert found.index(("lesson", lw.audio.pk)) < found.index(("lesson", body_only.pk))
    assert found[0] == ("lesson", lw.audio.pk)


def test_snippets_are_escaped_then_marked(lw):
    body = "<script>alert('x')</script>签订劳动合同前，先看<b>工资</b>条款 & 休息时间。"
    _c, (lesson,) = _course(lw, "合同课", [("读合同", body)])
    (hit,) = [h for h in discovery.search_lessons(lw.users[1], "劳动合同") if h.lesson == lesson]
    html = str(hit.snippet)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;工资&lt;/b&gt;" in html and "&amp;" in html
    assert "<mark>劳动合同</mark>" in html
    page = Client()
    page.force_login(lw.users[1])
    text = page.get("/learning/discover/search/", {"q": "劳动合同"}).content.decode()
    assert "<mark>劳动合同</mark>" in text and "<script>alert" not in text
    api = ApiClient(lw.users[1]).get("/api/v1/learning/discovery/search", {"q": "劳动合同"}).json()
    (item,) = [i for i in api["items"] if i["lesson_id"] == lesson.pk]
    assert "&lt;script&gt;" in item["snippet_html"] and "<mark>劳动合同</mark>" in item["snippet_html"]


def test_mark_escapes_what_a_query_or_text_holds():
    assert str(search.mark("a<b>&c", ["<b>"])) == "a<mark>&lt;b&gt;</mark>&amp;c"
    assert str(search.mark("<i>", [])) == "&lt;i&gt;"
    long = "甲" * 100 + "劳动合同" + "乙" * 100
    cut = str(search.mark(long, ["劳动合同"], window=40))
    assert cut.startswith("…") and cut.endswith("…") and "<mark>劳动合同</mark>" in cut and len(cut) < 80


def test_nothing_outside_the_org_chain_or_unpublished_is_found(lw):
    _c, (lesson,) = _course(lw, "权益保障问答", [("签约之前看一看", CONTRACT_BODY)])
    draft, (draft_lesson,) = _course(
        lw, "劳动合同草稿课", [("劳动合同草稿", CONTRACT_BODY)], publish_it=False
    )
    # branch B (under the other committee) finds none of committee X's courses, through any route
    assert _found(lw.outsider_user, "劳动合同") == []
    api = ApiClient(lw.outsider_user).get("/api/v1/learning/discovery/search", {"q": "劳动合同"})
    assert api.status_code == 200 and api.json()["items"] == []
    found = _found(lw.users[1], "劳动合同")
    assert ("lesson", lesson.pk) in found
    assert ("lesson", draft_lesson.pk) not in found and ("course", draft.pk) not in found
    # a course under review is not in the index either
    services.course_submit(actor=lw.publisher, course=draft)
    assert ("lesson", draft_lesson.pk) not in _found(lw.users[1], "劳动合同")


def test_the_index_follows_publishing_and_archiving(lw):
    course, (lesson,) = _course(
        lw, "医保怎么交", [("灵活就业参保", "以灵活就业人员身份参加职工医保，按月缴费。")]
    )
    rider = lw.users[1]
    assert ("course", course.pk) in _found(rider, "医保")
    assert ("lesson", lesson.pk) in _found(rider, "灵活就业")
    services.course_archive(actor=lw.reviewer, course=course, reason="政策更新")
    assert _found(rider, "医保") == [] and _found(rider, "灵活就业") == []
    assert not SearchDoc.objects.filter(course=course).exists()
    # a stale row (say, left by a failed write) is still never shown for an archived course
    SearchDoc.objects.create(key="stale", course=course, title="医保", body="")
    assert _found(rider, "医保") == []


def test_rebuild_writes_the_same_index(lw):
    _course(lw, "权益保障问答", [("签约之前看一看", CONTRACT_BODY)])
    before = _found(lw.users[1], "劳动合同")
    rows = SearchDoc.objects.count()
    SearchDoc.objects.all().delete()
    assert _found(lw.users[1], "劳动合同") == []
    call_command("discovery", "index")
    assert SearchDoc.objects.count() == rows and _found(lw.users[1], "劳动合同") == before


def test_an_ordinary_query_with_symbols_is_not_an_error(lw):
    for q in ['"劳动合同', "劳动合同 OR 1=1", "*", "'; DROP TABLE learning_course; --", "NEAR(a b)", "合同:"]:
        resp = ApiClient(lw.users[1]).get("/api/v1/learning/discovery/search", {"q": q})
        assert resp.status_code == 200, (q, resp.content)
    assert ApiClient(lw.users[1]).get("/api/v1/learning/discovery/search", {"q": ""}).status_code == 422


def test_publishers_search_as_learners_only(lw):
    """An office user with no org chain of their own finds nothing: search is a learner's route."""
    office = user_with_grant("org_department", lw.city)
    assert _found(office, "劳动合同") == []


def test_pages_continue_where_the_last_ended(lw):
    _course(
        lw, "维权指南", [(f"第{i}讲", CONTRACT_BODY * (i + 1)) for i in range(3)] + [("劳动合同答疑", "问答")]
    )
    rider = lw.users[1]
    full = _found(rider, "劳动合同")
    assert len(full) >= 5
    paged = []
    for offset in range(0, len(full) + 2, 2):
        paged += [
            (h.kind, h.lesson.pk if h.lesson else h.course.pk)
            for h in discovery.search_lessons(rider, "劳动合同", limit=2, offset=offset)
        ]
    assert paged == full
