"""建言献策: propose to an org on one's chain, second once each, answered / adopted / rejected with a
reason / forwarded by the responsible org, every step visible to the proposer; adoption is announced as
``community.suggestion_adopted`` once."""

from __future__ import annotations

import pytest
from django.test import Client

from sanxin.community import services
from sanxin.core.models import AuditLog, Event, Notification
from tests.helpers import ApiClient, assert_error


def _propose(cw, org=None, title="驿站增设电池充电柜"):
    r = ApiClient(cw.rider).post(
        "/api/v1/community/suggestions",
        {"org_id": (org or cw.branch_a).pk, "title": title, "body": "晚高峰很多骑手电池不够用，建议在城关驿站增设充电柜。", "category": "service"},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    return r.json()


def test_propose_second_adopt_and_the_event(cw):
    s = _propose(cw)
    assert s["status"] == "submitted" and s["steps"][0]["action"] == "submit"
    r2 = ApiClient(cw.rider2)
    assert r2.post(f"/api/v1/community/suggestions/{s['id']}/second").json()["seconds"] == 1
    assert_error(r2.post(f"/api/v1/community/suggestions/{s['id']}/second"), 409, "already_seconded")
    assert_error(
        ApiClient(cw.rider).post(f"/api/v1/community/suggestions/{s['id']}/second"), 409, "own_suggestion"
    )
    sec = ApiClient(cw.secretary_a)
    assert [x["id"] for x in sec.get("/api/v1/community/suggestions/manage/queue").json()["items"]] == [
        s["id"]
    ]
    r = sec.post(
        f"/api/v1/community/suggestions/{s['id']}/decide",
        {"action": "answer", "text": "已和驿站联系，正在选址。"},
    )
    assert r.json()["status"] == "answered"
    r = sec.post(
        f"/api/v1/community/suggestions/{s['id']}/decide",
        {"action": "adopt", "text": "采纳，下月安装两台充电柜。"},
    )
    assert r.status_code == 200 and r.json()["status"] == "adopted"
    mine = ApiClient(cw.rider).get(f"/api/v1/community/suggestions/{s['id']}").json()
    assert mine["status_label"] == "已采纳" and [st["action"] for st in mine["steps"]] == [
        "submit",
        "answer",
        "adopt",
    ]
    assert Notification.objects.filter(recipient=cw.rider, title__contains="已被采纳").exists()
    event = Event.objects.get(name="community.suggestion_adopted")
    assert event.payload["suggestion_id"] == s["id"] and event.payload["user_id"] == cw.rider.pk
    assert event.payload["member_id"] == cw.rider.person.pk and event.payload["seconds"] == 1
    # closed: no second decision, no more seconds
    assert_error(
        sec.post(
            f"/api/v1/community/suggestions/{s['id']}/decide", {"action": "reject", "text": "再议一下吧"}
        ),
        409,
    )
    assert_error(ApiClient(cw.secretary_a).post(f"/api/v1/community/suggestions/{s['id']}/second"), 409)
    assert AuditLog.objects.filter(
        action="suggestion_adopt", object_id=str(s["id"]), actor_id=cw.secretary_a.pk
    ).exists()


def test_reject_needs_a_reason_and_forwarding_moves_the_holder(cw):
    s = _propose(cw)
    sec = ApiClient(cw.secretary_a)
    assert_error(
        sec.post(f"/api/v1/community/suggestions/{s['id']}/decide", {"action": "reject", "text": ""}), 422
    )
    r = sec.post(
        f"/api/v1/community/suggestions/{s['id']}/forward",
        {"to_org_id": cw.committee_x.pk, "note": "涉及全行业，转行业党委"},
    )
    assert r.status_code == 200 and r.json()["org_id"] == cw.committee_x.pk
    # the branch no longer holds it; the committee does; the proposer follows it
    assert_error(
        sec.post(f"/api/v1/community/suggestions/{s['id']}/decide", {"action": "answer", "text": "再看看吧"}),
        404,
    )
    office = ApiClient(cw.committee_x_office)
    r = office.post(
        f"/api/v1/community/suggestions/{s['id']}/decide",
        {"action": "reject", "text": "驿站属物业用地，暂不具备安装条件。"},
    )
    assert r.json()["status"] == "rejected"
    mine = ApiClient(cw.rider).get(f"/api/v1/community/suggestions/{s['id']}").json()
    assert mine["answer"] == "驿站属物业用地，暂不具备安装条件。"
    assert [st["action"] for st in mine["steps"]] == ["submit", "forward", "reject"]
    # forwarding sideways outside one's own scope is refused
    s2 = _propose(cw, title="支部活动改到周末晚上")
    assert_error(
        sec.post(
            f"/api/v1/community/suggestions/{s2['id']}/forward",
            {"to_org_id": cw.branch_b.pk, "note": "转给货车支部"},
        ),
        404,
    )
    assert not Event.objects.filter(name="community.suggestion_adopted").exists()


def test_suggestions_are_rate_limited_and_validated(cw, settings):
    settings.COMMUNITY_SUGGESTIONS_PER_DAY = 1
    _propose(cw)
    with pytest.raises(services.RateLimited):
        services.suggestion_propose(
            actor=cw.rider,
            org=cw.branch_a,
            title="再来一条建议",
            body="这是第二条建议的内容，写够十个字。",
            category="other",
        )
    r = ApiClient(cw.rider2).post(
        "/api/v1/community/suggestions",
        {"org_id": cw.branch_a.pk, "title": "短", "body": "太短", "category": "other"},
    )
    assert_error(r, 422)
    page = Client()
    page.force_login(cw.rider2)
    r = page.post(
        "/community/suggestions/",
        {"org": cw.branch_a.pk, "title": "标题够长了", "body": "短", "category": "other"},
    )
    assert r.status_code == 400 and "标题够长了" in r.content.decode()


def test_pages_refuse_an_org_the_form_did_not_offer_and_keep_the_text(cw):
    from sanxin.community.models import Suggestion

    rider = Client()
    rider.force_login(cw.rider)
    r = rider.post(
        "/community/suggestions/",
        {"org": cw.branch_b.pk, "title": "夜间配送安全培训", "body": "希望组织一次夜间骑行安全培训。", "category": "service"},
    )  # fmt: skip
    assert r.status_code == 400
    page = r.content.decode()
    assert "请选择承办的党组织" in page and "希望组织一次夜间骑行安全培训。" in page
    assert not Suggestion.objects.filter(title="夜间配送安全培训").exists()

    s = _propose(cw)
    sec = Client()
    sec.force_login(cw.secretary_a)
    url = f"/community/suggestions/manage/{s['id']}/"
    r = sec.post(url, {"action": "forward", "to_org": cw.branch_b.pk, "text": "转给货车支部办理"})
    assert r.status_code == 400 and "请选择转交的党组织" in r.content.decode()
    assert Suggestion.objects.get(pk=s["id"]).org_id == cw.branch_a.pk
    r = sec.post(url, {"action": "forward", "to_org": cw.committee_x.pk, "text": "请行业党委统筹办理"})
    assert r.status_code == 302
    assert Suggestion.objects.get(pk=s["id"]).org_id == cw.committee_x.pk
