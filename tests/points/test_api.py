"""Points through /api/v1/points as integrators call it (bearer token): a member's own routes (balance,
history, catalogue, claims with base64 photos, purchases and vouchers), the 公示 board and objections,
the review and confirm queues with their decisions and bulk forms, the ledger with reversals, the
rankings checked against the ledger rows, catalogue versions, partners and offers, and a partner's
redemption. Every refusal is checked in the one error format with its code."""

import base64
import datetime as dt
from collections import defaultdict

import pytest
from django.utils import timezone

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.core import events, notices
from sanxin.core.models import Objection, PublicNotice, StoredFile
from sanxin.orgs.models import Org, OrgType
from sanxin.points import services
from sanxin.points.models import (
    EARNING_KINDS,
    Balance,
    Catalogue,
    Category,
    Claim,
    ClaimStatus,
    ClaimStep,
    Entry,
    EntryKind,
    Offer,
    Voucher,
    VoucherStatus,
)
from tests.factories import UserFactory, user_with_grant
from tests.helpers import ApiClient, assert_error, assert_max_queries, committed
from tests.meetings.conftest import _org, member
from tests.world import regions

from .conftest import ITEMS, PNG, photo

pytestmark = pytest.mark.django_db

API = "/api/v1/points"
CATEGORY_CODES = [code for code, _ in Category.choices]


# --- helpers ----------------------------------------------------------------------------------------


def today():
    return timezone.localdate()


def b64(data: bytes = PNG) -> str:
    return base64.b64encode(data).decode()


def png(name="现场照片.png"):
    return {"name": name, "content_base64": b64()}


def declare(pw, i=1, code="V01", *, deed_on=None, description="参加社区助老志愿服务两小时", evidence=None):
    """A claim declared through the services (the setup of a test about what follows)."""
    user = pw.users[i]
    item = pw.item(code)
    if evidence is None:
        evidence = [photo(user)] if item.evidence in ("photo", "document") else []
    return services.claim_declare(
        actor=user,
        item=item,
        deed_on=deed_on or today(),
        description=description,
        evidence=evidence,
    )


def close(claim, on=None):
    """End the claim's 公示 and deliver its closing event, as the task queue does after commit."""
    claim.refresh_from_db()
    notice = PublicNotice.objects.get(pk=claim.notice_id)
    with committed():
        notices.notice_close(actor=None, notice=notice, on=on or notice.ends_on + dt.timedelta(days=1))
    claim.refresh_from_db()
    return claim


def to_notice(pw, claim):
    services.claim_review(actor=pw.secretary, claim=claim, decision="approve")
    services.claim_confirm(actor=pw.committee_user, claim=claim)
    claim.refresh_from_db()
    return claim


def credited(pw, i=1, code="P01", **kw):
    """A claim declared, approved, confirmed and credited after a quiet 公示."""
    claim = close(to_notice(pw, declare(pw, i, code, **kw)))
    assert claim.status == ClaimStatus.CREDITED
    return claim


def attended(member, on, kind="general", key=None):
    """A ``meetings.attended`` event delivered to its subscribers (the automatic credit L01)."""
    with committed():
        events.publish(
            "meetings.attended",
            {"member_id": member.pk, "on": on.isoformat(), "kind": kind},
            key=key or f"test.attended.{member.pk}.{on.isoformat()}.{kind}",
        )


def absent(member, on, excused=False):
    with committed():
        events.publish(
            "meetings.absent",
            {"member_id": member.pk, "on": on.isoformat(), "kind": "general", "excused": excused},
            key=f"test.absent.{member.pk}.{on.isoformat()}.{excused}",
        )


def ledger_sums(member):
    rows = list(Entry.objects.filter(member=member))
    earned = sum(e.points for e in rows if e.kind in EARNING_KINDS)
    by_cat = {
        c: sum(e.points for e in rows if e.kind in EARNING_KINDS and e.category == c) for c in CATEGORY_CODES
    }
    return earned, sum(e.spendable for e in rows), by_cat


def other_committee(pw):
    """The committee above ``pw.other`` (another committee's subtree)."""
    return Org.objects.get(name="交通运输行业党委")


def other_committee_claim(pw):
    """A claim of the other committee's branch (its own catalogue), submitted by its member."""
    committee = other_committee(pw)
    services.catalogue_publish(
        actor=None,
        org=committee,
        title="交通运输行业党员积分细则",
        start_on=dt.date(2020, 1, 1),
        items=[i for i in ITEMS if i["code"] == "G01"],
    )
    item = Catalogue.objects.get(org=committee).items.get(code="G01")
    claim = services.claim_declare(
        actor=pw.outsider_user, item=item, deed_on=today(), description="参加社区议事会讨论"
    )
    return claim


# --- a member's own --------------------------------------------------------------------------------


def test_mine_balance_history_and_catalogue_match_the_ledger(pw):
    m = pw.members[1]
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "V01")
    attended(m, today())
    absent(m, today())
    absent(pw.members[2], today(), excused=True)  # an excused absence costs nothing
    api = ApiClient(pw.users[1])
    r = api.get(f"{API}/mine")
    assert r.status_code == 200, r.content
    s = r.json()
    earned, spendable, by_cat = ledger_sums(m)
    assert earned == 10 + 5 + 2 - 3
    assert (s["earned"], s["spendable"]) == (earned, spendable)
    assert {c["code"]: c["points"] for c in s["by_category"]} == by_cat
    assert [c["label"] for c in s["by_category"]] == [
        "党的生活",
        "学习培训",
        "志愿服务",
        "基层治理",
        "工作好评",
    ]
    assert s["pioneer"] == 10 and s["basic"] == 5 + 2 - 3
    entries = api.get(f"{API}/mine/entries", {"page_size": 2})
    assert entries.status_code == 200
    page = entries.json()
    assert page["count"] == Entry.objects.filter(member=m).count() == 4 and page["pages"] == 2
    ids = [e["id"] for e in page["items"]] + [
        e["id"] for e in api.get(f"{API}/mine/entries", {"page": 2, "page_size": 2}).json()["items"]
    ]
    assert ids == list(Entry.objects.filter(member=m).order_by("-id").values_list("pk", flat=True))
    kinds = {e["item_code"]: (e["kind"], e["points"], e["reason"]) for e in page["items"]}
    assert kinds["L02"][:2] == ("deduction", -3) and "缺席" in kinds["L02"][2]
    # another member's ledger is not in mine
    assert ApiClient(pw.users[2]).get(f"{API}/mine/entries").json()["count"] == 0

    cat = api.get(f"{API}/mine/catalogue").json()
    assert (cat["id"], cat["version"], cat["org_id"]) == (pw.catalogue.pk, 1, pw.committee.pk)
    assert [i["code"] for i in cat["items"]] == [i["code"] for i in ITEMS]
    assert api.get(f"{API}/mine/catalogue", {"on": "2019-06-01"}).json() is None

    # someone who is not a member has no points of their own
    for user in (pw.committee_user, pw.partner_user):
        assert (
            "党员本人"
            in assert_error(ApiClient(user).get(f"{API}/mine"), 403, "permission_denied")["message"]
        )
    assert_error(ApiClient().get(f"{API}/mine"), 401, "not_authenticated")


def test_declare_with_a_base64_photo_and_the_refusals(pw):
    api = ApiClient(pw.users[1])
    v01 = pw.item("V01")
    body = {
        "item_id": v01.pk,
        "deed_on": (today() - dt.timedelta(days=1)).isoformat(),
        "description": "参加社区助老志愿服务两小时",
        "evidence": [png()],
    }
    r = api.post(f"{API}/mine/claims", body)
    assert r.status_code == 201, r.content
    c = r.json()
    assert (c["status"], c["points"], c["item"]["code"], c["member_id"]) == (
        "submitted",
        5,
        "V01",
        pw.members[1].pk,
    )
    assert c["branch_id"] == pw.branch.pk and c["committee_id"] == pw.committee.pk
    assert [s["action"] for s in c["steps"]] == ["declare"]
    assert len(c["evidence_ids"]) == 1
    stored = StoredFile.objects.get(pk=c["evidence_ids"][0])
    assert (stored.purpose, stored.content_type, stored.owner_id) == (
        "points.evidence",
        "image/png",
        pw.users[1].pk,
    )
    assert Claim.objects.get(pk=c["id"]).evidence.count() == 1
    listed = api.get(f"{API}/mine/claims").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == c["id"]
    assert ApiClient(pw.users[2]).get(f"{API}/mine/claims").json()["count"] == 0

    before = Claim.objects.count()
    e = assert_error(api.post(f"{API}/mine/claims", {**body, "evidence": []}), 409, "evidence_required")
    assert e["message"] == "该项目须上传照片作为证明"
    text = {"name": "说明.txt", "content_base64": b64(b"just some words")}
    assert_error(api.post(f"{API}/mine/claims", {**body, "evidence": [text]}), 409, "evidence_required")
    e = assert_error(
        api.post(f"{API}/mine/claims", {**body, "evidence": [{"name": "a.png", "content_base64": "@@@"}]}),
        422,
        "validation_error",
    )
    assert e["message"] == "文件“a.png”不是有效的 base64"
    e = assert_error(
        api.post(f"{API}/mine/claims", {**body, "item_id": pw.item("L01").pk}), 409, "automatic_item"
    )
    assert "自动计分" in e["message"]
    assert_error(api.post(f"{API}/mine/claims", {**body, "item_id": 999999}), 404, "not_found")
    old = (today() - dt.timedelta(days=120)).isoformat()
    assert (
        "90天内"
        in assert_error(api.post(f"{API}/mine/claims", {**body, "deed_on": old}), 409, "too_late")["message"]
    )
    future = (today() + dt.timedelta(days=1)).isoformat()
    assert assert_error(api.post(f"{API}/mine/claims", {**body, "deed_on": future}), 422, "validation_error")[
        "details"
    ][0]["loc"] == ["deed_on"]
    assert_error(api.post(f"{API}/mine/claims", {**body, "description": "好"}), 422, "validation_error")
    assert_error(api.post(f"{API}/mine/claims", {**body, "evidence": [png()] * 7}), 422, "validation_error")
    # a document item takes a PDF or a photo, not any file
    e = assert_error(
        api.post(f"{API}/mine/claims", {**body, "item_id": pw.item("P01").pk, "evidence": [text]}),
        422,
        "bad_type",
    )
    assert e["message"] == "文件类型不符合要求（按文件内容识别），此处只接受：图片、PDF"
    assert_error(ApiClient(pw.committee_user).post(f"{API}/mine/claims", body), 403, "permission_denied")
    # an item of another committee's catalogue is not the member's to declare
    foreign = other_committee_claim(pw).item
    e = assert_error(api.post(f"{API}/mine/claims", {**body, "item_id": foreign.pk}), 409, "not_in_catalogue")
    assert "快递外卖行业党员积分细则" in e["message"]
    assert Claim.objects.count() == before + 1  # the other committee's own claim only
    assert StoredFile.objects.filter(purpose="points.evidence").count() == 1


def test_resubmit_after_return_and_withdraw(pw):
    api = ApiClient(pw.users[1])
    claim = declare(pw)
    sec = ApiClient(pw.secretary)
    e = assert_error(
        sec.post(f"{API}/claims/{claim.pk}/review", {"decision": "return"}), 422, "validation_error"
    )
    assert e["message"] == "请填写理由"
    r = sec.post(f"{API}/claims/{claim.pk}/review", {"decision": "return", "reason": "照片看不清，请补充"})
    assert (
        r.status_code == 200
        and r.json()["status"] == "returned"
        and r.json()["reason"] == "照片看不清，请补充"
    )
    # only the member resubmits their own claim, with a description and evidence
    assert_error(
        ApiClient(pw.users[2]).post(
            f"{API}/mine/claims/{claim.pk}/resubmit", {"description": "补充了照片和说明"}
        ),
        404,
        "not_found",
    )
    assert_error(
        api.post(f"{API}/mine/claims/{claim.pk}/resubmit", {"description": "短"}), 422, "validation_error"
    )
    r = api.post(
        f"{API}/mine/claims/{claim.pk}/resubmit",
        {"description": "参加社区助老志愿服务两小时，补充了现场照片", "evidence": [png("补充照片.png")]},
    )
    assert r.status_code == 200, r.content
    c = r.json()
    assert c["status"] == "submitted" and c["reason"] == "" and len(c["evidence_ids"]) == 2
    assert [s["action"] for s in c["steps"]] == ["declare", "return", "resubmit"]
    assert_error(
        api.post(f"{API}/mine/claims/{claim.pk}/resubmit", {"description": "再提交一次试试"}),
        409,
        "wrong_status",
    )
    # withdraw: not someone else's; once only
    assert_error(ApiClient(pw.users[2]).post(f"{API}/mine/claims/{claim.pk}/withdraw"), 404, "not_found")
    r = api.post(f"{API}/mine/claims/{claim.pk}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    e = assert_error(api.post(f"{API}/mine/claims/{claim.pk}/withdraw"), 409, "wrong_status")
    assert "已撤回" in e["message"]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.WITHDRAWN
    assert not Entry.objects.filter(member=pw.members[1]).exists()


def test_offers_buy_vouchers_and_cancel(pw):
    m = pw.members[1]
    api = ApiClient(pw.users[1])
    offers = api.get(f"{API}/mine/offers").json()
    assert [(o["id"], o["price"], o["stock"], o["partner_name"]) for o in offers] == [
        (pw.offer.pk, 20, 3, "新河书城")
    ]
    e = assert_error(api.post(f"{API}/mine/offers/{pw.offer.pk}/buy"), 409, "insufficient_points")
    assert e["message"] == "可用积分不足：需要20分，您有0分"
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "P01", description="获得市级优秀骑手表彰")
    r = api.post(f"{API}/mine/offers/{pw.offer.pk}/buy")
    assert r.status_code == 201, r.content
    v = r.json()
    assert (v["offer_id"], v["price"], v["status"]) == (pw.offer.pk, 20, "issued") and len(v["code"]) == 10
    assert v["expires_on"] == (today() + dt.timedelta(days=pw.offer.voucher_days)).isoformat()
    earned, spendable, _ = ledger_sums(m)
    bal = Balance.objects.get(member=m)
    assert (bal.earned, bal.spendable) == (earned, spendable) == (20, 0)
    assert api.get(f"{API}/mine").json()["earned"] == 20  # spending never lowers the earned points
    spend = Entry.objects.get(member=m, kind=EntryKind.SPEND)
    assert (spend.points, spend.spendable, spend.voucher_id) == (0, -20, v["id"])
    assert Offer.objects.get(pk=pw.offer.pk).stock == 2
    assert api.get(f"{API}/mine/offers").json()[0]["stock"] == 2
    assert_error(api.post(f"{API}/mine/offers/{pw.offer.pk}/buy"), 409, "insufficient_points")
    assert_error(api.post(f"{API}/mine/offers/999999/buy"), 404, "not_found")
    # another committee's member cannot see or buy the offer
    outsider = ApiClient(pw.outsider_user)
    assert outsider.get(f"{API}/mine/offers").json() == []
    assert_error(outsider.post(f"{API}/mine/offers/{pw.offer.pk}/buy"), 404, "not_found")

    mine = api.get(f"{API}/mine/vouchers").json()
    assert [x["id"] for x in mine] == [v["id"]]
    assert ApiClient(pw.users[2]).get(f"{API}/mine/vouchers").json() == []
    assert_error(ApiClient(pw.users[2]).post(f"{API}/mine/vouchers/{v['id']}/cancel"), 404, "not_found")
    r = api.post(f"{API}/mine/vouchers/{v['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert Balance.objects.get(member=m).spendable == ledger_sums(m)[1] == 20
    assert Offer.objects.get(pk=pw.offer.pk).stock == 3
    refund = Entry.objects.get(member=m, kind=EntryKind.REFUND)
    assert (refund.points, refund.spendable) == (0, 20)
    assert_error(api.post(f"{API}/mine/vouchers/{v['id']}/cancel"), 409, "voucher_used")
    # an offer out of stock or taken off the shelf
    Offer.objects.filter(pk=pw.offer.pk).update(stock=0)
    assert_error(api.post(f"{API}/mine/offers/{pw.offer.pk}/buy"), 409, "out_of_stock")
    Offer.objects.filter(pk=pw.offer.pk).update(stock=3, active=False)
    assert api.get(f"{API}/mine/offers").json() == []
    assert_error(api.post(f"{API}/mine/offers/{pw.offer.pk}/buy"), 404, "not_found")
    assert Balance.objects.get(member=m).spendable == 20


# --- the 公示 board ---------------------------------------------------------------------------------


def test_notice_board_objection_and_settle(pw):
    claim = to_notice(pw, declare(pw))
    neighbour = ApiClient(pw.users[2])
    board = neighbour.get(f"{API}/notices").json()
    assert [c["id"] for c in board] == [claim.pk]
    assert board[0]["notice_ends_on"] == claim.notice.ends_on.isoformat() and board[0]["status"] == "notice"
    outsider = ApiClient(pw.outsider_user)
    assert outsider.get(f"{API}/notices").json() == []
    assert_error(
        outsider.post(f"{API}/notices/{claim.pk}/objections", {"reason": "我也有意见要提出来"}),
        404,
        "not_found",
    )
    e = assert_error(
        neighbour.post(f"{API}/notices/{claim.pk}/objections", {"reason": "不对"}), 422, "validation_error"
    )
    assert e["message"] == "请写明异议理由（至少5个字）"
    r = neighbour.post(
        f"{API}/notices/{claim.pk}/objections",
        {"reason": "当天他在送单，没有参加志愿服务", "anonymous": True},
    )
    assert r.status_code == 201, r.content
    objection = Objection.objects.get(pk=r.json()["id"])
    assert objection.anonymous and objection.author == pw.users[2] and objection.notice_id == claim.notice_id
    claim = close(claim)
    assert claim.status == ClaimStatus.OBJECTED
    assert neighbour.get(f"{API}/notices").json() == []
    assert_error(
        neighbour.post(f"{API}/notices/{claim.pk}/objections", {"reason": "公示结束后再提异议"}), 404
    )

    committee = ApiClient(pw.committee_user)
    queue = committee.get(f"{API}/claims/confirm-queue").json()
    assert [(c["id"], c["status"]) for c in queue["items"]] == [(claim.pk, "objected")]
    assert_error(committee.post(f"{API}/claims/{claim.pk}/settle", {"credit": False, "resolution": ""}), 422)
    assert_error(
        ApiClient(pw.secretary).post(
            f"{API}/claims/{claim.pk}/settle", {"credit": True, "resolution": "核实无误"}
        ),
        403,
        "permission_denied",
    )
    r = committee.post(f"{API}/claims/{claim.pk}/settle", {"credit": False, "resolution": "经核实当日未参加"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["reason"]) == ("rejected", "经核实当日未参加")
    assert [s["action"] for s in r.json()["steps"]][-2:] == ["objected", "settle_reject"]
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert not Entry.objects.filter(claim=claim).exists()
    assert_error(
        committee.post(f"{API}/claims/{claim.pk}/settle", {"credit": True, "resolution": "再复核"}),
        409,
        "wrong_status",
    )


def test_settle_credit_when_the_objection_is_unfounded(pw):
    claim = to_notice(pw, declare(pw, code="G01", description="参加社区议事会讨论"))
    services.claim_object(actor=pw.users[3], claim=claim, reason="不知道他有没有参加")
    claim = close(claim)
    r = ApiClient(pw.committee_user2).post(
        f"{API}/claims/{claim.pk}/settle", {"credit": True, "resolution": "有会议签到记录，异议不成立"}
    )
    assert r.status_code == 200 and r.json()["status"] == "credited"
    entry = Entry.objects.get(claim=claim)
    assert (entry.points, entry.kind, entry.decided_by) == (3, EntryKind.CREDIT, pw.committee_user2)
    assert Balance.objects.get(member=pw.members[1]).earned == 3


# --- queues and decisions --------------------------------------------------------------------------


def test_queues_review_and_confirm(pw):
    a = declare(pw, 1)
    b = declare(pw, 2, "G01", description="参加社区议事会讨论")
    own = declare(pw, 0, "G01", description="组织社区议事会讨论")
    sec = ApiClient(pw.secretary)
    q = sec.get(f"{API}/claims/review-queue").json()
    assert {c["id"] for c in q["items"]} == {a.pk, b.pk} and q["count"] == 2  # never the reviewer's own
    assert ApiClient(pw.other_secretary).get(f"{API}/claims/review-queue").json()["count"] == 0
    assert_error(ApiClient(pw.users[1]).get(f"{API}/claims/review-queue"), 403, "permission_denied")
    assert_error(ApiClient(pw.committee_user).get(f"{API}/claims/review-queue"), 403, "permission_denied")
    assert_error(sec.get(f"{API}/claims/confirm-queue"), 403, "permission_denied")

    assert_error(
        ApiClient(pw.other_secretary).post(f"{API}/claims/{a.pk}/review", {"decision": "approve"}),
        404,
        "not_found",
    )
    e = assert_error(sec.post(f"{API}/claims/{own.pk}/review", {"decision": "approve"}), 409, "own_claim")
    assert e["message"] == "不能审核或认定本人的积分申报"
    assert_error(sec.post(f"{API}/claims/{a.pk}/review", {"decision": "maybe"}), 422, "validation_error")
    r = sec.post(f"{API}/claims/{a.pk}/review", {"decision": "approve"})
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["due_on"]
    assert_error(sec.post(f"{API}/claims/{a.pk}/review", {"decision": "approve"}), 409, "wrong_status")
    r = sec.post(f"{API}/claims/{b.pk}/review", {"decision": "reject", "reason": "不属于本项目"})
    assert r.json()["status"] == "rejected"
    assert sec.get(f"{API}/claims/review-queue").json()["count"] == 0

    committee = ApiClient(pw.committee_user)
    q = committee.get(f"{API}/claims/confirm-queue").json()
    assert [c["id"] for c in q["items"]] == [a.pk]
    assert_error(sec.post(f"{API}/claims/{a.pk}/confirm", {}), 403, "permission_denied")
    other_committee_user = user_with_grant(Role.INDUSTRY_COMMITTEE, other_committee(pw))
    assert_error(ApiClient(other_committee_user).post(f"{API}/claims/{a.pk}/confirm", {}), 404, "not_found")
    assert_error(
        committee.post(f"{API}/claims/{a.pk}/confirm", {"decision": "reject"}), 422, "validation_error"
    )
    assert_error(committee.post(f"{API}/claims/{a.pk}/confirm", {"window_days": 30}), 422, "validation_error")
    r = committee.post(f"{API}/claims/{a.pk}/confirm", {"window_days": 3})
    assert r.status_code == 200, r.content
    c = r.json()
    notice = PublicNotice.objects.get(pk=c["notice_id"])
    assert (
        c["status"] == "notice"
        and notice.window_days == 3
        and c["notice_ends_on"] == notice.ends_on.isoformat()
    )
    assert notice.audience_id == str(pw.branch.pk) and "王骑手" in notice.title
    assert [s["action"] for s in c["steps"]] == ["declare", "approve", "confirm"]
    assert_error(committee.post(f"{API}/claims/{a.pk}/confirm", {}), 409, "wrong_status")
    assert committee.get(f"{API}/claims/confirm-queue").json()["count"] == 0
    assert not Entry.objects.exists()  # nothing is credited before the 公示 ends
    detail = committee.get(f"{API}/claims/{a.pk}").json()
    assert detail["status"] == "notice" and detail["member_name"] == "王骑手"
    assert_error(ApiClient(pw.other_secretary).get(f"{API}/claims/{a.pk}"), 404, "not_found")
    # the committee's member-side view: the claim list by status
    listed = committee.get(f"{API}/claims", {"status": "rejected"}).json()
    assert [x["id"] for x in listed["items"]] == [b.pk]
    assert_error(committee.get(f"{API}/claims", {"status": "nonsense"}), 422, "validation_error")


def test_confirm_refused_when_the_cap_is_reached(pw):
    claims = [declare(pw) for _ in range(3)]  # 5 each; V01's month cap is 10
    for c in claims:
        services.claim_review(actor=pw.secretary, claim=c, decision="approve")
    committee = ApiClient(pw.committee_user)
    for c in claims[:2]:
        assert committee.post(f"{API}/claims/{c.pk}/confirm", {}).status_code == 200
    e = assert_error(committee.post(f"{API}/claims/{claims[2].pk}/confirm", {}), 409, "cap_reached")
    assert "每月最多10分" in e["message"]
    assert Claim.objects.get(pk=claims[2].pk).status == ClaimStatus.APPROVED


def test_bulk_review_all_or_404(pw):
    a = declare(pw, 1)
    b = declare(pw, 2, "G01", description="参加社区议事会讨论")
    own = declare(pw, 0, "G01", description="组织社区议事会讨论")
    foreign = other_committee_claim(pw)
    sec = ApiClient(pw.secretary)
    steps = ClaimStep.objects.count()
    e = assert_error(sec.post(f"{API}/bulk/review", {"claim_ids": [a.pk, foreign.pk]}), 404, "not_found")
    assert e["message"] == "部分申报不存在或不在您的管理范围内"
    assert_error(sec.post(f"{API}/bulk/review", {"claim_ids": [a.pk, 999999]}), 404, "not_found")
    assert_error(sec.post(f"{API}/bulk/review", {"claim_ids": []}), 422, "validation_error")
    assert set(Claim.objects.filter(pk__in=[a.pk, b.pk, foreign.pk]).values_list("status", flat=True)) == {
        "submitted"
    }
    assert ClaimStep.objects.count() == steps
    assert_error(
        ApiClient(pw.committee_user).post(f"{API}/bulk/review", {"claim_ids": [a.pk]}),
        403,
        "permission_denied",
    )

    r = sec.post(f"{API}/bulk/review", {"claim_ids": [a.pk, own.pk, b.pk, a.pk]})
    assert r.status_code == 200, r.content
    assert r.json() == {"done": [a.pk, b.pk], "refused": {str(own.pk): "不能审核或认定本人的积分申报"}}
    assert Claim.objects.get(pk=a.pk).status == Claim.objects.get(pk=b.pk).status == ClaimStatus.APPROVED
    assert Claim.objects.get(pk=own.pk).status == ClaimStatus.SUBMITTED
    assert Claim.objects.get(pk=foreign.pk).status == ClaimStatus.SUBMITTED


def test_bulk_confirm_all_or_404(pw):
    a = declare(pw, 1)
    b = declare(pw, 2, "G01", description="参加社区议事会讨论")
    c = declare(pw, 3, "G01", description="参加社区议事会讨论")
    for x in (a, b):
        services.claim_review(actor=pw.secretary, claim=x, decision="approve")
    foreign = other_committee_claim(pw)
    services.claim_review(actor=pw.other_secretary, claim=foreign, decision="approve")
    committee = ApiClient(pw.committee_user)
    assert_error(
        committee.post(f"{API}/bulk/confirm", {"claim_ids": [a.pk, b.pk, foreign.pk]}), 404, "not_found"
    )
    assert set(Claim.objects.filter(pk__in=[a.pk, b.pk, foreign.pk]).values_list("status", flat=True)) == {
        "approved"
    }
    assert not PublicNotice.objects.exists()
    assert_error(
        ApiClient(pw.secretary).post(f"{API}/bulk/confirm", {"claim_ids": [a.pk]}), 403, "permission_denied"
    )

    r = committee.post(f"{API}/bulk/confirm", {"claim_ids": [a.pk, c.pk, b.pk]})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["done"] == [a.pk, b.pk] and list(out["refused"]) == [str(c.pk)]
    assert "待支部审核" in out["refused"][str(c.pk)]
    assert PublicNotice.objects.count() == 2
    assert set(Claim.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"notice"}
    assert Claim.objects.get(pk=foreign.pk).status == ClaimStatus.APPROVED


# --- the ledger ------------------------------------------------------------------------------------


def test_entries_and_reverse(pw):
    claim = credited(pw, 1, "V01")
    credited(pw, 2, "G01", description="参加社区议事会讨论")
    committee = ApiClient(pw.committee_user)
    r = committee.get(f"{API}/entries")
    assert r.status_code == 200
    listed = r.json()
    assert listed["count"] == Entry.objects.count() == 2
    assert {(e["member_id"], e["points"]) for e in listed["items"]} == {
        (pw.members[1].pk, 5),
        (pw.members[2].pk, 3),
    }
    assert (
        committee.get(f"{API}/entries", {"start": (today() + dt.timedelta(days=1)).isoformat()}).json()[
            "count"
        ]
        == 0
    )
    assert committee.get(f"{API}/entries", {"org_id": pw.branch.pk}).json()["count"] == 2
    assert_error(committee.get(f"{API}/entries", {"org_id": pw.other.pk}), 404, "not_found")
    assert ApiClient(pw.other_secretary).get(f"{API}/entries").json()["count"] == 0
    assert_error(ApiClient(pw.users[1]).get(f"{API}/entries"), 403, "permission_denied")

    entry = Entry.objects.get(claim=claim)
    assert_error(committee.post(f"{API}/entries/{entry.pk}/reverse", {"reason": ""}), 422, "validation_error")
    assert_error(
        ApiClient(pw.secretary).post(f"{API}/entries/{entry.pk}/reverse", {"reason": "认定有误"}), 403
    )
    other_committee_user = user_with_grant(Role.INDUSTRY_COMMITTEE, other_committee(pw))
    assert_error(
        ApiClient(other_committee_user).post(f"{API}/entries/{entry.pk}/reverse", {"reason": "认定有误"}),
        404,
        "not_found",
    )
    r = committee.post(f"{API}/entries/{entry.pk}/reverse", {"reason": "照片与事项不符"})
    assert r.status_code == 201, r.content
    row = r.json()
    assert (row["kind"], row["points"], row["spendable"], row["reverses_id"]) == (
        "reversal",
        -5,
        -5,
        entry.pk,
    )
    assert row["reason"] == "冲正：照片与事项不符" and row["decided_by"] == pw.committee_user.username
    bal = Balance.objects.get(member=pw.members[1])
    assert (bal.earned, bal.spendable) == ledger_sums(pw.members[1])[:2] == (0, 0)
    assert_error(
        committee.post(f"{API}/entries/{entry.pk}/reverse", {"reason": "再冲一次"}), 409, "already_reversed"
    )
    assert_error(
        committee.post(f"{API}/entries/{row['id']}/reverse", {"reason": "冲正的冲正"}), 409, "not_reversible"
    )
    assert_error(committee.post(f"{API}/entries/999999/reverse", {"reason": "没有的记录"}), 404, "not_found")
    assert Entry.objects.count() == 3


# --- rankings ---------------------------------------------------------------------------------------


def expected_ranking(org, start, end, *, by="member", category=""):
    """The ranking computed in Python from the ledger rows: {id: (rank, total, categories, basic, pioneer)}."""
    key = "member_id" if by == "member" else "branch_id"
    rows = [
        e
        for e in Entry.objects.select_related("branch")
        if e.kind in EARNING_KINDS and start <= e.on < end and e.branch.path.startswith(org.path)
    ]
    totals, cats, tiers = defaultdict(int), defaultdict(lambda: [0] * 5), defaultdict(lambda: [0, 0])
    for e in rows:
        k = getattr(e, key)
        totals[k] += e.points if not category or e.category == category else 0  # every member is listed
        cats[k][CATEGORY_CODES.index(e.category)] += e.points
        tiers[k][0 if e.tier == "basic" else 1] += e.points
    return {
        k: (1 + sum(1 for t in totals.values() if t > total), total, cats[k], *tiers[k])
        for k, total in totals.items()
    }


def got_ranking(resp):
    assert resp.status_code == 200, resp.content
    return {
        r["id"]: (r["rank"], r["total"], r["categories"], r["basic"], r["pioneer"])
        for r in resp.json()["rows"]
    }


@pytest.fixture
def ranked(pw):
    """Credits in two branches of the committee, this month, an earlier month and an earlier year."""
    r = regions()
    second = _org(pw.committee, "餐饮外卖党支部", OrgType.BRANCH, r["390102001000"], dt.date(2019, 6, 1))
    sun, _ = member(second, "孙骑手")
    zhou, _ = member(second, "周骑手")
    t = today()
    last_month = t.replace(day=1) - dt.timedelta(days=1)
    last_year = t.replace(year=t.year - 1, month=6, day=10)
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")  # praise, pioneer +10
    credited(pw, 2, "V01")  # volunteer +5
    wrong = credited(pw, 3, "V01")
    services.entry_reverse(actor=pw.committee_user, entry=Entry.objects.get(claim=wrong), reason="认定有误")
    credited(pw, 3, "G01", description="参加社区议事会讨论")  # governance +3
    for m in (pw.members[1], pw.members[2], sun):
        attended(m, t)  # life +2
    attended(pw.members[2], t, kind="lecture")  # +2 (month cap 4)
    attended(pw.members[2], t, kind="theme_day")  # capped: nothing left this month
    absent(zhou, t)  # -3, nothing spendable to take
    attended(sun, last_month)
    attended(sun, last_month, kind="lecture")
    attended(pw.members[1], last_year)
    attended(pw.outsider, t)  # another committee's member has no such rule
    # a purchase changes no earned points
    services.voucher_buy(
        actor=pw.users[1],
        offer=services.offer_save(
            actor=None,
            partner=pw.partner,
            title="书签",
            price=5,
            stock=1,
            valid_from=t - dt.timedelta(days=1),
            valid_to=t + dt.timedelta(days=10),
        ),
    )
    return second, sun, zhou


def test_ranking_by_member_and_branch_match_the_ledger(pw, ranked):
    second, sun, zhou = ranked
    api = ApiClient(pw.committee_user)
    t = today()
    month = (t.replace(day=1), (t.replace(day=1) + dt.timedelta(days=32)).replace(day=1))
    year = (dt.date(t.year, 1, 1), dt.date(t.year + 1, 1, 1))

    r = api.get(f"{API}/ranking", {"org_id": pw.committee.pk})
    body = r.json()
    assert (body["label"], body["start"], body["end"]) == (
        f"{t.year}年{t.month}月",
        month[0].isoformat(),
        month[1].isoformat(),
    )
    got = got_ranking(r)
    want = expected_ranking(pw.committee, *month)
    assert got == want
    m1, m2, m3 = (m.pk for m in pw.members[1:4])
    assert got[m1][1] == 12 and got[m2][1] == 5 + 4 and got[m3][1] == 3 and got[zhou.pk][1] == -3
    assert got[m1][0] == 1 and got[zhou.pk][0] == len(got)
    names = {row["id"]: (row["name"], row["branch"]) for row in body["rows"]}
    assert names[sun.pk] == ("孙骑手", "餐饮外卖党支部") and names[m1] == ("王骑手", "骑手流动党员党支部")
    assert pw.outsider.pk not in got
    assert [row["rank"] for row in body["rows"]] == sorted(row["rank"] for row in body["rows"])

    # by category: the rank follows that category's points
    r = api.get(f"{API}/ranking", {"org_id": pw.committee.pk, "category": "life"})
    got = got_ranking(r)
    assert got == expected_ranking(pw.committee, *month, category="life")
    assert got[m2][:2] == (1, 4) and got[m1][1] == 2

    # the year, and an earlier month named by a day in it
    r = api.get(f"{API}/ranking", {"org_id": pw.committee.pk, "period": "year"})
    assert r.json()["label"] == f"{t.year}年"
    assert got_ranking(r) == expected_ranking(pw.committee, *year)
    last_month = t.replace(day=1) - dt.timedelta(days=1)
    r = api.get(f"{API}/ranking", {"org_id": pw.committee.pk, "on": last_month.isoformat()})
    got = got_ranking(r)
    assert got == expected_ranking(pw.committee, last_month.replace(day=1), t.replace(day=1))
    assert got[sun.pk][:2] == (1, 4)
    r = api.get(f"{API}/ranking", {"org_id": pw.committee.pk, "period": "year", "on": f"{t.year - 1}-03-01"})
    got = got_ranking(r)
    assert got == expected_ranking(pw.committee, dt.date(t.year - 1, 1, 1), dt.date(t.year, 1, 1))
    assert got[m1][1:] == (2, [2, 0, 0, 0, 0], 2, 0)  # last June's meeting only

    # by branch
    r = api.get(f"{API}/ranking", {"org_id": pw.committee.pk, "by": "branch"})
    got = got_ranking(r)
    assert got == expected_ranking(pw.committee, *month, by="branch")
    assert set(got) == {pw.branch.pk, second.pk}
    assert got[pw.branch.pk][1] == 12 + 9 + 3 and got[second.pk][1] == 2 - 3
    assert {row["id"]: row["name"] for row in r.json()["rows"]} == {
        pw.branch.pk: pw.branch.name,
        second.pk: second.name,
    }
    # one branch's own ranking
    r = api.get(f"{API}/ranking", {"org_id": second.pk, "period": "year"})
    assert got_ranking(r) == expected_ranking(second, *year)
    # limits and refusals
    assert len(api.get(f"{API}/ranking", {"org_id": pw.committee.pk, "limit": 2}).json()["rows"]) == 2
    assert_error(
        api.get(f"{API}/ranking", {"org_id": pw.committee.pk, "category": "sports"}), 422, "validation_error"
    )
    assert_error(
        api.get(f"{API}/ranking", {"org_id": pw.committee.pk, "period": "week"}), 422, "validation_error"
    )
    assert_error(api.get(f"{API}/ranking", {}), 422, "validation_error")
    assert_error(
        ApiClient(pw.other_secretary).get(f"{API}/ranking", {"org_id": pw.committee.pk}), 404, "not_found"
    )
    assert_error(
        ApiClient(pw.users[1]).get(f"{API}/ranking", {"org_id": pw.branch.pk}), 403, "permission_denied"
    )
    # a branch secretary ranks their own branch only
    sec = ApiClient(pw.secretary)
    assert got_ranking(sec.get(f"{API}/ranking", {"org_id": pw.branch.pk})) == expected_ranking(
        pw.branch, *month
    )
    assert_error(sec.get(f"{API}/ranking", {"org_id": second.pk}), 404, "not_found")


def test_ranking_query_count_does_not_grow_with_rows(pw, ranked):
    api = ApiClient(pw.committee_user)
    params = {"org_id": pw.committee.pk, "period": "year"}
    api.get(f"{API}/ranking", params)  # warm: the token's first use, content types
    with assert_max_queries(7) as few:
        rows = api.get(f"{API}/ranking", params).json()["rows"]
    assert len(rows) == 5
    second = ranked[0]
    for n in range(6):
        m, _ = member(second, f"新骑手{n}")
        attended(m, today())
    with assert_max_queries(len(few.captured_queries)):
        rows = api.get(f"{API}/ranking", params).json()["rows"]
    assert len(rows) == 11


# --- catalogues -------------------------------------------------------------------------------------


def new_version_items():
    items = [dict(i) for i in ITEMS]
    v01 = next(i for i in items if i["code"] == "V01")
    v01.update(points=6, name="参加志愿服务（2版）")
    return items


def test_catalogue_versions_judge_a_deed_by_its_day(pw):
    committee = ApiClient(pw.committee_user)
    listed = committee.get(f"{API}/catalogues").json()
    assert [(c["id"], c["version"], c["end_on"]) for c in listed] == [(pw.catalogue.pk, 1, None)]
    assert len(listed[0]["items"]) == len(ITEMS)
    assert ApiClient(pw.other_secretary).get(f"{API}/catalogues").json() == []
    assert [
        c["id"] for c in ApiClient(pw.secretary).get(f"{API}/catalogues").json()
    ] == []  # the committee's, above the branch

    start = today() - dt.timedelta(days=10)
    body = {
        "org_id": pw.committee.pk,
        "title": "快递外卖行业党员积分细则（修订）",
        "start_on": start.isoformat(),
        "items": new_version_items(),
    }
    assert_error(ApiClient(pw.secretary).post(f"{API}/catalogues", body), 403, "permission_denied")
    assert_error(ApiClient(pw.other_secretary).post(f"{API}/catalogues", body), 403, "permission_denied")
    assert_error(committee.post(f"{API}/catalogues", {**body, "org_id": pw.branch.pk}), 409, "not_committee")
    assert_error(
        committee.post(f"{API}/catalogues", {**body, "org_id": other_committee(pw).pk}), 404, "not_found"
    )
    e = assert_error(
        committee.post(f"{API}/catalogues", {**body, "start_on": "2020-01-01"}), 409, "date_order"
    )
    assert "2020-01-01" in e["message"]
    dup = [*body["items"], body["items"][0]]
    assert (
        assert_error(committee.post(f"{API}/catalogues", {**body, "items": dup}), 422, "validation_error")[
            "message"
        ]
        == "项目编号不能重复"
    )
    bad_event = [{**ITEMS[0], "auto": [{"event": "nowhere.happened"}]}]
    assert (
        "未知的来源事件"
        in assert_error(committee.post(f"{API}/catalogues", {**body, "items": bad_event}), 422)["message"]
    )
    zero = [{**ITEMS[4], "points": 0}]
    assert_error(committee.post(f"{API}/catalogues", {**body, "items": zero}), 422, "validation_error")
    assert Catalogue.objects.filter(org=pw.committee).count() == 1

    r = committee.post(f"{API}/catalogues", body)
    assert r.status_code == 201, r.content
    v2 = r.json()
    assert (v2["version"], v2["start_on"], v2["end_on"]) == (2, start.isoformat(), None)
    assert {i["code"]: i["points"] for i in v2["items"]}["V01"] == 6
    old = Catalogue.objects.get(pk=pw.catalogue.pk)
    assert old.end_on == start
    listed = committee.get(f"{API}/catalogues").json()
    assert [(c["version"], c["end_on"]) for c in listed] == [(2, None), (1, start.isoformat())]
    new_l01 = Catalogue.objects.get(pk=v2["id"]).items.get(code="L01")
    assert list(new_l01.auto_rules.values_list("event_name", flat=True)) == ["meetings.attended"]

    member = ApiClient(pw.users[1])
    assert member.get(f"{API}/mine/catalogue").json()["version"] == 2
    before = (start - dt.timedelta(days=1)).isoformat()
    assert member.get(f"{API}/mine/catalogue", {"on": before}).json()["version"] == 1
    old_v01 = pw.item("V01")
    new_v01 = next(i for i in v2["items"] if i["code"] == "V01")
    claim = {"description": "参加社区助老志愿服务两小时", "evidence": [png()]}
    # a deed before the new version is judged by the old one
    e = assert_error(
        member.post(f"{API}/mine/claims", {**claim, "item_id": new_v01["id"], "deed_on": before}),
        409,
        "not_in_catalogue",
    )
    assert "请按当日细则申报" in e["message"]
    r = member.post(f"{API}/mine/claims", {**claim, "item_id": old_v01.pk, "deed_on": before})
    assert r.status_code == 201 and r.json()["points"] == 5
    # from its start date, the new one
    on_start = start.isoformat()
    assert_error(
        member.post(f"{API}/mine/claims", {**claim, "item_id": old_v01.pk, "deed_on": on_start}),
        409,
        "not_in_catalogue",
    )
    r = member.post(f"{API}/mine/claims", {**claim, "item_id": new_v01["id"], "deed_on": on_start})
    assert (
        r.status_code == 201 and r.json()["points"] == 6 and r.json()["item"]["name"] == "参加志愿服务（2版）"
    )
    # automatic credits follow the version of the day, too
    attended(pw.members[2], start - dt.timedelta(days=1))
    attended(pw.members[2], start)
    assert sorted(
        Entry.objects.filter(member=pw.members[2]).values_list("item__catalogue__version", flat=True)
    ) == [1, 2]


# --- partners and offers ------------------------------------------------------------------------------


def test_partners_and_offers(pw):
    committee = ApiClient(pw.committee_user)
    listed = committee.get(f"{API}/partners").json()
    assert [(p["id"], p["name"], p["kind"]) for p in listed] == [(pw.partner.pk, "新河书城", "reading")]
    assert ApiClient(pw.other_secretary).get(f"{API}/partners").json() == []
    body = {
        "org_id": pw.committee.pk,
        "name": "新河社区诊所",
        "kind": "medical",
        "contact_name": "吴医生",
        "address": "健康路2号",
    }
    assert_error(ApiClient(pw.secretary).post(f"{API}/partners", body), 403, "permission_denied")
    assert_error(committee.post(f"{API}/partners", {**body, "org_id": pw.other.pk}), 404, "not_found")
    assert_error(committee.post(f"{API}/partners", {**body, "kind": "sports"}), 422, "validation_error")
    r = committee.post(f"{API}/partners", body)
    assert r.status_code == 201, r.content
    clinic = r.json()
    assert (clinic["org_id"], clinic["kind"], clinic["active"]) == (pw.committee.pk, "medical", True)

    t = today()
    offer = {
        "title": "免费体检一次",
        "price": 30,
        "stock": 5,
        "valid_from": t.isoformat(),
        "valid_to": (t + dt.timedelta(days=60)).isoformat(),
    }
    other_committee_user = user_with_grant(Role.INDUSTRY_COMMITTEE, other_committee(pw))
    assert_error(
        ApiClient(other_committee_user).post(f"{API}/partners/{clinic['id']}/offers", offer), 404, "not_found"
    )
    assert_error(
        ApiClient(pw.partner_user).post(f"{API}/partners/{pw.partner.pk}/offers", offer),
        403,
        "permission_denied",
    )
    bad = {**offer, "valid_to": (t - dt.timedelta(days=1)).isoformat()}
    e = assert_error(committee.post(f"{API}/partners/{clinic['id']}/offers", bad), 422, "validation_error")
    assert "兑换截止不能早于兑换开始" in e["message"]
    assert_error(
        committee.post(f"{API}/partners/{clinic['id']}/offers", {**offer, "price": 0}),
        422,
        "validation_error",
    )
    r = committee.post(f"{API}/partners/{clinic['id']}/offers", offer)
    assert r.status_code == 201, r.content
    created = r.json()
    assert (created["kind"], created["partner_id"], created["voucher_days"]) == ("medical", clinic["id"], 30)
    assert {o["id"] for o in committee.get(f"{API}/offers").json()} == {pw.offer.pk, created["id"]}

    member = ApiClient(pw.users[1])
    assert [o["id"] for o in member.get(f"{API}/mine/offers").json()] == [pw.offer.pk, created["id"]]
    assert_error(
        ApiClient(other_committee_user).patch(f"{API}/offers/{created['id']}", {"stock": 1}), 404, "not_found"
    )
    assert_error(member.patch(f"{API}/offers/{created['id']}", {"stock": 1}), 403, "permission_denied")
    assert_error(committee.patch(f"{API}/offers/{created['id']}", {"stock": -1}), 422, "validation_error")
    r = committee.patch(f"{API}/offers/{created['id']}", {"stock": 1, "price": 25})
    assert r.status_code == 200 and (r.json()["stock"], r.json()["price"], r.json()["title"]) == (
        1,
        25,
        "免费体检一次",
    )
    assert Offer.objects.get(pk=created["id"]).stock == 1
    assert_error(
        committee.patch(
            f"{API}/offers/{created['id']}", {"valid_to": (t - dt.timedelta(days=1)).isoformat()}
        ),
        422,
    )
    r = committee.patch(f"{API}/offers/{created['id']}", {"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert [o["id"] for o in member.get(f"{API}/mine/offers").json()] == [pw.offer.pk]


# --- a partner's redemption -----------------------------------------------------------------------------


def test_voucher_lookup_and_redeem_by_the_partner(pw):
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "P01", description="获得市级优秀骑手表彰")
    voucher = services.voucher_buy(actor=pw.users[1], offer=pw.offer)
    partner = ApiClient(pw.partner_user)
    messy = f" {voucher.code[:5].lower()}-{voucher.code[5:]} "
    r = partner.post(f"{API}/vouchers/lookup", {"code": messy})
    assert r.status_code == 200, r.content
    seen = r.json()
    assert (seen["code"], seen["status"], seen["offer_title"], seen["price"]) == (
        voucher.code,
        "issued",
        pw.offer.title,
        20,
    )
    assert seen["holder"] == "王**"
    assert "王骑手" not in r.content.decode() and "骑手" not in r.content.decode()
    assert set(seen) == {
        "code",
        "offer_title",
        "price",
        "status",
        "status_label",
        "expires_on",
        "holder",
        "redeemed_at",
    }

    # another partner's staff, a member, a committee: not theirs to redeem
    clinic = services.partner_save(actor=None, org=pw.committee, name="新河社区诊所", kind="medical")
    clinic_user = UserFactory()
    grant_create(
        actor=None,
        user=clinic_user,
        role=Role.PARTNER,
        assignment_kind="points_partners",
        object_ids=[str(clinic.pk)],
    )
    clinic_api = ApiClient(clinic_user)
    assert_error(clinic_api.post(f"{API}/vouchers/lookup", {"code": voucher.code}), 404, "not_found")
    assert_error(clinic_api.post(f"{API}/vouchers/redeem", {"code": voucher.code}), 404, "not_found")
    assert_error(
        ApiClient(pw.users[1]).post(f"{API}/vouchers/redeem", {"code": voucher.code}),
        403,
        "permission_denied",
    )
    assert_error(
        ApiClient(pw.committee_user).post(f"{API}/vouchers/redeem", {"code": voucher.code}),
        403,
        "permission_denied",
    )
    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.ISSUED
    e = assert_error(partner.post(f"{API}/vouchers/lookup", {"code": "--"}), 422, "validation_error")
    assert e["message"] == "请输入兑换码"
    assert_error(partner.post(f"{API}/vouchers/lookup", {"code": "ABCDEFGHJK"}), 404, "not_found")

    r = partner.post(f"{API}/vouchers/redeem", {"code": voucher.code})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "redeemed" and r.json()["holder"] == "王**" and r.json()["redeemed_at"]
    voucher.refresh_from_db()
    assert (voucher.status, voucher.redeemed_by) == (VoucherStatus.REDEEMED, pw.partner_user)
    e = assert_error(partner.post(f"{API}/vouchers/redeem", {"code": voucher.code}), 409, "voucher_used")
    assert e["message"] == "该兑换券已核销，不能再次核销"
    assert partner.post(f"{API}/vouchers/lookup", {"code": voucher.code}).json()["status"] == "redeemed"
    assert_error(ApiClient(pw.users[1]).post(f"{API}/mine/vouchers/{voucher.pk}/cancel"), 409, "voucher_used")
    # the points stay spent, the earned points stay
    bal = Balance.objects.get(member=pw.members[1])
    assert (bal.earned, bal.spendable) == ledger_sums(pw.members[1])[:2] == (20, 0)


def test_an_expired_voucher_is_not_redeemed(pw):
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "P01", description="获得市级优秀骑手表彰")
    voucher = services.voucher_buy(actor=pw.users[1], offer=pw.offer)
    Voucher.objects.filter(pk=voucher.pk).update(expires_on=today() - dt.timedelta(days=1))
    e = assert_error(
        ApiClient(pw.partner_user).post(f"{API}/vouchers/redeem", {"code": voucher.code}),
        409,
        "voucher_expired",
    )
    assert "过期" in e["message"]
    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.ISSUED
