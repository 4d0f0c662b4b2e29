"""The points pages: the member's phone page (balance, categories, history, offers; declaring with an
uploaded photo, withdrawing, buying, cancelling), a voucher's QR, the 公示 board with objections, the
reviewers' queues and bulk forms, a claim's page with its decisions, the rankings and the Excel
积分登记表 (checked against the ledger rows), the catalogue, and the partner's redemption page. Failed
POSTs answer 400 with the Chinese message and keep what was typed."""

import datetime as dt
import io
from collections import defaultdict

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.core.models import Objection, PublicNotice
from sanxin.points import services
from sanxin.points.models import (
    EARNING_KINDS,
    Balance,
    Claim,
    ClaimStatus,
    Entry,
    EntryKind,
    Offer,
    Voucher,
    VoucherStatus,
)
from tests.factories import UserFactory
from tests.helpers import assert_max_queries
from tests.points.test_api import (
    CATEGORY_CODES,
    absent,
    attended,
    close,
    credited,
    declare,
    expected_ranking,
    ledger_sums,
    other_committee_claim,
    to_notice,
    today,
)

from .conftest import PNG

pytestmark = pytest.mark.django_db


def page(user):
    c = Client()
    c.force_login(user)
    return c


def text(resp) -> str:
    return resp.content.decode()


def upload(name="现场照片.png", data=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- the member's phone page ----------------------------------------------------------------------------


def test_me_page_shows_balance_categories_history_and_offers(pw):
    m = pw.members[1]
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "V01")
    attended(m, today())
    absent(m, today())
    r = page(pw.users[1]).get("/points/me/")
    assert r.status_code == 200
    earned, spendable, by_cat = ledger_sums(m)
    s = r.context["summary"]
    assert (s.earned, s.spendable) == (earned, spendable) == (14, 14)
    assert {code: pts for code, _, pts in s.by_category} == by_cat
    html = text(r)
    assert f'data-testid="spendable">{spendable}<' in html
    assert f'data-testid="earned">{earned}<' in html
    for code, pts in by_cat.items():
        assert f'data-testid="cat-{code}">{pts}<' in html
    assert "志愿服务" in html and "工作好评" in html
    # every ledger row with its reason
    history = list(r.context["history"])
    assert [e.pk for e in history] == list(
        Entry.objects.filter(member=m).order_by("-id").values_list("pk", flat=True)
    )
    for e in history:
        assert e.reason in html
    assert "-3" in html and "无故缺席组织生活" in html
    # what can be bought, and the declarable items of the catalogue in force
    assert (
        f'data-testid="offer-{pw.offer.pk}"' in html and "图书兑换券（50元）" in html and "新河书城" in html
    )
    assert "可用积分不足" in html  # 14 < 20: no buy button
    choices = [label for value, label in r.context["form"].fields["item"].choices if value]
    assert len(choices) == 3 and any("参加志愿服务" in c for c in choices)
    assert not any("参加三会一课" in c for c in choices)  # automatic items are not declared
    assert "快递外卖行业党员积分细则" in html
    # another member sees nothing of it
    other = page(pw.users[2]).get("/points/me/")
    assert other.context["summary"].earned == 0 and "获得区级优秀骑手表彰" not in text(other)
    # someone who is not a member
    assert page(pw.committee_user).get("/points/me/").status_code == 403
    anon = Client().get("/points/me/")
    assert anon.status_code == 302 and "/login" in anon["Location"]


def test_me_page_query_count_does_not_grow(pw):
    c = page(pw.users[1])
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    c.get("/points/me/")
    with assert_max_queries(16) as few:
        assert c.get("/points/me/").status_code == 200
    # many more rows of each kind: history, claims, offers, vouchers
    credited(pw, 1, "P01", description="获得市级优秀骑手表彰")
    credited(pw, 1, "P01", description="获得省级优秀骑手表彰")
    credited(pw, 1, "G01", description="参加社区议事会讨论")
    declare(pw, 1, "V01")
    declare(pw, 1, "V01")
    t = today()
    for n in range(3):
        services.offer_save(
            actor=None,
            partner=pw.partner,
            title=f"书签{n}",
            price=1,
            stock=5,
            valid_from=t - dt.timedelta(days=1),
            valid_to=t + dt.timedelta(days=10),
        )
    for offer in Offer.objects.all()[:3]:
        services.voucher_buy(actor=pw.users[1], offer=offer)
    attended(pw.members[1], t)
    with assert_max_queries(len(few.captured_queries)):
        r = c.get("/points/me/")
    assert len(r.context["vouchers"]) == 3 and len(r.context["offers"]) == 4 and len(r.context["claims"]) == 6


def test_me_declare_with_an_uploaded_photo(pw):
    c = page(pw.users[1])
    v01 = pw.item("V01")
    deed = (today() - dt.timedelta(days=1)).isoformat()
    data = {"action": "declare", "item": v01.pk, "deed_on": deed, "description": "参加社区助老志愿服务两小时"}
    r = c.post("/points/me/", {**data, "evidence": upload()})
    assert r.status_code == 302 and r["Location"] == "/points/me/"
    claim = Claim.objects.get(member=pw.members[1])
    assert (claim.status, claim.item, claim.points, claim.deed_on.isoformat()) == ("submitted", v01, 5, deed)
    files = list(claim.evidence.all())
    assert [(f.content_type, f.original_name, f.owner_id) for f in files] == [
        ("image/png", "现场照片.png", pw.users[1].pk)
    ]
    follow = c.get("/points/me/")
    assert "申报已提交，等待党支部审核" in text(follow)
    assert f'data-testid="claim-{claim.pk}"' in text(follow) and "待支部审核" in text(follow)


def test_me_declare_refused_keeps_what_was_typed(pw):
    c = page(pw.users[1])
    typed = "周六在幸福里社区帮老人修电动车"
    data = {
        "action": "declare",
        "item": pw.item("V01").pk,
        "deed_on": today().isoformat(),
        "description": typed,
    }
    # the photo item without a photo: the service's refusal on the form
    r = c.post("/points/me/", data)
    assert r.status_code == 400
    html = text(r)
    assert "该项目须上传照片作为证明" in html and typed in html
    assert r.context["form"]["item"].value() == str(pw.item("V01").pk)
    # a file that is no photo
    r = c.post("/points/me/", {**data, "evidence": upload("说明.txt", b"just words", "image/png")})
    assert r.status_code == 400 and "该项目须上传照片作为证明" in text(r) and typed in text(r)
    # the form's own checks
    r = c.post("/points/me/", {"action": "declare", "description": typed, "deed_on": "明天"})
    assert r.status_code == 400
    html = text(r)
    assert "请选择积分项目" in html and "日期格式应为 YYYY-MM-DD" in html and typed in html
    r = c.post(
        "/points/me/",
        {**data, "deed_on": (today() - dt.timedelta(days=120)).isoformat(), "evidence": upload()},
    )
    assert r.status_code == 400 and "请在事项发生后90天内申报" in text(r)
    r = c.post("/points/me/", {**data, "description": "帮忙", "evidence": upload()})
    assert r.status_code == 400 and "请写明事项经过（至少5个字）" in text(r)
    # an automatic item is not among the choices
    r = c.post("/points/me/", {**data, "item": pw.item("L01").pk, "evidence": upload()})
    assert r.status_code == 400 and "请选择积分项目" in text(r)
    assert not Claim.objects.exists()
    assert r.context["summary"].earned == 0  # the page around the form is whole


def test_me_withdraw_buy_and_cancel(pw):
    m = pw.members[1]
    c = page(pw.users[1])
    claim = declare(pw, 1, "G01", description="参加社区议事会讨论")
    assert page(pw.users[2]).post("/points/me/", {"action": "withdraw", "claim": claim.pk}).status_code == 404
    r = c.post("/points/me/", {"action": "withdraw", "claim": claim.pk})
    assert r.status_code == 302
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.WITHDRAWN
    assert "申报已撤回" in text(c.get("/points/me/"))
    r = c.post("/points/me/", {"action": "withdraw", "claim": claim.pk})
    assert r.status_code == 400 and "该申报当前为“已撤回”，不能办理此环节" in text(r)

    r = c.post("/points/me/", {"action": "buy", "offer": pw.offer.pk})
    assert r.status_code == 400 and "可用积分不足：需要20分，您有0分" in text(r)
    assert not Voucher.objects.exists()
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "P01", description="获得市级优秀骑手表彰")
    assert (
        page(pw.outsider_user).post("/points/me/", {"action": "buy", "offer": pw.offer.pk}).status_code == 404
    )
    r = c.post("/points/me/", {"action": "buy", "offer": pw.offer.pk})
    assert r.status_code == 302
    voucher = Voucher.objects.get(member=m)
    assert r["Location"] == f"/points/me/#voucher-{voucher.pk}"
    assert Balance.objects.get(member=m).spendable == ledger_sums(m)[1] == 0
    html = text(c.get("/points/me/"))
    assert f"兑换成功：图书兑换券（50元），兑换码 {voucher.code}" in html
    assert (
        f'data-testid="voucher-code">{voucher.code}<' in html
        and f"/points/me/vouchers/{voucher.pk}/qr.svg" in html
    )

    assert (
        page(pw.users[2]).post("/points/me/", {"action": "cancel", "voucher": voucher.pk}).status_code == 404
    )
    r = c.post("/points/me/", {"action": "cancel", "voucher": voucher.pk})
    assert r.status_code == 302
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.CANCELLED
    assert Balance.objects.get(member=m).spendable == ledger_sums(m)[1] == 20
    assert Offer.objects.get(pk=pw.offer.pk).stock == 3
    assert "已取消兑换，20分已退回" in text(c.get("/points/me/"))
    r = c.post("/points/me/", {"action": "cancel", "voucher": voucher.pk})
    assert r.status_code == 400 and "该兑换券已取消" in text(r)
    r = c.post("/points/me/", {"action": "fly"})
    assert r.status_code == 400 and "未知的操作" in text(r)


def test_voucher_qr_is_the_owners_only(pw):
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "P01", description="获得市级优秀骑手表彰")
    voucher = services.voucher_buy(actor=pw.users[1], offer=pw.offer)
    r = page(pw.users[1]).get(f"/points/me/vouchers/{voucher.pk}/qr.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert r.content.lstrip().startswith(b"<svg") and b"<path" in r.content
    assert page(pw.users[2]).get(f"/points/me/vouchers/{voucher.pk}/qr.svg").status_code == 404
    assert page(pw.partner_user).get(f"/points/me/vouchers/{voucher.pk}/qr.svg").status_code == 403
    assert page(pw.users[1]).post(f"/points/me/vouchers/{voucher.pk}/qr.svg").status_code == 405


# --- the 公示 board ---------------------------------------------------------------------------------


def test_notice_board_and_objection(pw):
    claim = to_notice(pw, declare(pw))
    c = page(pw.users[2])
    r = c.get("/points/notices/")
    assert r.status_code == 200
    html = text(r)
    assert f'data-testid="notice-{claim.pk}"' in html and "王骑手 · 参加志愿服务（+5分）" in html
    assert claim.notice.ends_on.strftime("%Y-%m-%d") in html
    assert 'data-testid="no-notices"' in text(page(pw.outsider_user).get("/points/notices/"))

    r = c.post("/points/notices/", {"claim": claim.pk, "reason": "不对"})
    assert r.status_code == 400
    html = text(r)
    assert "请写明异议理由（至少5个字）" in html and ">不对</textarea>" in html
    r = c.post("/points/notices/", {"claim": claim.pk, "reason": ""})
    assert r.status_code == 400 and "请填写理由" in text(r)
    assert (
        page(pw.outsider_user)
        .post("/points/notices/", {"claim": claim.pk, "reason": "我也有意见要提出来"})
        .status_code
        == 404
    )
    assert not Objection.objects.exists()
    r = c.post(
        "/points/notices/", {"claim": claim.pk, "reason": "当天他在送单，没有参加志愿服务", "anonymous": "1"}
    )
    assert r.status_code == 302
    o = Objection.objects.get()
    assert (o.author, o.anonymous, o.notice_id) == (pw.users[2], True, claim.notice_id)
    assert "异议已提交，党委将核实处理" in text(c.get("/points/notices/"))


# --- the queues ---------------------------------------------------------------------------------------


def test_queue_for_the_secretary_and_the_committee(pw):
    a = declare(pw, 1)
    b = declare(pw, 2, "G01", description="参加社区议事会讨论")
    own = declare(pw, 0, "G01", description="组织社区议事会讨论")
    approved = declare(pw, 3, "G01", description="参加社区议事会讨论")
    services.claim_review(actor=pw.secretary, claim=approved, decision="approve")
    r = page(pw.secretary).get("/points/")
    assert r.status_code == 200
    assert {x.pk for x in r.context["to_review"]} == {a.pk, b.pk}
    assert r.context["to_confirm"] is None
    html = text(r)
    assert 'data-testid="review-queue"' in html and 'data-testid="confirm-queue"' not in html
    assert f'name="claim" value="{a.pk}"' in html and f'name="claim" value="{own.pk}"' not in html
    assert {x.pk for x in r.context["page"]} == {a.pk, b.pk, own.pk, approved.pk}

    r = page(pw.committee_user).get("/points/")
    assert r.status_code == 200
    assert r.context["to_review"] is None and [x.pk for x in r.context["to_confirm"]] == [approved.pk]
    html = text(r)
    assert 'data-testid="confirm-queue"' in html and 'data-testid="review-queue"' not in html
    assert f'name="claim" value="{approved.pk}"' in html
    r = page(pw.committee_user).get("/points/", {"status": "approved"})
    assert [x.pk for x in r.context["page"]] == [approved.pk]
    r = page(pw.committee_user).get("/points/", {"q": "张"})
    assert [x.pk for x in r.context["page"]] == [b.pk]

    other = page(pw.other_secretary).get("/points/")
    assert list(other.context["to_review"]) == [] and list(other.context["page"]) == []
    assert page(pw.users[1]).get("/points/").status_code == 403
    assert page(pw.partner_user).get("/points/").status_code == 403


def test_bulk_review_page(pw):
    a = declare(pw, 1)
    b = declare(pw, 2, "G01", description="参加社区议事会讨论")
    own = declare(pw, 0, "G01", description="组织社区议事会讨论")
    foreign = other_committee_claim(pw)
    c = page(pw.secretary)
    assert c.post("/points/bulk/review/", {"claim": [a.pk, foreign.pk]}).status_code == 404
    assert c.post("/points/bulk/review/", {"claim": [a.pk, 999999]}).status_code == 404
    assert set(Claim.objects.values_list("status", flat=True)) == {"submitted"}
    assert page(pw.committee_user).post("/points/bulk/review/", {"claim": [a.pk]}).status_code == 403
    assert c.get("/points/bulk/review/").status_code == 405

    r = c.post("/points/bulk/review/", {"claim": [a.pk, b.pk, own.pk]})
    assert r.status_code == 302 and r["Location"] == "/points/"
    assert Claim.objects.get(pk=a.pk).status == Claim.objects.get(pk=b.pk).status == ClaimStatus.APPROVED
    assert Claim.objects.get(pk=own.pk).status == ClaimStatus.SUBMITTED
    html = text(c.get("/points/"))
    assert "已审核通过2条" in html and "不能审核或认定本人的积分申报" in html
    c.post("/points/bulk/review/", {})
    assert "请勾选申报" in text(c.get("/points/"))


def test_bulk_confirm_page(pw):
    a = declare(pw, 1)
    b = declare(pw, 2, "G01", description="参加社区议事会讨论")
    for x in (a, b):
        services.claim_review(actor=pw.secretary, claim=x, decision="approve")
    foreign = other_committee_claim(pw)
    services.claim_review(actor=pw.other_secretary, claim=foreign, decision="approve")
    c = page(pw.committee_user)
    assert c.post("/points/bulk/confirm/", {"claim": [a.pk, b.pk, foreign.pk]}).status_code == 404
    assert set(Claim.objects.values_list("status", flat=True)) == {"approved"}
    assert not PublicNotice.objects.exists()
    assert page(pw.secretary).post("/points/bulk/confirm/", {"claim": [a.pk]}).status_code == 403

    r = c.post("/points/bulk/confirm/", {"claim": [a.pk, b.pk]})
    assert r.status_code == 302
    assert set(Claim.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"notice"}
    assert PublicNotice.objects.count() == 2
    assert "已认定并开始公示2条" in text(c.get("/points/"))
    r = c.post("/points/bulk/confirm/", {"claim": [a.pk]})
    assert "该申报当前为“公示中”，不能办理此环节" in text(c.get("/points/"))


# --- a claim's page ---------------------------------------------------------------------------------------


def test_claim_page_review_confirm_and_settle(pw):
    claim = declare(pw)
    url = f"/points/claims/{claim.pk}/"
    sec = page(pw.secretary)
    r = sec.get(url)
    assert r.status_code == 200 and r.context["can_review"] and not r.context["can_confirm"]
    html = text(r)
    assert 'data-testid="review"' in html and 'data-testid="confirm"' not in html
    assert 'data-testid="evidence-image"' in html and "快递外卖行业党员积分细则》第1版" in html
    assert page(pw.other_secretary).get(url).status_code == 404
    assert page(pw.users[2]).get(url).status_code == 403

    # 退回 needs a reason: the refusal comes back as a Chinese message
    r = sec.post(url, {"action": "return"})
    assert r.status_code == 302
    assert (
        "请填写理由" in text(sec.get(url)) and Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED
    )
    r = sec.post(url, {"action": "approve"})
    assert r.status_code == 302 and r["Location"] == url
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    r = sec.get(url)
    assert "已办理" in text(r) and not r.context["can_review"]
    assert page(pw.secretary).post(url, {"action": "confirm"}).status_code == 403

    committee = page(pw.committee_user)
    r = committee.get(url)
    assert r.context["can_confirm"] and 'data-testid="confirm-button"' in text(r)
    r = committee.post(url, {"action": "confirm_reject"})
    assert "请填写理由" in text(committee.get(url))
    committee.post(url, {"action": "confirm"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NOTICE and claim.notice_id
    r = committee.get(url)
    assert not r.context["can_confirm"] and "公示中" in text(r)
    services.claim_object(actor=pw.users[2], claim=claim, reason="当天他在送单，没有参加志愿服务")
    claim = close(claim)
    assert claim.status == ClaimStatus.OBJECTED
    r = committee.get(url)
    html = text(r)
    assert r.context["can_confirm"] and "公示异议复核" in html and "当天他在送单，没有参加志愿服务" in html
    committee.post(url, {"action": "settle_credit"})
    assert "请填写理由" in text(committee.get(url))
    r = committee.post(url, {"action": "settle_credit", "reason": "有签到记录，异议不成立"})
    assert r.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CREDITED
    entry = Entry.objects.get(claim=claim)
    assert (entry.points, entry.kind, entry.decided_by) == (5, EntryKind.CREDIT, pw.committee_user)
    r = committee.get(url)
    assert 'data-testid="entry">+5 分' in text(r)
    steps = [s.action for s in r.context["steps"]]
    assert steps == ["declare", "approve", "confirm", "objected", "settle_credit"]
    assert Objection.objects.get().status == Objection.Status.DISMISSED
    r = committee.post(url, {"action": "settle_reject", "reason": "再复核一次"})
    assert "该申报当前为“已计入”，不能办理此环节" in text(committee.get(url))


def test_secretary_sees_no_review_form_for_their_own_claim(pw):
    own = declare(pw, 0, "G01", description="组织社区议事会讨论")
    url = f"/points/claims/{own.pk}/"
    sec = page(pw.secretary)
    r = sec.get(url)
    assert r.status_code == 200 and not r.context["can_review"]
    assert 'data-testid="review"' not in text(r) and "组织社区议事会讨论" in text(r)
    sec.post(url, {"action": "approve"})
    assert "不能审核或认定本人的积分申报" in text(sec.get(url))
    assert Claim.objects.get(pk=own.pk).status == ClaimStatus.SUBMITTED


# --- rankings, the ledger, the catalogue ------------------------------------------------------------------


@pytest.fixture
def ledger(pw):
    t = today()
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 2, "V01")
    credited(pw, 3, "G01", description="参加社区议事会讨论")
    wrong = credited(pw, 3, "V01")
    services.entry_reverse(actor=pw.committee_user, entry=Entry.objects.get(claim=wrong), reason="认定有误")
    attended(pw.members[1], t)
    attended(pw.members[2], t)
    attended(pw.members[2], t, kind="lecture")
    absent(pw.members[3], t)
    attended(pw.members[1], t.replace(year=t.year - 1, month=5, day=5))
    return t


def test_ranking_page(pw, ledger):
    t = ledger
    c = page(pw.committee_user)
    r = c.get("/points/ranking/", {"org": pw.committee.pk, "period": "year"})
    assert r.status_code == 200 and r.context["org"] == pw.committee
    want = expected_ranking(pw.committee, dt.date(t.year, 1, 1), dt.date(t.year + 1, 1, 1))
    got = {
        row["member_id"]: (row["rank"], row["total"], row["categories"], row["basic"], row["pioneer"])
        for row in r.context["rows"]
    }
    assert got == want and len(got) == 3
    html = text(r)
    assert f"积分排名 · 快递外卖行业党委 · {t.year}年" in html
    assert "王骑手" in html and 'data-testid="export"' in html
    r = c.get("/points/ranking/", {"org": pw.committee.pk, "by": "branch", "category": "life"})
    month = (t.replace(day=1), (t.replace(day=1) + dt.timedelta(days=32)).replace(day=1))
    got = {
        row["branch_id"]: (row["rank"], row["total"], row["categories"], row["basic"], row["pioneer"])
        for row in r.context["rows"]
    }
    assert got == expected_ranking(pw.committee, *month, by="branch", category="life")
    assert got[pw.branch.pk][1] == 2 + 4 - 3
    # a secretary ranks their branch; a member has no ranking page
    r = page(pw.secretary).get("/points/ranking/")
    assert r.context["org"] == pw.branch and {row["member_id"] for row in r.context["rows"]} == set(
        expected_ranking(pw.branch, *month)
    )
    r = page(pw.secretary).get("/points/ranking/", {"org": pw.committee.pk})
    assert r.context["org"] == pw.branch and "选择一个有效的选项" in text(r)
    assert page(pw.users[1]).get("/points/ranking/").status_code == 403


def test_ledger_workbook_sums_equal_the_ledger(pw, ledger):
    t = ledger
    c = page(pw.committee_user)
    r = c.get("/points/ledger.xlsx", {"org": pw.committee.pk, "period": "year", "on": t.isoformat()})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    assert wb.sheetnames == ["积分登记表", "积分明细"]
    ws = wb["积分登记表"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "名次",
        "姓名",
        "所在支部",
        "党的生活",
        "学习培训",
        "志愿服务",
        "基层治理",
        "工作好评",
        "基础分",
        "先锋分",
        "合计",
        "记录条数",
    ]
    start, end = dt.date(t.year, 1, 1), dt.date(t.year + 1, 1, 1)
    year_rows = [
        e
        for e in Entry.objects.select_related("member__person")
        if e.kind in EARNING_KINDS and start <= e.on < end
    ]
    want = defaultdict(lambda: {"cats": [0] * 5, "basic": 0, "pioneer": 0, "total": 0, "n": 0})
    for e in year_rows:
        w = want[e.member.person.name]
        w["cats"][CATEGORY_CODES.index(e.category)] += e.points
        w["basic" if e.tier == "basic" else "pioneer"] += e.points
        w["total"] += e.points
        w["n"] += 1
    got = {}
    for row in rows[1:]:
        rank, name, branch, *cats = row[:8]
        basic, pioneer, total, n = row[8:12]
        got[name] = {
            "rank": int(rank),
            "cats": [int(x or 0) for x in cats],
            "basic": int(basic or 0),
            "pioneer": int(pioneer or 0),
            "total": int(total or 0),
            "n": int(n or 0),
        }
        assert branch == "骑手流动党员党支部"
    totals = [w["total"] for w in want.values()]
    for w in want.values():  # ties share a rank
        w["rank"] = 1 + sum(1 for x in totals if x > w["total"])
    assert got == dict(want) and set(got) == {"王骑手", "张骑手", "陈骑手"}
    assert [row[10] for row in rows[1:]] == sorted(totals, reverse=True)
    # the second sheet: every row of the year, spends included
    detail = list(wb["积分明细"].iter_rows(values_only=True))[1:]
    year_all = Entry.objects.filter(on__gte=start, on__lt=end)
    assert len(detail) == year_all.count()
    assert sum(int(row[7] or 0) for row in detail) == sum(e.points for e in year_all)
    assert any(str(row[9]).startswith("冲正：") for row in detail)
    # not another committee's, not a member's
    assert c.get("/points/ledger.xlsx", {"org": pw.other.pk}).status_code == 404
    assert page(pw.users[1]).get("/points/ledger.xlsx", {"org": pw.branch.pk}).status_code == 403


def test_catalogue_page(pw):
    start = today() - dt.timedelta(days=10)
    items = services.catalogue_items(pw.catalogue)
    v2 = services.catalogue_publish(
        actor=pw.committee_user,
        org=pw.committee,
        title="快递外卖行业党员积分细则（修订）",
        start_on=start,
        items=items,
    )
    r = page(pw.committee_user).get("/points/catalogue/")
    assert r.status_code == 200
    assert [x.pk for x in r.context["catalogues"]] == [v2.pk, pw.catalogue.pk]
    html = text(r)
    assert f'data-testid="catalogue-{v2.pk}"' in html and "（施行中）" in html
    assert f"至{start:%Y-%m-%d}止（已停止施行）" in html
    assert "每月4" in html and "每月10，每年30" in html and "自动计分" in html
    # a member opens it from their own page and sees the version in force for them
    me = page(pw.users[1])
    assert "/points/catalogue/" in text(me.get("/points/me/"))
    r = me.get("/points/catalogue/")
    assert r.status_code == 200
    assert [x.pk for x in r.context["catalogues"]] == [v2.pk]
    assert page(pw.partner_user).get("/points/catalogue/").status_code == 403


# --- the partner's redemption ---------------------------------------------------------------------------


def test_redeem_page_lookup_then_redeem(pw):
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "P01", description="获得市级优秀骑手表彰")
    voucher = services.voucher_buy(actor=pw.users[1], offer=pw.offer)
    c = page(pw.partner_user)
    r = c.get("/points/redeem/")
    assert r.status_code == 200 and 'data-testid="voucher"' not in text(r)
    r = c.get("/points/redeem/", {"code": voucher.code.lower()})
    assert r.status_code == 200
    html = text(r)
    assert 'data-testid="voucher"' in html and "图书兑换券（50元）" in html and 'data-testid="redeem"' in html
    assert "<dd>王**</dd>" in html and "王骑手" not in html
    r = c.get("/points/redeem/", {"code": "ABCDEFGHJK"})
    assert r.status_code == 400 and "没有该兑换码（或不是本单位的服务）" in text(r)
    r = c.get("/points/redeem/", {"code": ""})
    assert r.status_code == 400 and "请输入兑换码" in text(r)

    r = c.post("/points/redeem/", {"code": voucher.code, "action": "redeem"})
    assert r.status_code == 302 and r["Location"] == "/points/redeem/"
    voucher.refresh_from_db()
    assert (voucher.status, voucher.redeemed_by) == (VoucherStatus.REDEEMED, pw.partner_user)
    html = text(c.get("/points/redeem/"))
    assert "核销成功：图书兑换券（50元）" in html and voucher.code in html  # among the recent ones
    r = c.get("/points/redeem/", {"code": voucher.code})
    assert 'data-testid="voucher-status">已核销<' in text(r) and 'data-testid="redeem"' not in text(r)
    r = c.post("/points/redeem/", {"code": voucher.code, "action": "redeem"})
    assert r.status_code == 400 and "该兑换券已核销，不能再次核销" in text(r)
    # another partner's staff do not find it
    clinic = services.partner_save(actor=None, org=pw.committee, name="新河社区诊所", kind="medical")
    clinic_user = UserFactory()
    grant_create(
        actor=None,
        user=clinic_user,
        role=Role.PARTNER,
        assignment_kind="points_partners",
        object_ids=[str(clinic.pk)],
    )
    r = page(clinic_user).get("/points/redeem/", {"code": voucher.code})
    assert (
        r.status_code == 400
        and "没有该兑换码（或不是本单位的服务）" in text(r)
        and 'data-testid="voucher"' not in text(r)
    )
    assert page(pw.users[1]).get("/points/redeem/").status_code == 403
    assert (
        page(pw.committee_user)
        .post("/points/redeem/", {"code": voucher.code, "action": "redeem"})
        .status_code
        == 403
    )


def test_home_cards(pw):
    credited(pw, 1, "P01", description="获得区级优秀骑手表彰")
    credited(pw, 1, "P01", description="获得市级优秀骑手表彰")
    declare(pw, 2)
    voucher = services.voucher_buy(actor=pw.users[1], offer=pw.offer)
    services.voucher_redeem(actor=pw.partner_user, code=voucher.code)
    html = text(page(pw.users[1]).get("/"))
    assert 'data-card="points.mine"' in html and 'data-testid="card-spendable">0 <' in html
    assert "累计 20 分" in html
    html = text(page(pw.secretary).get("/"))
    assert 'data-card="points.queue"' in html and "待支部审核 <strong>1</strong> 件" in html
    html = text(page(pw.partner_user).get("/"))
    assert 'data-card="points.partner"' in html and "今日已核销 <strong>1</strong> 张" in html
    assert 'data-card="points.mine"' not in html
