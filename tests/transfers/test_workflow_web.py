"""The transfer workflow through the API and the pages: each step on its own route, the structured
errors (422 / 409 / 404), the queues of each side, the tracking page (who holds it, since when, the
letter), the forms' Chinese refusals (400, nothing typed lost), the member's own page, the office's
overdue view in working days, and the home cards."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.accounts.services import grant_create
from sanxin.members import services as member_services
from sanxin.members.models import OrgRelation
from sanxin.orgs import services as org_services
from sanxin.transfers import services
from sanxin.transfers.models import State, Transfer
from tests.factories import UserFactory, user_with_grant
from tests.helpers import ApiClient, assert_error
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def secretary(org):
    return user_with_grant("branch_secretary", org)


def page(user):
    c = Client()
    c.force_login(user)
    return c


def new_member(org, name="赵转接", user=None):
    p, _ = org_services.person_create(actor=None, name=name, org=org, user=user)
    return member_services.member_register(actor=None, person=p, org=org, joined_on=D(2018, 7, 1))


def test_api_walks_a_transfer_through_the_higher_level(w):
    a, office, c_side = ApiClient(w.secretary_a), ApiClient(w.office), ApiClient(secretary(w.branch_c))
    tid = w.transfer_a.pk
    assert_error(a.post(f"/api/v1/transfers/{tid}/reject", {"reason": ""}), 422)
    assert_error(c_side.post(f"/api/v1/transfers/{tid}/accept", {}), 409, "wrong_state")
    r = a.post(f"/api/v1/transfers/{tid}/approve", {"valid_days": 60})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "escalated" and body["holder_id"] == w.city.pk
    assert body["letter"]["valid_until"] == (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    assert [s["action"] for s in body["steps"]] == ["apply", "approve", "letter", "escalate"]
    # the higher level's queue holds it; the out-org's does not any more
    listed = office.get("/api/v1/transfers/", {"waiting": "escalate"}).json()
    assert [t["id"] for t in listed["items"]] == [tid]
    assert a.get("/api/v1/transfers/", {"waiting": "approve"}).json()["count"] == 0
    assert_error(a.post(f"/api/v1/transfers/{tid}/escalation/approve", {}), 403)
    r = office.post(f"/api/v1/transfers/{tid}/escalation/approve", {})
    assert r.json()["state"] == "approved" and r.json()["holder_id"] == w.branch_c.pk
    r = c_side.post(f"/api/v1/transfers/{tid}/accept", {})
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert_error(c_side.post(f"/api/v1/transfers/{tid}/accept", {}), 409, "wrong_state")
    assert OrgRelation.objects.filter(member=w.member_a, source="transfer").count() == 1
    r = c_side.post(f"/api/v1/transfers/{tid}/report", {"on": timezone.localdate().isoformat()})
    assert r.json()["state"] == "reported"


def test_api_apply_and_scope(w):
    a = ApiClient(w.secretary_a)
    m = new_member(w.branch_a)
    r = a.post(
        "/api/v1/transfers/",
        {"member_id": m.pk, "kind": "external", "to_name": "外省某支部", "to_code": "X1", "reason": "回乡"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["from_org_id"] == w.branch_a.pk and r.json()["approver_id"] == w.city.pk
    err = assert_error(
        a.post("/api/v1/transfers/", {"member_id": m.pk, "kind": "external", "to_name": "x", "reason": "y"}),
        409,
        "already_open",
    )
    assert "正在办理" in err["message"]
    assert_error(a.post("/api/v1/transfers/", {"member_id": m.pk, "kind": "nowhere", "reason": "y"}), 422)
    # the other side's member and transfer are not there
    assert_error(
        a.post(
            "/api/v1/transfers/",
            {"member_id": w.member_b.pk, "kind": "external", "to_name": "x", "reason": "y"},
        ),
        404,
    )
    assert_error(a.get(f"/api/v1/transfers/{w.transfer_b.pk}"), 404)
    assert_error(a.post(f"/api/v1/transfers/{w.transfer_b.pk}/approve", {}), 404)
    listed = a.get("/api/v1/transfers/").json()
    assert {t["id"] for t in listed["items"]} == {w.transfer_a.pk, r.json()["id"]}
    assert LEAK_MARKER not in str(listed)
    # the receiving side sees the transfer coming to it, and the other side does not
    c_side = ApiClient(secretary(w.branch_c))
    assert [t["id"] for t in c_side.get("/api/v1/transfers/").json()["items"]] == [w.transfer_a.pk]
    assert_error(ApiClient(w.secretary_b).get(f"/api/v1/transfers/{w.transfer_a.pk}"), 404)


def test_a_member_applies_follows_and_cancels_their_own(w):
    me = UserFactory()
    m = new_member(w.branch_c, "钱本人", user=me)
    api = ApiClient(me)
    assert_error(api.get("/api/v1/transfers/"), 403)  # no office rights
    assert_error(api.post("/api/v1/transfers/mine", {"kind": "out", "reason": "搬家"}), 422)
    r = api.post("/api/v1/transfers/mine", {"kind": "out", "to_org_id": w.branch_b.pk, "reason": "搬家"})
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    mine = api.get("/api/v1/transfers/mine").json()
    assert [t["id"] for t in mine] == [tid] and mine[0]["holder_id"] == w.branch_c.pk
    assert_error(api.post(f"/api/v1/transfers/mine/{w.transfer_a.pk}/cancel", {"reason": "x"}), 404)
    assert_error(api.post(f"/api/v1/transfers/mine/{tid}/cancel", {"reason": ""}), 422)
    r = api.post(f"/api/v1/transfers/mine/{tid}/cancel", {"reason": "不走了"})
    assert r.json()["state"] == "cancelled"
    # the page: apply with an error keeps what was typed, then apply
    c = page(me)
    resp = c.post("/transfers/mine/", {"action": "apply", "kind": "out", "to_org": "", "reason": "换城市"})
    assert resp.status_code == 400
    text = resp.content.decode()
    assert "请选择接收组织" in text and "换城市" in text
    resp = c.post(
        "/transfers/mine/", {"action": "apply", "kind": "out", "to_org": w.branch_b.code, "reason": "换城市"}
    )
    assert resp.status_code == 302
    assert Transfer.objects.filter(member=m, state=State.APPLIED).count() == 1
    text = c.get("/transfers/mine/").content.decode()
    assert "现在由谁办理" in text and w.branch_c.name in text
    home = c.get("/").content.decode()
    assert "我的组织关系转接" in home


def test_pages_queue_tracking_and_form_errors(w):
    c = page(w.secretary_a)
    text = c.get("/transfers/").content.decode()
    assert 'data-testid="queue-approve"' in text and w.member_a.person.name in text
    assert LEAK_MARKER not in text
    detail = c.get(f"/transfers/{w.transfer_a.pk}/").content.decode()
    assert 'data-testid="action-approve"' in detail and "现在由谁办理" in detail
    resp = c.post(f"/transfers/{w.transfer_a.pk}/", {"action": "reject", "reason": ""})
    assert resp.status_code == 400 and "请填写原因" in resp.content.decode()
    resp = c.post(f"/transfers/{w.transfer_a.pk}/", {"action": "approve", "valid_days": "30"})
    assert resp.status_code == 302
    t = Transfer.objects.get(pk=w.transfer_a.pk)
    assert t.state == State.ESCALATED and (t.letter.valid_until - t.letter.issued_on).days == 30
    detail = c.get(f"/transfers/{w.transfer_a.pk}/").content.decode()
    assert t.letter.number in detail and w.city.name in detail
    resp = c.post(f"/transfers/{w.transfer_a.pk}/", {"action": "approve"})  # twice: refused on the form
    assert resp.status_code == 400 and "不能办理此事项" in resp.content.decode()
    assert c.get(f"/transfers/{w.transfer_b.pk}/").status_code == 404
    assert c.post(f"/transfers/{w.transfer_b.pk}/", {"action": "reject", "reason": "x"}).status_code == 404
    # the apply page: a member of the branch, a Chinese refusal with what was typed kept
    m = new_member(w.branch_a)
    resp = c.post(
        "/transfers/new/", {"member": str(m.pk), "kind": "out", "to_org": "NOPE", "reason": "到新站点"}
    )
    assert resp.status_code == 400 and "没有找到该接收组织" in resp.content.decode()
    assert "到新站点" in resp.content.decode()
    resp = c.post(
        "/transfers/new/",
        {"member": str(m.pk), "kind": "out", "to_org": w.branch_c.code, "reason": "到新站点"},
    )
    assert resp.status_code == 302
    home = c.get("/").content.decode()
    assert 'data-testid="transfers-waiting"' in home


def test_overdue_view_counts_working_days(w):
    m = new_member(w.branch_a)
    old = services.transfer_apply(
        actor=None, member=m, kind="external", to_name="外地", reason="x", on=D(2025, 9, 26)
    )  # a Friday before the National Day holiday
    office = ApiClient(w.office)
    rows = office.get("/api/v1/transfers/overdue", {"days": 5}).json()
    by_id = {r["id"]: r for r in rows}
    assert old.pk in by_id and w.transfer_a.pk in by_id
    from sanxin.core.workdays import working_days_between

    assert by_id[old.pk]["waited"] == working_days_between(D(2025, 9, 26), timezone.localdate())
    fresh = services.transfer_apply(
        actor=None, member=new_member(w.branch_a, "新人"), kind="external", to_name="外地", reason="x"
    )
    assert fresh.pk not in {r["id"] for r in office.get("/api/v1/transfers/overdue").json()}
    assert_error(office.get("/api/v1/transfers/overdue", {"days": 0}), 422)
    a_rows = ApiClient(w.secretary_a).get("/api/v1/transfers/overdue").json()
    assert w.transfer_b.pk not in {r["id"] for r in a_rows}
    text = page(w.office).get("/transfers/overdue/").content.decode()
    assert m.person.name in text and str(by_id[old.pk]["waited"]) in text


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_list_and_the_overdue_view_export_their_rows_within_scope(w):
    from sanxin.core.models import AuditLog

    rows = _sheet(page(w.secretary_a).get("/transfers/", {"export": "xlsx"}))
    header = next(r for r in rows if r and r[0] == "党员")
    body = rows[rows.index(header) + 1 :]
    assert [r[0] for r in body] == [w.member_a.person.name]  # member_b's transfer is the other side's
    assert body[0][3] == w.branch_c.name and body[0][4] == "待转出组织审批"
    assert not any(LEAK_MARKER in str(c) for r in rows for c in r if c)
    assert AuditLog.objects.filter(
        action="export", actor_id=w.secretary_a.pk, object_type="transfers.transfer"
    ).exists()
    rows = _sheet(page(w.office).get("/transfers/overdue/", {"days": 5, "export": "xlsx"}))
    header = next(r for r in rows if r and r[0] == "党员")
    assert header[-1] == "已等待（工作日）"
    names = {r[0] for r in rows[rows.index(header) + 1 :]}
    assert names == {w.member_a.person.name, w.member_b.person.name}
    member = UserFactory()
    grant_create(actor=None, user=member, role="member", org=w.branch_a)
    assert page(member).get("/transfers/", {"export": "xlsx"}).status_code == 403
