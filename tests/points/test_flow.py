"""The claim flow from declaration to credit, through the 公示, and its refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from sanxin.core import notices
from sanxin.core.errors import NotFound, RuleViolation
from sanxin.core.models import PublicNotice
from sanxin.points import selectors, services
from sanxin.points.models import Balance, ClaimStatus, Entry
from tests.helpers import committed

from .conftest import photo

pytestmark = pytest.mark.django_db


def _close(claim, on=None):
    """End the claim's 公示 and deliver its closing event (as the task queue does after commit)."""
    claim.refresh_from_db()
    notice = PublicNotice.objects.get(pk=claim.notice_id)
    with committed():
        notices.notice_close(actor=None, notice=notice, on=on or notice.ends_on + dt.timedelta(days=1))
    claim.refresh_from_db()
    return claim


def _declare(pw, i=1, code="V01", **kw):
    user = pw.users[i]
    return services.claim_declare(
        actor=user,
        item=pw.item(code),
        deed_on=kw.pop("deed_on", timezone.localdate() - dt.timedelta(days=2)),
        description=kw.pop("description", "参加社区助老志愿服务两小时"),
        evidence=kw.pop("evidence", [photo(user)]),
        **kw,
    )


def test_declare_review_confirm_notice_credit(pw):
    claim = _declare(pw)
    assert claim.status == ClaimStatus.SUBMITTED and claim.committee == pw.committee
    services.claim_review(actor=pw.secretary, claim=claim, decision="approve")
    services.claim_confirm(actor=pw.committee_user, claim=claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NOTICE
    assert not Entry.objects.filter(member=pw.members[1]).exists()
    claim = _close(claim)
    assert claim.status == ClaimStatus.CREDITED
    entry = Entry.objects.get(claim=claim)
    assert (entry.points, entry.spendable, entry.category, entry.decided_by) == (
        5,
        5,
        "volunteer",
        pw.committee_user,
    )
    bal = Balance.objects.get(member=pw.members[1])
    assert (bal.earned, bal.spendable) == (5, 5)
    assert [s.action for s in claim.steps.all()] == ["declare", "approve", "confirm", "credit"]
    assert selectors.summary(pw.members[1]).by_category[2][2] == 5


def test_objection_sends_back_to_committee(pw):
    claim = _declare(pw)
    services.claim_review(actor=pw.secretary, claim=claim, decision="approve")
    services.claim_confirm(actor=pw.committee_user, claim=claim)
    services.claim_object(actor=pw.users[2], claim=claim, reason="当天他在送单，没有参加志愿服务")
    with pytest.raises(RuleViolation) as exc:  # another branch's member is not in the audience
        services.claim_object(actor=pw.outsider_user, claim=claim, reason="我也有意见要提出来")
    assert exc.value.code == "not_in_audience"
    claim = _close(claim)
    assert claim.status == ClaimStatus.OBJECTED
    services.claim_settle(actor=pw.committee_user, claim=claim, credit=False, resolution="经核实当日未参加")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert not Entry.objects.filter(claim=claim).exists()


def test_secretary_cannot_review_own_claim(pw):
    claim = services.claim_declare(
        actor=pw.secretary,
        item=pw.item("G01"),
        deed_on=timezone.localdate(),
        description="参加社区议事会讨论",
    )
    with pytest.raises(RuleViolation) as exc:
        services.claim_review(actor=pw.secretary, claim=claim, decision="approve")
    assert exc.value.code == "own_claim"
    assert (
        selectors.review_queue(services.scope_for(pw.secretary, "points", "review"), pw.secretary)
        .filter(pk=claim.pk)
        .count()
        == 0
    )


def test_other_branch_cannot_review(pw):
    claim = _declare(pw)
    with pytest.raises(NotFound):
        services.claim_review(actor=pw.other_secretary, claim=claim, decision="approve")


def test_evidence_and_catalogue_rules(pw):
    with pytest.raises(RuleViolation) as exc:
        _declare(pw, evidence=[])
    assert exc.value.code == "evidence_required"
    with pytest.raises(RuleViolation) as exc:
        _declare(pw, code="L01", evidence=[])
    assert exc.value.code == "automatic_item"
    with pytest.raises(RuleViolation) as exc:
        _declare(pw, deed_on=timezone.localdate() - dt.timedelta(days=200))
    assert exc.value.code == "too_late"


def test_cap_counts_confirmed_claims(pw):
    claims = [_declare(pw) for _ in range(3)]  # 5 each; month cap 10
    for c in claims:
        services.claim_review(actor=pw.secretary, claim=c, decision="approve")
    services.claim_confirm(actor=pw.committee_user, claim=claims[0])
    services.claim_confirm(actor=pw.committee_user, claim=claims[1])
    with pytest.raises(RuleViolation) as exc:
        services.claim_confirm(actor=pw.committee_user, claim=claims[2])
    assert exc.value.code == "cap_reached"
    with pytest.raises(RuleViolation):
        _declare(pw)


def test_voucher_buy_redeem_cancel(pw):
    m, user = pw.members[1], pw.users[1]
    with pytest.raises(RuleViolation) as exc:
        services.voucher_buy(actor=user, offer=pw.offer)
    assert exc.value.code == "insufficient_points"
    for _ in range(2):
        c = _declare(pw, code="P01", evidence=[photo(user)], description="获得区级优秀骑手表彰")
        services.claim_review(actor=pw.secretary, claim=c, decision="approve")
        services.claim_confirm(actor=pw.committee_user, claim=c)
        _close(c)
    assert Balance.objects.get(member=m).spendable == 20
    v = services.voucher_buy(actor=user, offer=pw.offer)
    bal = Balance.objects.get(member=m)
    assert (bal.earned, bal.spendable) == (20, 0)
    pw.offer.refresh_from_db()
    assert pw.offer.stock == 2
    with pytest.raises(NotFound):
        services.voucher_redeem(actor=pw.other_secretary, code=v.code)
    services.voucher_redeem(actor=pw.partner_user, code=v.code.lower())
    with pytest.raises(RuleViolation) as exc:
        services.voucher_redeem(actor=pw.partner_user, code=v.code)
    assert exc.value.code == "voucher_used"
    with pytest.raises(RuleViolation):
        services.voucher_cancel(actor=user, voucher=v)


def test_voucher_cancel_and_expiry_return_points_and_stock(pw):
    m, user = pw.members[1], pw.users[1]
    c = _declare(pw, code="P01", evidence=[photo(user)], description="获得区级优秀骑手表彰")
    services.claim_review(actor=pw.secretary, claim=c, decision="approve")
    services.claim_confirm(actor=pw.committee_user, claim=c)
    _close(c)
    c2 = _declare(pw, code="P01", evidence=[photo(user)], description="获得市级优秀骑手表彰")
    services.claim_review(actor=pw.secretary, claim=c2, decision="approve")
    services.claim_confirm(actor=pw.committee_user, claim=c2)
    _close(c2)
    v = services.voucher_buy(actor=user, offer=pw.offer)
    services.voucher_cancel(actor=user, voucher=v)
    assert Balance.objects.get(member=m).spendable == 20
    v2 = services.voucher_buy(actor=user, offer=pw.offer)
    assert services.vouchers_expire(today=v2.expires_on + dt.timedelta(days=1)) == 1
    v2.refresh_from_db()
    pw.offer.refresh_from_db()
    assert v2.status == "expired" and pw.offer.stock == 3
    assert Balance.objects.get(member=m).spendable == 20


def test_ledger_rows_are_immutable(pw):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    from sanxin.points.models import LedgerIsImmutable

    c = _declare(pw, code="G01", evidence=[])
    services.claim_review(actor=pw.secretary, claim=c, decision="approve")
    services.claim_confirm(actor=pw.committee_user, claim=c)
    _close(c)
    entry = Entry.objects.get(claim=c)
    entry.points = 100
    with pytest.raises(LedgerIsImmutable):
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(points=100)
    with connection.cursor() as cur:
        cur.execute("SELECT points FROM points_entry WHERE id = %s", [entry.pk])
        assert cur.fetchone()[0] == 3
