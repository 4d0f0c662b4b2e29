"""The demo's funds ledgers: a year of 党组织经费 for the 10 mobile branches and the committees above
them — party-work funds received by the committees and allocated to the branches each quarter, the
share of each quarter's collected dues returned to the branch, spending on activities, study
materials, 慰问 and the branch's 阵地 with receipts, and a correction by reversal. All through the
services, so the balance never goes below zero and everything is audited."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sanxin.demo.registry import DemoContext, step
from sanxin.members.demo import MOBILE_BRANCHES
from sanxin.members.dues import add_months, month_start
from sanxin.orgs.models import Org, OrgStatus

from . import selectors, services
from .models import FundCategory, FundEntry, FundKind

SPENDING = [
    (FundCategory.ACTIVITY, "主题党日活动用品", "新河文体用品商店"),
    (FundCategory.ACTIVITY, "骑手党员志愿服务活动饮用水", "城关便利店"),
    (FundCategory.STUDY, "《党章》及学习读本", "新华书店新河店"),
    (FundCategory.STUDY, "学习强国答题活动奖品", "新河文体用品商店"),
    (FundCategory.CARE, "慰问生病住院的党员骑手", "新河人民医院旁水果店"),
    (FundCategory.CARE, "春节慰问困难党员", "新河超市"),
    (FundCategory.POSITION, "暖蜂驿站党员活动角布置", "新河广告制作部"),
    (FundCategory.POSITION, "党建宣传栏更新", "新河广告制作部"),
]


def _receipt_pdf(title: str, amount: Decimal, on: dt.date) -> bytes:
    """A one-page PDF standing in for a scanned receipt (ASCII text: the demo needs no font)."""
    text = f"Receipt {on:%Y-%m-%d} CNY {amount}"
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _spend(rng: random.Random, org: Org, on: dt.date) -> None:
    category, note, shop = rng.choice(SPENDING)
    amount = Decimal(rng.randrange(80, 900)) + Decimal(rng.choice([0, 50])) / 100
    available = selectors.available_on(org, on)
    if available < Decimal("50"):
        return
    amount = min(amount, (available * Decimal("0.6")).quantize(Decimal("0.01")))
    services.entry_record(
        actor=None,
        org=org,
        kind=FundKind.SPENDING,
        category=category,
        amount=amount,
        occurred_on=on,
        counterpart=shop,
        note=note,
        receipt_upload=SimpleUploadedFile(f"{on:%Y%m%d}-收据.pdf", _receipt_pdf(note, amount, on)),
    )


@step(order=58, name="funds")
def build_funds(ctx: DemoContext) -> None:
    if FundEntry.objects.exists():
        return
    rng = random.Random(20261203)
    today = timezone.localdate()
    this_month = month_start(today)
    first = add_months(this_month, -12)
    branches = list(
        Org.objects.filter(name__in=[b[0] for b in MOBILE_BRANCHES], status=OrgStatus.ACTIVE).order_by("path")
    )
    parents = {b.pk: Org.objects.get_parent(b) for b in branches}
    committees = {p.pk: p for p in parents.values() if p is not None}
    # The committees receive the year's party-work funds, then allocate a share to each branch a quarter.
    for c in committees.values():
        n = sum(1 for b in branches if parents[b.pk] == c)
        services.entry_record(
            actor=None,
            org=c,
            kind=FundKind.ALLOCATION_IN,
            amount=Decimal(6000 * n + 5000),
            occurred_on=first + dt.timedelta(days=2),
            counterpart="中共新河市委组织部",
            note=f"{first.year}—{today.year}年度党建工作经费",
        )
    quarters = [add_months(first, 3 * i) for i in range(4)]
    for q in quarters:
        for b in branches:
            c = parents[b.pk]
            if c is not None and q + dt.timedelta(days=5) <= today:
                services.funds_allocate(
                    actor=None,
                    source=c,
                    target=b,
                    amount=Decimal(1500),
                    occurred_on=q + dt.timedelta(days=5),
                    note=f"{q:%Y年%m月}起季度党建工作经费",
                )
    # Dues returned to the branch after each finished quarter, at the configured share.
    for q in quarters:
        last = add_months(q, 2)
        paid_back = add_months(q, 3) + dt.timedelta(days=9)
        if paid_back > today or last >= this_month:
            continue
        for b in branches:
            if selectors.dues_return_proposal(b, q, selectors.month_end(last)).amount > 0:
                services.dues_return_record(
                    actor=None,
                    org=b,
                    period_from=q,
                    period_to=last,
                    occurred_on=paid_back,
                    counterpart=parents[b.pk].name if parents[b.pk] else "",
                )
    # Spending through the year, one or two a month, with receipts.
    for i in range(12):
        month = add_months(first, i)
        for b in branches:
            for _ in range(rng.choice([1, 1, 2])):
                on = min(month + dt.timedelta(days=rng.randint(8, 27)), today)
                _spend(rng, b, on)
    # One correction: a spending recorded twice is reversed (the ledger keeps both rows).
    twice = FundEntry.objects.filter(kind=FundKind.SPENDING, org=branches[0]).order_by("occurred_on").first()
    if twice is not None:
        services.entry_reverse(actor=None, entry=twice, reason="重复登记", occurred_on=twice.occurred_on)
    ctx.progress(
        f"党组织经费：{len(branches)} 个流动党员党支部和 {len(committees)} 个上级党委的"
        f" {FundEntry.objects.count()} 笔收支"
    )
