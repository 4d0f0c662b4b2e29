"""成长档案: the timeline merges the registered sources' events, newest first, pages by date without
splitting a day, answers only inside the member's scope, takes new sources from other modules, and
never shows the 口袋/隐形党员 finding to a viewer without ``people.flags``."""

import datetime as dt

import pytest
from django.test import Client

from sanxin.members import services, timeline
from sanxin.members.dues import Basis
from sanxin.members.models import Hidden
from sanxin.orgs import services as org_services
from sanxin.orgs.models import PostTitle
from tests.helpers import ApiClient, assert_error
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    w = build_world()
    m = w.member_a  # joined 2015-07-01, in branch_a since 2021-03-01, 外出 since 2024-03-01
    services.member_convert(actor=None, member=m, on=D(2016, 7, 1))
    services.mobility_end(actor=None, mobility=w.mobility_a, on=D(2024, 9, 1))
    services.membership_move(actor=None, member=m, org=w.branch_c, on=D(2025, 1, 1), note="工作调动")
    services.mobile_in(actor=None, member=m, host=w.branch_a, on=D(2025, 3, 1))
    org_services.post_assign(
        actor=None, org=w.branch_c, person=m.person, title=PostTitle.PROPAGANDA, start_on=D(2025, 2, 1)
    )
    services.employment_record(
        actor=None, person=m.person, kind="rider", since=D(2023, 5, 1), employer_name="蜂行快送"
    )
    services.income_declare(actor=None, member=m, basis=Basis.SALARY, amount="4500", month=D(2025, 1, 1))
    for month, paid in [
        (D(2025, 1, 1), D(2025, 1, 5)),
        (D(2025, 2, 1), D(2025, 2, 6)),
        (D(2026, 1, 1), D(2026, 1, 3)),
    ]:
        services.dues_pay(actor=None, member=m, month_from=month, channel="wechat", paid_on=paid)
    services.member_flag_hidden(
        actor=w.office, member=m, hidden=Hidden.POCKET, how="走访发现", on=D(2025, 6, 1)
    )
    m.refresh_from_db()
    return w


def _all(member, viewer):
    return timeline.page(member, viewer=viewer, limit=200).events


def test_each_source_contributes_its_events(w):
    events = _all(w.member_a, w.office)
    by_kind = {}
    for e in events:
        by_kind.setdefault(e.kind, []).append(e)
    assert by_kind["joined"][0].on == D(2015, 7, 1) and by_kind["joined"][0].source == "members.membership"
    assert by_kind["converted"][0].on == D(2016, 7, 1)
    formal = [(e.on, e.title, e.detail) for e in by_kind["relation_formal"]]
    assert (D(2025, 1, 1), f"组织关系转入{w.branch_c.name}", "调整：工作调动") in formal
    assert (D(2021, 3, 1), f"组织关系登记在{w.branch_a.name}", "登记") in formal
    activity = [(e.on, e.detail) for e in by_kind["relation_activity"]]
    assert (D(2025, 3, 1), "流入挂靠") in activity  # the 挂靠 moves the activity org
    assert all(d != "登记" for _, d in activity)  # registration's own activity relation is no event
    assert [e.on for e in by_kind["mobile_out"]] == [D(2024, 3, 1)] and "广东省深圳市" in by_kind[
        "mobile_out"
    ][0].detail
    assert [e.on for e in by_kind["mobile_return"]] == [D(2024, 9, 1)]
    assert [e.on for e in by_kind["mobile_in"]] == [D(2025, 3, 1)]
    assert by_kind["post"][0].title == f"任{w.branch_c.name}宣传委员" and by_kind["post"][0].on == D(
        2025, 2, 1
    )
    assert by_kind["work"][0].title == "从事外卖骑手" and by_kind["work"][0].detail == "蜂行快送"
    dues = [(e.on, e.title, e.detail) for e in by_kind["dues"]]
    assert dues == [
        (D(2026, 1, 3), "2026年交纳党费", "1次，共45.00元"),
        (D(2025, 2, 6), "2025年交纳党费", "2次，共90.00元"),
    ]
    assert by_kind["hidden"][0].title == "发现为口袋党员" and by_kind["hidden"][0].detail == "走访发现"


def test_events_come_newest_first(w):
    dates = [e.on for e in _all(w.member_a, w.office)]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 12


def test_pages_by_date_cover_everything_once_and_never_split_a_day(w):
    full = _all(w.member_a, w.office)
    seen, cursor, pages = [], None, 0
    while True:
        p = timeline.page(w.member_a, viewer=w.office, on_or_before=cursor, limit=3)
        assert p.events and len(p.events) <= 3
        if seen:
            assert p.events[0].on < seen[-1].on  # a day is on one page only
        seen.extend(p.events)
        pages += 1
        if p.next_on_or_before is None:
            break
        assert p.next_on_or_before < p.events[-1].on
        cursor = p.next_on_or_before
    assert pages >= 4
    assert [(e.on, e.kind, e.title) for e in seen] == [(e.on, e.kind, e.title) for e in full]


def test_a_day_with_more_events_than_the_page_is_one_page(w):
    day = D(2027, 1, 1)

    def busy(member, on_or_before, *, viewer, limit):
        return [timeline.Event(day, "busy", f"事项{i}") for i in range(5)]

    timeline.register_source("tests.busy", "测试", busy, order=1)
    try:
        p = timeline.page(w.member_a, viewer=w.office, limit=2)
        assert [e.title for e in p.events] == [f"事项{i}" for i in range(5)]
        assert p.next_on_or_before == day - dt.timedelta(days=1)
        rest = timeline.page(w.member_a, viewer=w.office, on_or_before=p.next_on_or_before, limit=2)
        assert all(e.source != "tests.busy" for e in rest.events)
    finally:
        timeline.unregister_source("tests.busy")


def test_a_source_registered_by_another_module_appears_and_decides_its_viewers(w):
    def courses(member, on_or_before, *, viewer, limit):
        if viewer == w.street_s_user:  # the source's own rule
            return []
        events = [
            timeline.Event(
                D(2025, 4, 1), "course", "完成课程《新就业群体权益保障》", "2 学时", "/learning/1/"
            ),
            timeline.Event(D(2027, 1, 1), "course", "未来的课程"),
        ]
        return [e for e in events if on_or_before is None or e.on <= on_or_before]

    timeline.register_source("learning.credits", "学习学时", courses, order=60)
    try:
        events = _all(w.member_a, w.secretary_a)
        course = [e for e in events if e.kind == "course" and e.on.year == 2025]
        assert course[0].source == "learning.credits" and course[0].link == "/learning/1/"
        assert [
            e.on
            for e in timeline.page(w.member_a, viewer=w.secretary_a, on_or_before=D(2026, 12, 31)).events
            if e.kind == "course"
        ] == [D(2025, 4, 1)]
        html = _page(w.secretary_a, w.member_a).content.decode()
        assert "完成课程《新就业群体权益保障》" in html and 'data-source="learning.credits"' in html
        r = ApiClient(w.secretary_a).get(f"/api/v1/members/{w.member_a.pk}/timeline", {"limit": 200})
        assert any(i["source"] == "learning.credits" for i in r.json()["items"])
        assert not [e for e in _all(w.member_a, w.street_s_user) if e.kind == "course"]
    finally:
        timeline.unregister_source("learning.credits")
    assert not [e for e in _all(w.member_a, w.secretary_a) if e.kind == "course"]


def _page(user, member, **params):
    c = Client()
    c.force_login(user)
    return c.get(f"/members/{member.pk}/archive/", params)


def test_the_hidden_flag_shows_only_to_people_flags(w):
    assert not [e for e in _all(w.member_a, w.secretary_a) if e.kind == "hidden"]
    assert not [e for e in _all(w.member_a, w.industry_x) if e.kind == "hidden"]
    html = _page(w.secretary_a, w.member_a).content.decode()
    assert "口袋党员" not in html and "走访发现" not in html
    body = (
        ApiClient(w.secretary_a)
        .get(f"/api/v1/members/{w.member_a.pk}/timeline", {"limit": 200})
        .content.decode()
    )
    assert "口袋党员" not in body and "走访发现" not in body
    html = _page(w.office, w.member_a).content.decode()
    assert "发现为口袋党员" in html and "走访发现" in html


def test_page_and_api_are_scoped(w):
    r = _page(w.secretary_a, w.member_a)
    assert r.status_code == 200 and "成长档案" in r.content.decode() and "入党" in r.content.decode()
    assert LEAK_MARKER not in r.content.decode()
    assert _page(w.secretary_a, w.member_b).status_code == 404
    assert _page(w.instructor_1, w.member_a).status_code == 403
    api = ApiClient(w.secretary_a)
    r = api.get(f"/api/v1/members/{w.member_a.pk}/timeline", {"limit": 5})
    body = r.json()
    assert r.status_code == 200 and 1 <= len(body["items"]) <= 5 and body["next_on_or_before"]
    older = api.get(
        f"/api/v1/members/{w.member_a.pk}/timeline", {"limit": 5, "on_or_before": body["next_on_or_before"]}
    ).json()
    assert older["items"][0]["on"] <= body["next_on_or_before"] < body["items"][-1]["on"]
    assert_error(api.get(f"/api/v1/members/{w.member_b.pk}/timeline"), 404)
    assert_error(api.get(f"/api/v1/members/{w.member_a.pk}/timeline", {"on_or_before": "2025-13-01"}), 422)
    assert_error(api.get(f"/api/v1/members/{w.member_a.pk}/timeline", {"limit": 0}), 422)
    r = _page(w.secretary_a, w.member_a, on_or_before="去年")
    assert r.status_code == 400 and "日期格式应为" in r.content.decode()
    html = _page(w.secretary_a, w.member_a, on_or_before="2016-12-31").content.decode()
    assert "转为正式党员" in html and "2025" not in html.split('data-testid="timeline"')[1]
    c = Client()
    c.force_login(w.secretary_a)
    assert f"/members/{w.member_a.pk}/archive/" in c.get(f"/members/{w.member_a.pk}/").content.decode()


def test_the_scope_walker_finds_no_leak_on_the_archive_routes(w):
    from sanxin.api import api
    from tests.accounts.walker import Walker, api_routes, page_routes

    routes = [r for r in api_routes(api) + page_routes() if r.template.endswith(("/timeline", "/archive/"))]
    assert {r.template for r in routes} == {
        "/api/v1/members/{member_id}/timeline",
        "/members/{member_id}/archive/",
    }
    walker = Walker(w)
    leaks = walker.walk(routes)
    assert leaks == [], "\n".join(leaks)
    assert walker.checked >= 8
