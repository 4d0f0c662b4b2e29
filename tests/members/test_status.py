"""党籍状态: 停止党籍 and 恢复党籍, and the endings of a membership (去世, 退党, 除名, 开除党籍) — who may
record which, what each does to the relations, the credential, transfers and the ledger, and the errors
in Chinese on the page and in the API."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.core.models import AuditLog
from sanxin.core.scope import scope_for
from sanxin.members import selectors, services
from sanxin.members.models import EndKind, Member, MemberStatus, OrgRelation, Standing
from sanxin.transfers import services as transfer_services
from sanxin.transfers.credentials import services as credential_services
from sanxin.transfers.credentials.models import Revocation
from sanxin.transfers.ledger.models import LedgerOpening
from tests.factories import PASSWORD
from tests.helpers import ApiClient, assert_error
from tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)  # the credential and the ledger act after commit
API = "/api/v1/members"


@pytest.fixture
def w():
    world = build_world()
    # member_a is a full member with no transfer under way (the world opens one for it)
    transfer_services.transfer_cancel(actor=None, transfer=world.transfer_a, reason="另行安排")
    Member.objects.filter(pk=world.member_a.pk).update(
        standing=Standing.FULL, converted_on=dt.date(2016, 7, 1)
    )
    world.member_a.refresh_from_db()
    return world


def _today():
    return timezone.localdate()


def test_suspension_revokes_the_credential_blocks_transfers_and_is_restored(w):
    cred = credential_services.credential_issue(actor=None, member=w.member_a)
    m = services.member_suspend(
        actor=w.industry_x,
        member=w.member_a,
        on=_today(),
        reason="失去联系超过六个月",
        document="快党〔2026〕9号",
    )
    assert (m.status, m.status_on, m.status_document) == (MemberStatus.SUSPENDED, _today(), "快党〔2026〕9号")
    # the member stays on the branch's register, with their relation
    assert OrgRelation.objects.filter(member=m, kind="formal", end_on__isnull=True, org=w.branch_a).exists()
    assert m in selectors.member_list(scope_for(w.secretary_a, "people", "view"))
    cred.refresh_from_db()
    assert cred.revocation == Revocation.SUSPENDED
    with pytest.raises(RuleViolation, match="停止党籍") as exc:
        credential_services.credential_issue(actor=None, member=m)
    assert exc.value.code == "suspended"
    with pytest.raises(RuleViolation, match="恢复党籍后方可转接") as exc:
        transfer_services.transfer_apply(
            actor=w.secretary_a, member=m, kind="out", to_org=w.branch_c, reason="换站点", on=_today()
        )
    with pytest.raises(RuleViolation, match="只有党籍正常"):
        services.member_suspend(actor=w.industry_x, member=m, on=_today(), reason="再次")
    assert LedgerOpening.objects.filter(member=m, leaf__kind="members.suspended").count() == 1

    m = services.member_restore(actor=w.industry_x, member=m, on=_today(), reason="已取得联系，表现良好")
    assert m.status == MemberStatus.ACTIVE and m.status_reason == "已取得联系，表现良好"
    assert credential_services.credential_issue(actor=None, member=m).revoked_at is None
    assert LedgerOpening.objects.filter(member=m, leaf__kind="members.restored").count() == 1
    actions = set(
        AuditLog.objects.filter(object_id=str(m.pk), object_type="members.member").values_list(
            "action", flat=True
        )
    )
    assert {"suspend", "restore"} <= actions


def test_the_branch_records_a_death_but_only_the_committee_suspends_or_expels(w):
    with pytest.raises(PermissionDenied, match="上级党委"):
        services.member_suspend(actor=w.secretary_a, member=w.member_a, on=_today(), reason="失联")
    with pytest.raises(PermissionDenied):
        services.member_exit(
            actor=w.secretary_a, member=w.member_a, on=_today(), how="expelled", reason="违纪"
        )
    w.member_a.refresh_from_db()
    assert w.member_a.status == MemberStatus.ACTIVE
    m = services.member_exit(
        actor=w.secretary_a, member=w.member_a, on=_today(), how="deceased", reason="因病去世"
    )
    assert (m.status, m.end_kind) == (MemberStatus.ENDED, EndKind.DECEASED)
    assert not OrgRelation.objects.filter(member=m, end_on__isnull=True).exists()
    assert not m.mobilities.filter(end_on__isnull=True).exists()  # the world's 外出 ended too
    # the ended member leaves the list of current members and stays findable
    scope = scope_for(w.secretary_a, "people", "view")
    assert m not in selectors.member_list(scope)
    assert m in selectors.member_list(scope, status="all")
    assert m in selectors.member_list(scope, status="ended")
    with pytest.raises(RuleViolation):
        services.member_restore(actor=w.industry_x, member=m, on=_today(), reason="误登记")
    opening = LedgerOpening.objects.get(member=m, leaf__kind="members.membership_ended")
    assert json.loads(opening.event)["how"] == "deceased"


def test_an_office_cannot_record_the_workflows_own_endings(w):
    for how in (EndKind.PROBATION_CANCELLED, EndKind.TRANSFERRED_OUT):
        with pytest.raises(InvalidInput, match="去世、退党、除名或开除党籍"):
            services.member_exit(actor=w.industry_x, member=w.member_a, on=_today(), how=how, reason="x")
    w.member_a.refresh_from_db()
    assert w.member_a.status == MemberStatus.ACTIVE


@pytest.mark.parametrize(
    "payload, status, field",
    [
        ({"on": "2000-01-01", "reason": "失联"}, 409, None),  # before joining
        ({"on": "2999-01-01", "reason": "失联"}, 422, "on"),  # in the future
        ({"on": "2026-01-01", "reason": ""}, 422, None),  # no reason
    ],
)
def test_api_refuses_bad_input_in_chinese_and_changes_nothing(w, payload, status, field):
    office = ApiClient(w.industry_x)
    before = AuditLog.objects.count()
    err = assert_error(office.post(f"{API}/{w.member_a.pk}/suspend", payload), status)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), err
    w.member_a.refresh_from_db()
    assert w.member_a.status == MemberStatus.ACTIVE and AuditLog.objects.count() == before


def test_api_routes_and_who_may_call_them(w):
    office, secretary = ApiClient(w.industry_x), ApiClient(w.secretary_a)
    assert_error(
        secretary.post(f"{API}/{w.member_a.pk}/suspend", {"on": str(_today()), "reason": "失联"}), 403
    )
    assert_error(office.post(f"{API}/{w.member_b.pk}/suspend", {"on": str(_today()), "reason": "失联"}), 404)
    r = office.post(
        f"{API}/{w.member_a.pk}/suspend", {"on": str(_today()), "reason": "失联", "document": "文1"}
    )
    assert (
        r.status_code == 200 and r.json()["status"] == "suspended" and r.json()["status_on"] == str(_today())
    )
    r = office.post(f"{API}/{w.member_a.pk}/restore", {"on": str(_today()), "reason": "恢复联系"})
    assert r.json()["status"] == "active"
    err = assert_error(
        secretary.post(
            f"{API}/{w.member_a.pk}/exit", {"on": str(_today()), "reason": "违纪", "how": "expelled"}
        ),
        403,
    )
    assert "上级党委" in err["message"]
    r = secretary.post(
        f"{API}/{w.member_a.pk}/exit", {"on": str(_today()), "reason": "去世", "how": "deceased"}
    )
    assert r.status_code == 200 and (r.json()["status"], r.json()["end_kind"]) == ("ended", "deceased")
    listed = {m["id"] for m in secretary.get(f"{API}/").json()["items"]}
    assert w.member_a.pk not in listed
    listed = {m["id"] for m in secretary.get(f"{API}/", {"status": "all"}).json()["items"]}
    assert w.member_a.pk in listed


def _page(user):
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_status_page_offers_what_the_user_may_decide_and_shows_errors_in_chinese(w):
    url = f"/members/{w.member_a.pk}/status/"
    secretary = _page(w.secretary_a)
    body = secretary.get(url).content.decode()
    assert 'value="deceased"' in body and 'value="suspend"' not in body
    office = _page(w.industry_x)
    body = office.get(url).content.decode()
    assert 'value="suspend"' in body and 'value="expelled"' in body and 'value="restore"' not in body
    r = office.post(url, {"action": "suspend", "on": "2000-01-01", "reason": "失联"})
    assert r.status_code == 400 and "不能早于入党日期" in r.content.decode()
    r = office.post(url, {"action": "suspend", "on": str(_today()), "reason": ""})
    assert r.status_code == 400 and "这个字段是必填项" in r.content.decode()
    w.member_a.refresh_from_db()
    assert w.member_a.status == MemberStatus.ACTIVE
    r = office.post(url, {"action": "suspend", "on": str(_today()), "reason": "失联超过六个月"})
    assert r.status_code == 302
    detail = office.get(f"/members/{w.member_a.pk}/").content.decode()
    assert 'data-testid="status-badge"' in detail and "停止党籍" in detail
    assert 'value="restore"' in office.get(url).content.decode()
    assert _page(w.secretary_b).get(url).status_code == 404
