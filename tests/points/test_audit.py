"""Every decision on points leaves an audit row naming who took it: the claim's steps, the 公示's
objection and end, a reversal, a purchase, its redemption and a cancellation, a catalogue's new version."""

import datetime as dt

import pytest
from django.utils import timezone

from sanxin.core import notices
from sanxin.core.models import AuditLog, PublicNotice
from sanxin.points import services
from sanxin.points.models import Catalogue, Entry
from tests.helpers import committed

from .conftest import ITEMS, photo

pytestmark = pytest.mark.django_db


def _actions(obj) -> list[tuple[str, int | None]]:
    return list(
        AuditLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", "actor_id")
    )


def test_each_step_is_audited_with_its_actor(pw):
    rider = pw.users[1]
    claim = services.claim_declare(
        actor=rider,
        item=pw.item("V01"),
        deed_on=timezone.localdate() - dt.timedelta(days=1),
        description="参加社区助老志愿服务",
        evidence=[photo(rider)],
    )
    services.claim_review(actor=pw.secretary, claim=claim, decision="approve")
    services.claim_confirm(actor=pw.committee_user, claim=claim)
    claim.refresh_from_db()
    notice = PublicNotice.objects.get(pk=claim.notice_id)
    objection = services.claim_object(actor=pw.users[2], claim=claim, reason="当天未见他参加活动")
    with committed():
        notices.notice_close(actor=None, notice=notice, on=notice.ends_on + dt.timedelta(days=1))
    services.claim_settle(actor=pw.committee_user2, claim=claim, credit=True, resolution="经核实确已参加")
    assert _actions(claim) == [
        ("declare", rider.pk),
        ("review_approve", pw.secretary.pk),
        ("confirm", pw.committee_user.pk),
        ("objected", None),
        ("settle", pw.committee_user2.pk),
    ]
    assert ("create", pw.users[2].pk) in _actions(objection)
    assert ("resolve", pw.committee_user2.pk) in _actions(objection)
    assert ("close", None) in _actions(notice)

    entry = Entry.objects.get(claim=claim)
    services.entry_reverse(actor=pw.committee_user, entry=entry, reason="重复申报")
    assert _actions(entry) == [("reverse", pw.committee_user.pk)]


def test_vouchers_and_catalogues_are_audited(pw):
    from django.db import transaction

    from sanxin.points import ledger

    member, user = pw.members[1], pw.users[1]
    with transaction.atomic():
        for n in range(4):
            ledger.award(
                member=member,
                item=pw.item("P01"),
                on=timezone.localdate(),
                reason="表彰",
                source_key=f"t:{n}",
            )
    voucher = services.voucher_buy(actor=user, offer=pw.offer)
    services.voucher_redeem(actor=pw.partner_user, code=voucher.code)
    other = services.voucher_buy(actor=user, offer=pw.offer)
    services.voucher_cancel(actor=user, voucher=other)
    assert [a for a, _ in _actions(voucher)] == ["buy", "redeem"]
    assert _actions(voucher)[1] == ("redeem", pw.partner_user.pk)
    assert [a for a, _ in _actions(other)] == ["buy", "cancel"]

    new = services.catalogue_publish(
        actor=pw.committee_user, org=pw.committee, title="修订版", start_on=dt.date(2030, 1, 1), items=ITEMS
    )
    assert _actions(new) == [("create", pw.committee_user.pk)]
    old = Catalogue.objects.get(pk=pw.catalogue.pk)
    assert ("supersede", pw.committee_user.pk) in _actions(old)
