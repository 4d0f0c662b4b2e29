"""党务公开, 协商议事, 示范岗/责任区: an org publishes to its members (read receipts, the core 公示 for
the objection kinds, withdrawal with a reason), runs consultations (parties, meetings, opinions, outcome,
follow-ups with the overdue ones counted) and designates posts and areas whose holders' history survives
a change; branch B's member reads none of branch A's by page or API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.community.affairs import selectors, services
from sanxin.community.affairs.models import AffairsNotice, Consultation, Designation, FollowUp, Holding
from sanxin.core import notices
from sanxin.core.models import AuditLog, Event, Notification, Objection, PublicNotice
from tests.helpers import ApiClient, assert_error, assert_max_queries

API = "/api/v1/community/affairs"
TODAY = timezone.localdate


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _publish(cw, **extra) -> dict:
    body = {
        "org_id": cw.branch_a.pk,
        "kind": "notice",
        "title": "关于调整主题党日时间的通知",
        "body": "本月主题党日改在第三个周六上午九点，地点城关暖蜂驿站，请大家错峰参加。",
    } | extra
    r = ApiClient(cw.secretary_a).post(f"{API}/manage/notices", body)
    assert r.status_code == 201, r.content
    return r.json()


# --- 党务公开 -------------------------------------------------------------------------------------------


def test_publish_read_receipts_and_the_members_board(cw):
    n = _publish(cw, pinned=True)
    assert Notification.objects.filter(recipient=cw.rider, title__contains="党务公开").exists()
    rider = ApiClient(cw.rider)
    board = rider.get(f"{API}/notices").json()["items"]
    assert [x["id"] for x in board] == [n["id"]] and board[0]["read"] is False and board[0]["pinned"]
    detail = rider.get(f"{API}/notices/{n['id']}").json()
    assert detail["read"] is True and detail["body"].startswith("本月主题党日")
    rider.get(f"{API}/notices/{n['id']}")  # a second read records nothing more
    assert rider.get(f"{API}/notices").json()["items"][0]["read"] is True
    m = ApiClient(cw.secretary_a).get(f"{API}/manage/notices/{n['id']}").json()
    # the audience: the secretary, the rider and rider2 (branch A's people with accounts)
    assert m["read_count"] == 1 and m["audience"] == 3
    assert [x["name"] for x in m["receipts"]] == ["李晨阳"]
    assert {x["name"] for x in m["unread"]} == {"郭书记", "王小骑"}
    # the office above reads it too
    assert ApiClient(cw.committee_x_office).get(f"{API}/notices/{n['id']}").status_code == 200
    # the phone page marks what is unread
    page = _page(cw.rider2).get("/community/affairs/")
    assert page.status_code == 200 and 'data-testid="unread-mark"' in page.content.decode()


def test_branch_b_reads_none_of_branch_a_by_page_or_api(cw):
    n = _publish(cw)
    c = ApiClient(cw.secretary_a).post(
        f"{API}/manage/consultations",
        {"org_id": cw.branch_a.pk, "topic": "派单算法与高温天休息", "background": "夏季高温，骑手希望平台调整派单与休息。"},
    ).json()  # fmt: skip
    driver = ApiClient(cw.driver)
    assert driver.get(f"{API}/notices").json()["items"] == []
    assert driver.get(f"{API}/consultations").json()["items"] == []
    assert_error(driver.get(f"{API}/notices/{n['id']}"), 404)
    assert_error(driver.get(f"{API}/consultations/{c['id']}"), 404)
    assert_error(driver.post(f"{API}/consultations/{c['id']}/opinions", {"text": "我也想提个意见看看"}), 404)
    assert_error(driver.post(f"{API}/notices/{n['id']}/objections", {"reason": "我有异议我有异议"}), 404)
    page = _page(cw.driver)
    assert page.get(f"/community/affairs/notices/{n['id']}/").status_code == 404
    assert page.get(f"/community/affairs/consultations/{c['id']}/").status_code == 404
    assert "调整主题党日" not in page.get("/community/affairs/").content.decode()
    assert "派单算法" not in page.get("/community/affairs/consultations/").content.decode()
    # branch B's secretary manages nothing of branch A
    sec_b = ApiClient(cw.secretary_b)
    assert_error(sec_b.get(f"{API}/manage/notices/{n['id']}"), 404)
    assert_error(sec_b.post(f"{API}/manage/notices/{n['id']}/withdraw", {"reason": "不该由我撤回"}), 404)
    assert sec_b.get(f"{API}/manage/notices").json()["items"] == []
    assert _page(cw.secretary_b).get(f"/community/affairs/manage/notices/{n['id']}/").status_code == 404
    # a member is no manager
    assert _page(cw.rider).get("/community/affairs/manage/").status_code == 403


def test_objection_goes_through_the_core_public_notice(cw):
    start = TODAY()
    n = _publish(
        cw, kind="development", title="发展对象公示：王小骑同志", window_days=5,
        body="经支部委员会研究，拟将王小骑同志列为发展对象，现予公示。",
    )  # fmt: skip
    notice = AffairsNotice.objects.get(pk=n["id"])
    pn = notice.public_notice
    assert pn is not None and pn.status == PublicNotice.Status.OPEN and pn.subject == notice
    assert n["objection_open"] is True and n["notice_ends_on"] == pn.ends_on.isoformat()
    rider = ApiClient(cw.rider)
    assert_error(rider.post(f"{API}/notices/{n['id']}/objections", {"reason": "短"}), 422)
    r = rider.post(f"{API}/notices/{n['id']}/objections", {"reason": "该同志近三个月未参加组织生活。"})
    assert r.status_code == 201, r.content
    objection = Objection.objects.get(notice=pn)
    assert objection.author == cw.rider and objection.status == Objection.Status.PENDING
    assert Notification.objects.filter(recipient=cw.secretary_a, title__contains="收到异议").exists()
    # the office above reads the notice but is not in its audience: it may not object
    assert_error(
        ApiClient(cw.committee_x_office).post(
            f"{API}/notices/{n['id']}/objections", {"reason": "上级也想提异议"}
        ),
        409,
        "not_in_audience",
    )
    sec = ApiClient(cw.secretary_a)
    assert_error(
        sec.post(f"{API}/manage/notices/{n['id']}/objections/resolve",
                 {"objection_id": objection.pk, "upheld": False, "resolution": ""}),
        422,
    )  # fmt: skip
    r = sec.post(
        f"{API}/manage/notices/{n['id']}/objections/resolve",
        {
            "objection_id": objection.pk,
            "upheld": False,
            "resolution": "经核实，该同志请假外出跑长途，已补学。",
        },
    )
    assert r.json()["status"] == "dismissed"
    assert_error(
        sec.post(f"{API}/manage/notices/{n['id']}/objections/resolve",
                 {"objection_id": objection.pk, "upheld": True, "resolution": "再次核实一下"}),
        409,
        "already_resolved",
    )  # fmt: skip
    closed = notices.notice_close(actor=None, notice=pn, on=pn.ends_on + dt.timedelta(days=1))
    assert closed.status == PublicNotice.Status.PASSED
    # after the period no objection is taken
    assert_error(rider.post(f"{API}/notices/{n['id']}/objections", {"reason": "期满后的异议也想提"}), 409)
    assert start <= pn.ends_on


def test_objection_page_shows_the_chinese_error_and_keeps_the_text(cw):
    n = _publish(
        cw,
        kind="selection",
        title="优秀党员评选结果公示",
        body="经支部大会推荐，李晨阳同志获评优秀党员，现予公示。",
    )
    page = _page(cw.rider2)
    r = page.post(f"/community/affairs/notices/{n['id']}/", {"reason": "不"})
    assert r.status_code == 400 and "请写明异议理由" in r.content.decode()
    r = page.post(f"/community/affairs/notices/{n['id']}/", {"reason": "评选过程没有征求骑手意见。"})
    assert r.status_code == 302 and Objection.objects.count() == 1


def test_withdraw_with_a_reason_keeps_the_notice_marked(cw):
    n = _publish(
        cw,
        kind="development",
        title="发展对象公示：张三同志",
        body="拟将张三同志列为发展对象，现予公示五个工作日。",
    )
    sec = ApiClient(cw.secretary_a)
    err = assert_error(sec.post(f"{API}/manage/notices/{n['id']}/withdraw", {"reason": ""}), 422)
    assert "撤回原因" in err["message"]
    r = sec.post(f"{API}/manage/notices/{n['id']}/withdraw", {"reason": "名单有误，更正后重新公示"})
    assert r.json()["withdrawn"] is True and r.json()["notice_status"] == "withdrawn"
    assert_error(
        sec.post(f"{API}/manage/notices/{n['id']}/withdraw", {"reason": "再撤回一次试试"}), 409, "withdrawn"
    )
    mine = ApiClient(cw.rider).get(f"{API}/notices/{n['id']}").json()
    assert mine["withdrawn"] and mine["withdrawn_reason"] == "名单有误，更正后重新公示"
    assert mine["objection_open"] is False
    assert AuditLog.objects.filter(action="affairs_notice_withdraw").count() == 1
    page = _page(cw.rider).get(f"/community/affairs/notices/{n['id']}/").content.decode()
    assert 'data-testid="withdrawn"' in page and "objection-form" not in page


def test_publish_errors_api_and_page(cw):
    sec = ApiClient(cw.secretary_a)
    base = {
        "org_id": cw.branch_a.pk,
        "kind": "notice",
        "title": "通知",
        "body": "正文内容足够长了吗是的足够长",
    }
    err = assert_error(sec.post(f"{API}/manage/notices", base), 422)
    assert err["message"].startswith("请填写标题") and err["details"][0]["loc"] == ["title"]
    assert_error(
        sec.post(f"{API}/manage/notices", base | {"title": "党费收缴情况公开", "expires_on": "2000-01-01"}),
        422,
    )
    assert_error(
        sec.post(f"{API}/manage/notices", base | {"title": "党费收缴情况公开", "org_id": cw.branch_b.pk}), 404
    )
    r = _page(cw.secretary_a).post(
        "/community/affairs/manage/",
        {"org": cw.branch_a.pk, "kind": "dues", "title": "党费", "body": "第三季度党费收缴情况如下。"},
    )
    html = r.content.decode()
    assert r.status_code == 400 and "请填写标题" in html and "第三季度党费收缴情况如下。" in html
    r = _page(cw.secretary_a).post(
        "/community/affairs/manage/",
        {
            "org": cw.branch_b.pk,
            "kind": "dues",
            "title": "党费收缴公开",
            "body": "第三季度党费收缴情况如下。",
        },
    )
    assert r.status_code == 400 and "管辖范围" in r.content.decode()
    assert AffairsNotice.objects.count() == 0


def test_lists_do_not_grow_queries_with_rows(cw):
    for i in range(6):
        services.notice_publish(
            actor=cw.secretary_a, org=cw.branch_a, kind="development" if i % 2 else "notice",
            title=f"第{i}号通知公告", body="这是一条足够长的党务公开正文。",
        )  # fmt: skip
    rider, sec = ApiClient(cw.rider), ApiClient(cw.secretary_a)
    rider.get(f"{API}/notices")
    with assert_max_queries(14):
        assert len(rider.get(f"{API}/notices").json()["items"]) == 6
    with assert_max_queries(16):
        assert len(sec.get(f"{API}/manage/notices").json()["items"]) == 6
    page = _page(cw.rider)
    page.get("/community/affairs/")
    with assert_max_queries(30):
        assert page.get("/community/affairs/").status_code == 200


# --- 协商议事 -------------------------------------------------------------------------------------------


def _consultation(cw) -> dict:
    r = ApiClient(cw.secretary_a).post(
        f"{API}/manage/consultations",
        {
            "org_id": cw.branch_a.pk,
            "topic": "派单算法与高温天休息",
            "background": "入夏以来午间气温超过三十七度，骑手反映派单过密、无处休息。",
            "parties": [
                {"side": "enterprise", "name": "蜂行快送城关站"},
                {"side": "workers", "name": "李晨阳", "user_id": cw.rider.pk},
                {"side": "union", "name": "区快递行业工会"},
                {"side": "party", "name": "骑手流动党员党支部"},
            ],
        },
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_consultation_from_proposal_to_closing(cw):
    c = _consultation(cw)
    assert c["status"] == "proposed" and len(c["parties"]) == 4
    assert Notification.objects.filter(recipient=cw.rider, title__contains="协商议事").exists()
    sec, rider2 = ApiClient(cw.secretary_a), ApiClient(cw.rider2)
    # workers give their opinion before the consultation
    r = rider2.post(f"{API}/consultations/{c['id']}/opinions", {"text": "中午十二点到两点希望少派远单。"})
    assert r.status_code == 201
    assert_error(rider2.post(f"{API}/consultations/{c['id']}/opinions", {"text": "短"}), 422)
    # an online meeting needs its link, an offline one its place
    held = (timezone.now() - dt.timedelta(days=2)).isoformat()
    err = assert_error(
        sec.post(f"{API}/manage/consultations/{c['id']}/meetings", {"held_at": held, "mode": "online"}), 422
    )
    assert "会议链接" in err["message"]
    assert_error(
        sec.post(f"{API}/manage/consultations/{c['id']}/meetings", {"held_at": held, "mode": "offline"}), 422
    )
    parties = [p["id"] for p in c["parties"]]
    r = sec.post(
        f"{API}/manage/consultations/{c['id']}/meetings",
        {"held_at": held, "mode": "online", "link": "https://meeting.example.cn/j/1234",
         "minutes": "企业方同意研究午间高温时段派单调整；工会提出设置休息点。", "attended": parties},
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "consulting"
    assert r.json()["meetings"][0]["attended"] == [
        "蜂行快送城关站",
        "李晨阳",
        "区快递行业工会",
        "骑手流动党员党支部",
    ]
    # an outcome needs its text; follow-ups only after it; closing refused while one is open
    err = assert_error(sec.post(f"{API}/manage/consultations/{c['id']}/advance", {"to": "agreed"}), 422)
    assert "协议内容" in err["message"]
    assert_error(
        sec.post(f"{API}/manage/consultations/{c['id']}/followups",
                 {"what": "增设休息点", "who": "蜂行快送城关站", "due_on": "2030-01-01"}),
        409, "not_decided",
    )  # fmt: skip
    assert_error(
        sec.post(f"{API}/manage/consultations/{c['id']}/advance", {"to": "closed"}), 409, "bad_transition"
    )
    r = sec.post(
        f"{API}/manage/consultations/{c['id']}/advance",
        {"to": "agreed", "outcome": "高温橙色预警时段，平台对城关片区暂停超远单并延长配送时限十分钟。"},
    )
    assert r.json()["status"] == "agreed"
    assert Event.objects.get(name="community.consultation_decided").payload["agreed"] is True
    assert_error(
        rider2.post(f"{API}/consultations/{c['id']}/opinions", {"text": "结束后再提意见可以吗"}),
        409,
        "decided",
    )
    past = (TODAY() - dt.timedelta(days=3)).isoformat()
    future = (TODAY() + dt.timedelta(days=20)).isoformat()
    sec.post(
        f"{API}/manage/consultations/{c['id']}/followups",
        {"what": "城关驿站增设午休点", "who": "蜂行快送城关站", "due_on": past},
    )
    r = sec.post(
        f"{API}/manage/consultations/{c['id']}/followups",
        {"what": "派单规则公示", "who": "蜂行快送城关站", "due_on": future},
    )
    detail = r.json()
    assert detail["overdue"] == 1 and [f["overdue"] for f in detail["followups"]] == [True, False]
    listed = sec.get(f"{API}/manage/consultations", {"overdue": True}).json()["items"]
    assert [x["id"] for x in listed] == [c["id"]] and listed[0]["followups_overdue"] == 1
    assert (
        sec.post(f"{API}/manage/consultations/{c['id']}/advance", {"to": "following"}).json()["status"]
        == "following"
    )
    assert_error(
        sec.post(f"{API}/manage/consultations/{c['id']}/advance", {"to": "closed"}), 409, "open_followups"
    )
    first = detail["followups"][0]["id"]
    err = assert_error(
        sec.post(f"{API}/manage/consultations/{c['id']}/followups/done", {"followup_id": first, "note": ""}),
        422,
    )
    assert "完成情况" in err["message"]
    for f in detail["followups"]:
        sec.post(
            f"{API}/manage/consultations/{c['id']}/followups/done",
            {"followup_id": f["id"], "note": "已落实，骑手反馈良好。"},
        )
    r = sec.post(f"{API}/manage/consultations/{c['id']}/advance", {"to": "closed"})
    assert r.json()["status"] == "closed" and r.json()["overdue"] == 0
    # the worker sees the outcome and the progress, and only their own opinions
    seen = ApiClient(cw.rider2).get(f"{API}/consultations/{c['id']}").json()
    assert seen["outcome"].startswith("高温橙色预警") and len(seen["opinions"]) == 1
    assert [
        o["author"] for o in ApiClient(cw.rider).get(f"{API}/consultations/{c['id']}").json()["opinions"]
    ] == []
    actions = set(AuditLog.objects.filter(action__startswith="affairs_").values_list("action", flat=True))
    assert {"affairs_consultation_create", "affairs_meeting_add", "affairs_opinion_submit",
            "affairs_consultation_advance", "affairs_followup_add", "affairs_followup_done"} <= actions  # fmt: skip


def test_followup_overdue_is_computed_from_the_due_date():
    f = FollowUp(what="x", who="y", due_on=dt.date(2026, 6, 1))
    assert f.is_overdue(dt.date(2026, 6, 2)) and not f.is_overdue(dt.date(2026, 6, 1))
    f.done_on = dt.date(2026, 6, 5)
    assert not f.is_overdue(dt.date(2026, 7, 1))


def test_consultation_page_errors(cw):
    c = _consultation(cw)
    r = _page(cw.rider2).post(f"/community/affairs/consultations/{c['id']}/", {"text": "短"})
    assert r.status_code == 400 and "请填写意见" in r.content.decode()
    sec = _page(cw.secretary_a)
    r = sec.post(
        f"/community/affairs/manage/consultations/{c['id']}/",
        {"action": "meeting", "mode": "offline", "held_at": "2026-06-01T10:00"},
    )
    assert r.status_code == 400 and "请填写地点" in r.content.decode()
    r = sec.post(
        f"/community/affairs/manage/consultations/{c['id']}/",
        {"action": "advance", "to": "agreed", "outcome": ""},
    )
    assert r.status_code == 400 and "协议内容" in r.content.decode()
    r = sec.post(
        "/community/affairs/manage/consultations/",
        {"org": cw.branch_a.pk, "topic": "议", "background": "背景情况写得足够长了"},
    )
    assert r.status_code == 400 and "请填写议题" in r.content.decode()
    r = sec.post(
        f"/community/affairs/manage/consultations/{c['id']}/",
        {"action": "party", "side": "union", "name": "区快递行业工会"},
    )
    assert r.status_code == 400 and "已在名单中" in r.content.decode()
    assert Consultation.objects.count() == 1


# --- 示范岗 and 责任区 ------------------------------------------------------------------------------------


def _designation(cw, **extra) -> dict:
    body = {
        "org_id": cw.branch_a.pk, "kind": "post", "name": "城关驿站党员示范岗", "place": "城关暖蜂驿站",
        "stands_for": "亮身份、作表率，帮助新骑手熟悉路线", "person_id": cw.rider.person.pk,
        "start_on": (TODAY() - dt.timedelta(days=60)).isoformat(),
    } | extra  # fmt: skip
    r = ApiClient(cw.secretary_a).post(f"{API}/manage/designations", body)
    assert r.status_code == 201, r.content
    return r.json()


def test_designation_history_survives_a_change_of_holder(cw):
    d = _designation(cw)
    rider = ApiClient(cw.rider)
    assert [x["id"] for x in rider.get(f"{API}/designations/mine").json()] == [d["id"]]
    r = rider.post(f"{API}/designations/mine/{d['id']}/deeds",
                   {"done_on": (TODAY() - dt.timedelta(days=10)).isoformat(), "text": "带两位新骑手熟悉城关片区路线。"})  # fmt: skip
    assert r.status_code == 201
    err = assert_error(
        rider.post(
            f"{API}/designations/mine/{d['id']}/deeds", {"done_on": "2099-01-01", "text": "未来的事情"}
        ),
        422,
    )
    assert "晚于今天" in err["message"]
    assert_error(
        rider.post(
            f"{API}/designations/mine/{d['id']}/deeds", {"done_on": TODAY().isoformat(), "text": "短"}
        ),
        422,
    )
    sec = ApiClient(cw.secretary_a)
    err = assert_error(
        sec.post(f"{API}/manage/designations/{d['id']}/assign", {"person_id": cw.driver.person.pk}), 422
    )
    assert "本组织" in err["message"]
    r = sec.post(f"{API}/manage/designations/{d['id']}/assign", {"person_id": cw.rider2.person.pk})
    assert r.status_code == 200, r.content
    history = r.json()["history"]
    assert [(h["person"], h["end_on"]) for h in history] == [
        ("李晨阳", TODAY().isoformat()),
        ("王小骑", None),
    ]
    assert r.json()["holder"]["person"] == "王小骑"
    assert_error(
        sec.post(f"{API}/manage/designations/{d['id']}/assign", {"person_id": cw.rider2.person.pk}),
        409,
        "same_holder",
    )
    # the former holder no longer records there; the deed they did stays theirs
    assert rider.get(f"{API}/designations/mine").json() == []
    assert_error(
        rider.post(
            f"{API}/designations/mine/{d['id']}/deeds",
            {"done_on": TODAY().isoformat(), "text": "还想再记一条"},
        ),
        404,
    )
    r = ApiClient(cw.rider2).post(
        f"{API}/designations/mine/{d['id']}/deeds",
        {"done_on": TODAY().isoformat(), "text": "雨天在驿站值守，借出雨衣十件。"},
    )
    assert r.status_code == 201
    deeds = sec.get(f"{API}/manage/designations/{d['id']}").json()["deed_list"]
    assert sorted(x["person"] for x in deeds) == ["李晨阳", "王小骑"]
    assert Holding.objects.filter(designation_id=d["id"]).count() == 2
    assert Event.objects.filter(name="community.designation_deed").count() == 2
    # branch B sees none of it
    assert_error(ApiClient(cw.secretary_b).get(f"{API}/manage/designations/{d['id']}"), 404)
    assert_error(
        ApiClient(cw.driver).post(
            f"{API}/designations/mine/{d['id']}/deeds",
            {"done_on": TODAY().isoformat(), "text": "越界记录一条"},
        ),
        404,
    )


def test_designation_errors_api_and_page(cw):
    d = _designation(cw)
    sec = ApiClient(cw.secretary_a)
    err = assert_error(sec.post(f"{API}/manage/designations", {
        "org_id": cw.branch_a.pk, "kind": "post", "name": "城关驿站党员示范岗", "place": "城关暖蜂驿站",
        "person_id": cw.rider2.person.pk}), 409, "duplicate")  # fmt: skip
    assert "已有名为" in err["message"]
    page = _page(cw.secretary_a)
    r = page.post(
        "/community/affairs/manage/designations/",
        {
            "org": cw.branch_a.pk,
            "kind": "area",
            "name": "城关街道责任区",
            "place": "城关街道解放路",
            "person": cw.driver.person.pk,
        },
    )
    assert r.status_code == 400 and "只能由本组织" in r.content.decode() and "解放路" in r.content.decode()
    r = page.post(
        f"/community/affairs/manage/designations/{d['id']}/",
        {"action": "deed", "done_on": "", "text": "巡查一遍"},
    )
    assert r.status_code == 400 and "请填写日期" in r.content.decode()
    mine = _page(cw.rider)
    r = mine.post(f"/community/affairs/mine/{d['id']}/", {"done_on": TODAY().isoformat(), "text": ""})
    assert r.status_code == 400 and "请填写履职内容" in r.content.decode()
    r = mine.post(
        f"/community/affairs/mine/{d['id']}/",
        {"done_on": TODAY().isoformat(), "text": "午间在驿站为骑手义务修车。"},
    )
    assert r.status_code == 302
    assert Designation.objects.count() == 1


def test_exports_are_audited_and_for_offices(cw):
    c = _consultation(cw)
    sec = ApiClient(cw.secretary_a)
    sec.post(
        f"{API}/manage/consultations/{c['id']}/advance",
        {"to": "agreed", "outcome": "平台同意高温时段延长配送时限十分钟。"},
    )
    sec.post(
        f"{API}/manage/consultations/{c['id']}/followups",
        {"what": "增设午休点", "who": "城关站", "due_on": "2020-01-01"},
    )
    _designation(cw)
    office = _page(cw.committee_x_office)
    for url in (
        "/community/affairs/manage/consultations/export/",
        "/community/affairs/manage/designations/export/",
    ):
        r = office.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
        b"".join(r.streaming_content)
    assert AuditLog.objects.filter(action="affairs_export").count() == 2
    # the branch secretary runs affairs but does not export (the offices do)
    assert _page(cw.secretary_a).get("/community/affairs/manage/designations/export/").status_code == 403


def test_selectors_scope_the_designations_of_my_person(cw):
    _designation(cw)
    assert list(selectors.designations_mine(cw.rider2)) == []
    assert selectors.designations_mine(cw.rider).count() == 1


@pytest.mark.parametrize("path", ["", "consultations/", "mine/"])
def test_phone_pages_answer(cw, path):
    _publish(cw)
    assert _page(cw.rider).get(f"/community/affairs/{path}").status_code == 200
