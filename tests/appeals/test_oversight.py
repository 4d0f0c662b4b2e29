"""The offices' tools: 协调会 (the decisions go on each appeal's history and to its holder), the 督办
board, the ranking of departments, the hot topics of the week, the drill-down from a metrics row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.appeals import selectors, services
from sanxin.appeals.models import Action, Appeal, Coordination, Level, Rating, Status
from sanxin.core.errors import InvalidInput, PermissionDenied
from sanxin.core.models import Notification
from sanxin.core.scope import scope_for
from tests.appeals.conftest import WAGES, submit
from tests.factories import PASSWORD


def client_for(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_a_coordination_meeting_records_its_decisions_on_the_appeals_and_tells_the_holders(aw):
    a = submit(aw)
    b = submit(
        aw,
        aw.other_rider,
        text="小区物业不让外卖电动车进门，只能走路送上楼，经常超时被罚款",
        kind="complaint",
    )
    today = timezone.localdate()
    meeting = services.coordination_record(
        actor=aw.zzb, org=aw.city, title="新就业群体权益保障协调会", held_on=today, place="市委组织部三楼会议室",
        attendees="市人社局、蜂行快送新河区域公司、骑手代表2名", summary="研究配送费克扣和小区通行问题",
        decisions={a.pk: "平台一周内核对三个月配送费并补发差额", b: "街道协调物业设置外卖专用通道"},
    )  # fmt: skip
    assert sorted(meeting.items.values_list("appeal_id", flat=True)) == sorted([a.pk, b.pk])
    step = a.steps.get(action=Action.COORDINATE)
    assert "补发差额" in step.note and "新就业群体权益保障协调会" in step.note
    assert step in list(selectors.public_steps(a))  # the worker reads the decision
    assert Notification.objects.filter(recipient=aw.platform_user, title__contains=a.number).exists()

    with pytest.raises(InvalidInput) as exc:  # a day still to come
        services.coordination_record(actor=aw.zzb, org=aw.city, title="预备会", held_on=today + dt.timedelta(days=1),
                                     decisions={a.pk: "待定"})  # fmt: skip
    assert exc.value.field == "held_on"
    with pytest.raises(InvalidInput):  # no appeal
        services.coordination_record(actor=aw.zzb, org=aw.city, title="空会", held_on=today, decisions={})
    with pytest.raises(InvalidInput):  # a decision left empty
        services.coordination_record(
            actor=aw.zzb, org=aw.city, title="会", held_on=today, decisions={a.pk: " "}
        )
    # the platform committee may call one, over what it sees only
    with pytest.raises(PermissionDenied):
        services.coordination_record(actor=aw.platform_user, org=aw.city, title="会", held_on=today,
                                     decisions={a.pk: "x"})  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        services.coordination_record(actor=aw.platform_user, org=aw.platform, title="会", held_on=today,
                                     decisions={b.pk: "越权议定"})  # fmt: skip
    assert exc.value.field == "decisions"
    assert Coordination.objects.count() == 1 and not b.steps.filter(note__contains="越权").exists()


def test_the_coordination_pages_keep_what_was_typed_and_mark_the_wrong_rows(aw):
    a = submit(aw)
    c = client_for(aw.zzb)
    page = c.get(f"/appeals/coordination/new/?appeal={a.pk}").content.decode()
    assert f'value="{a.number}"' in page
    today = timezone.localdate().isoformat()
    form = {"org": aw.city.pk, "title": "骑手权益协调会", "held_on": today, "number_1": a.number,
            "decision_1": "平台补发", "number_2": "SQ00000000", "decision_2": "无此诉求"}  # fmt: skip
    r = c.post("/appeals/coordination/new/", form)
    body = r.content.decode()
    assert r.status_code == 400 and "编号不存在或不在你的协调范围内" in body and "骑手权益协调会" in body
    assert not Coordination.objects.exists()
    form.pop("number_2"), form.pop("decision_2")
    r = c.post("/appeals/coordination/new/", form)
    meeting = Coordination.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/appeals/coordination/{meeting.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert a.number in page and "平台补发" in page
    assert meeting.title in c.get("/appeals/coordination/").content.decode()
    assert client_for(aw.other_liaison).get(f"/appeals/coordination/{meeting.pk}/").status_code == 403


def _answered(aw, text, *, holder, unit, rating, late=False, now):
    """An appeal received a week ago at the given department, answered, rated."""
    a = submit(aw, aw.worker, text=text, kind="help", region="390102001000", now=now - dt.timedelta(days=7))
    if a.level != Level.DEPARTMENT or a.department != unit:
        Appeal.objects.filter(pk=a.pk).update(
            level=Level.DEPARTMENT, department=unit, branch=None, platform=None
        )
        a.refresh_from_db()
    accepted = now - dt.timedelta(days=4 if late else 7) + dt.timedelta(hours=1)
    services.appeal_accept(actor=holder, appeal=a, now=accepted)
    services.appeal_resolve(
        actor=holder, appeal=a, reply="已办理，情况已向您说明。", now=accepted + dt.timedelta(hours=2)
    )
    if rating:
        services.appeal_rate(
            actor=aw.worker,
            appeal=a,
            rating=rating,
            comment="还是没有解决",
            now=accepted + dt.timedelta(hours=3),
        )
    return a


def test_departments_are_ranked_by_the_weighted_rates(aw, settings):
    settings.APPEALS_RANKING_WEIGHTS = {"response": 0.1, "resolution": 0.45, "satisfaction": 0.45}
    now = timezone.now()
    _answered(aw, "社保断缴了想补缴，外卖骑手能不能以灵活就业身份参保", holder=aw.hrss_user, unit=aw.hrss,
              rating=Rating.SATISFIED, now=now)  # fmt: skip
    _answered(aw, "电动车在路口被扣了，说是没有上牌，怎么办理上牌手续", holder=aw.transport_user, unit=aw.transport,
              rating=Rating.UNSATISFIED, late=True, now=now)  # fmt: skip
    start = now - dt.timedelta(days=30)
    ranked = selectors.department_ranking(scope_for(aw.zzb, "appeals", "view"), start=start, end=now)
    assert [r.department for r in ranked[:2]] == [aw.hrss, aw.transport]
    assert ranked[0].place == 1 and ranked[0].score == 100.0
    # hrss: 100 / 100 / 100; transport: responded late (0), resolved (100), not satisfied (0), but the
    # rating reopened it: resolution 0 as well
    t = ranked[1].figures
    expected = round(0.1 * t.response_rate + 0.45 * t.resolution_rate + 0.45 * t.satisfaction_rate, 1)
    assert ranked[1].score == expected < 100.0
    month = timezone.localtime(now - dt.timedelta(days=7)).strftime("%Y-%m")  # when they came
    page = client_for(aw.zzb).get("/appeals/metrics/", {"month": month}).content.decode()
    assert "主管部门排名" in page and aw.hrss.name in page


def test_hot_topics_count_the_words_of_this_week_against_the_last(aw):
    now = timezone.now()
    for i in range(3):
        submit(aw, aw.worker, text=f"小区门禁不让电动车进，送餐只能步行上楼，第{i + 1}次被投诉超时", kind="complaint",
               region="390102001000", now=now - dt.timedelta(days=1, hours=i))  # fmt: skip
    submit(aw, aw.worker, text="电动车充电桩太少，晚上排队充电要等一个小时", kind="suggestion", region="390102001000",
           now=now - dt.timedelta(days=9))  # fmt: skip
    hot = selectors.hot_topics(scope_for(aw.zzb, "appeals", "view"), now=now)
    terms = {t.label: (t.this, t.last) for t in hot.terms}
    assert terms["电动车"] == (3, 1)
    assert "希望" not in terms and all(len(w) >= 2 for w in terms)
    assert sum(c.this for c in hot.categories) == 3 and sum(c.last for c in hot.categories) == 1
    # outside the scope nothing is counted
    assert selectors.hot_topics(scope_for(aw.other_liaison, "appeals", "view"), now=now).terms == []


def test_the_board_shows_what_is_late_and_the_drill_down_matches_the_metrics_row(aw):
    now = timezone.now()
    late = submit(aw, now=now - dt.timedelta(days=3))  # at the platform, never responded to
    submit(aw, text="孩子明年上小学需要准备什么材料", kind="consult")  # on time
    b = selectors.board(scope_for(aw.zzb, "appeals", "supervise"), now=now)
    assert b.open == 2 and b.overdue == 1 and [a.pk for a in b.overdue_rows] == [late.pk]
    assert b.overdue_rows[0].due_label == "响应"
    platform_row = next(h for h in b.holders if h["unit"] == aw.platform.name)
    assert platform_row["overdue"] == 1
    c = client_for(aw.zzb)
    page = c.get("/appeals/board/").content.decode()
    assert late.number in page and "督办看板" in page
    assert client_for(aw.liaison).get("/appeals/board/").status_code == 403

    scope = scope_for(aw.zzb, "appeals", "view")
    start, end = now - dt.timedelta(days=30), now + dt.timedelta(seconds=1)
    rows = selectors.metrics(scope, start=start, end=end, by="category")
    for row in rows:
        cell = selectors.drill(scope, start=start, end=end, by="category", key=row.key)
        assert cell.count() == row.received
        assert set(cell.values_list("category_id", flat=True)) == {row.key}
    month = timezone.localtime(now).strftime("%Y-%m")
    page = c.get(
        "/appeals/metrics/drill/", {"month": month, "by": "category", "key": "wages"}
    ).content.decode()
    assert late.number in page and WAGES[:10] in page
    assert c.get("/appeals/metrics/drill/", {"by": "month"}).status_code == 404
    other = client_for(aw.other_liaison).get("/appeals/metrics/drill/", {"month": month, "by": "category",
                                                                       "key": "wages"})  # fmt: skip
    assert late.number not in other.content.decode()
    assert Appeal.objects.filter(status=Status.RECEIVED).count() == 2


def test_the_boards_api_lists_the_pending_extensions(db):
    """The board in JSON, with extensions waiting (the world has one on each side): it once failed to
    validate them and answered 500."""
    from tests.helpers import ApiClient
    from tests.world import build_world

    world = build_world()
    r = ApiClient(world.office).get("/api/v1/appeals/board")
    assert r.status_code == 200, r.content
    body = r.json()
    assert world.extension_a.pk in {e["id"] for e in body["extensions"]}
    assert body["open"] >= 1 and body["holders"]
