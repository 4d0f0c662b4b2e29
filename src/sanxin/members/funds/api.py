"""/api/v1/members/funds: 党组织经费 — an org's funds ledger (dues returned to it, party-work funds
allocated by the committee, spending with receipts, balance). Reads need the people ``view`` scope
over the org, writes ``change``; every write goes through ``members.funds.services``.

A spending's receipt travels in the JSON body as base64 (an image or a PDF, checked by content;
requests are limited to 5 MB, so a receipt to about 3.5 MB — pages take files up to the purpose's
limit)."""

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.files.uploadedfile import SimpleUploadedFile
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.errors import InvalidInput
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org

from . import selectors, services
from .models import FundEntry

router = Router(tags=["党组织经费"])

Kind = Literal["dues_return", "allocation_in", "other_income", "spending", "allocation_out"]
Category = Literal["", "activity", "study", "care", "position", "other"]


class FundEntryOut(Schema):
    id: int
    org_id: int
    kind: str
    category: str
    amount: Decimal = Field(description="收入为正、支出为负（元）")
    occurred_on: dt.date
    counterpart: str
    note: str
    receipt_url: str | None = Field(None, description="凭证下载地址")
    period_from: dt.date | None
    period_to: dt.date | None
    transfer: str | None = Field(None, description="下拨批次：同一次下拨的两笔记录相同")
    reverses_id: int | None = Field(None, description="冲销的原记录")
    reversed_by_id: int | None = Field(None, description="冲销本记录的记录")

    @staticmethod
    def resolve_receipt_url(obj):
        return f"/files/{obj.receipt_id}/" if obj.receipt_id else None

    @staticmethod
    def resolve_transfer(obj):
        return str(obj.transfer) if obj.transfer else None

    @staticmethod
    def resolve_reversed_by_id(obj):
        reversal = getattr(obj, "reversal", None)  # a missing reverse one-to-one is an AttributeError
        return reversal.pk if reversal is not None else None


class EntryQuery(Schema):
    org_id: int | None = None
    kind: Literal["", "dues_return", "allocation_in", "other_income", "spending", "allocation_out"] = ""
    category: Category = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/entries", response=list[FundEntryOut], summary="经费收支记录")
@paginate(PageNumber)
@permission("people", "view")
def entry_list(request, filters: Query[EntryQuery]):
    org = request.scope.get(Org, pk=filters.org_id) if filters.org_id else None
    return selectors.entries(
        request.scope,
        org=org,
        kind=filters.kind,
        category=filters.category,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


class MonthOut(Schema):
    month: dt.date
    dues_return: Decimal
    allocation_in: Decimal
    other_income: Decimal
    spending: Decimal
    allocation_out: Decimal
    income: Decimal
    outflow: Decimal
    net: Decimal
    closing: Decimal = Field(description="月末余额")


class FundSummaryOut(Schema):
    org_id: int
    org_name: str
    balance: Decimal
    year: int
    months: list[MonthOut]


class SummaryQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/orgs/{org_id}/summary", response=FundSummaryOut, summary="余额与月度收支汇总")
@permission("people", "view", model=Org, lookup="org_id")
def org_summary(request, org_id: int, params: Query[SummaryQuery]):
    org = request.scope.get(Org, pk=org_id)
    year = params.year or dt.date.today().year
    return {
        "org_id": org.pk,
        "org_name": org.name,
        "balance": selectors.balance(org),
        "year": year,
        "months": selectors.monthly(org, year),
    }


class ReceiptIn(Schema):
    name: str = Field(max_length=255, description="文件名，如 发票.jpg")
    content_base64: str = Field(description="文件内容（base64）")


class EntryIn(Schema):
    kind: Literal["allocation_in", "other_income", "spending"]
    amount: str = Field(max_length=20, description="金额（元），正数")
    occurred_on: dt.date
    category: Category = Field("", description="支出用途（支出必填）")
    counterpart: str = Field("", max_length=100)
    note: str = Field("", max_length=200)
    receipt: ReceiptIn | None = Field(None, description="凭证（支出必填）：图片或 PDF")


def _receipt(receipt: ReceiptIn | None):
    """The receipt as an uploaded file for the service, which stores it only once the entry passes."""
    if receipt is None:
        return None
    try:
        content = base64.b64decode(receipt.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("凭证内容不是有效的 base64", field="receipt") from None
    return SimpleUploadedFile(receipt.name, content)


@router.post("/orgs/{org_id}/entries", response={201: FundEntryOut}, summary="登记收入或支出")
@permission("people", "change", model=Org, lookup="org_id")
def entry_record(request, org_id: int, payload: EntryIn):
    org = request.scope.get(Org, pk=org_id)
    if payload.kind == "spending" and payload.receipt is None:
        raise InvalidInput("支出须上传凭证（发票、收据的照片或 PDF）", field="receipt", code="no_receipt")
    entry = services.entry_record(
        actor=request.auth,
        org=org,
        kind=payload.kind,
        amount=payload.amount,
        occurred_on=payload.occurred_on,
        category=payload.category,
        counterpart=payload.counterpart,
        note=payload.note,
        receipt_upload=_receipt(payload.receipt) if payload.kind == "spending" else None,
    )
    return Status(201, entry)


class AllocationIn(Schema):
    target_id: int = Field(description="接收经费的下级党组织")
    amount: str = Field(max_length=20)
    occurred_on: dt.date
    note: str = Field("", max_length=200)


class AllocationOut(Schema):
    outflow: FundEntryOut
    inflow: FundEntryOut


@router.post("/orgs/{org_id}/allocations", response={201: AllocationOut}, summary="向下级党组织下拨经费")
@permission("people", "change", model=Org, lookup="org_id")
def funds_allocate(request, org_id: int, payload: AllocationIn):
    source = request.scope.get(Org, pk=org_id)
    target = request.scope.get(Org, pk=payload.target_id)
    out, into = services.funds_allocate(
        actor=request.auth,
        source=source,
        target=target,
        amount=payload.amount,
        occurred_on=payload.occurred_on,
        note=payload.note,
    )
    return Status(201, {"outflow": out, "inflow": into})


class ProposalQuery(Schema):
    period_from: dt.date | None = Field(None, description="所属期起，默认上一个季度")
    period_to: dt.date | None = Field(None, description="所属期止（含），默认上一个季度末")
    share: Decimal | None = Field(None, gt=0, le=1, description="返还比例，默认按系统配置")


class ProposalOut(Schema):
    org_id: int
    period_from: dt.date
    period_to: dt.date
    collected: Decimal = Field(description="期间收缴的党费（按交纳日期）")
    share: Decimal
    amount: Decimal = Field(description="建议返还金额")


@router.get("/orgs/{org_id}/dues-return-proposal", response=ProposalOut, summary="党费返还建议金额")
@permission("people", "view", model=Org, lookup="org_id")
def dues_return_proposal(request, org_id: int, params: Query[ProposalQuery]):
    org = request.scope.get(Org, pk=org_id)
    first, last = selectors.last_quarter(dt.date.today())
    first, last = params.period_from or first, params.period_to or last
    if last < first:
        raise InvalidInput("所属期止不能早于所属期起", field="period_to")
    p = selectors.dues_return_proposal(org, first, last, params.share)
    return {
        "org_id": org.pk,
        "period_from": p.period_from,
        "period_to": p.period_to,
        "collected": p.collected,
        "share": p.share,
        "amount": p.amount,
    }


class DuesReturnIn(Schema):
    period_from: dt.date = Field(description="所属期起（取该月）")
    period_to: dt.date = Field(description="所属期止（取该月，含）")
    occurred_on: dt.date
    amount: str = Field("", max_length=20, description="返还金额，默认按比例计算")
    share: str = Field("", max_length=10, description="返还比例，默认按系统配置")
    counterpart: str = Field("", max_length=100)
    note: str = Field("", max_length=200)


@router.post("/orgs/{org_id}/dues-returns", response={201: FundEntryOut}, summary="登记党费返还")
@permission("people", "change", model=Org, lookup="org_id")
def dues_return_record(request, org_id: int, payload: DuesReturnIn):
    org = request.scope.get(Org, pk=org_id)
    entry = services.dues_return_record(
        actor=request.auth,
        org=org,
        period_from=payload.period_from,
        period_to=payload.period_to,
        occurred_on=payload.occurred_on,
        amount=payload.amount or None,
        share=payload.share or None,
        counterpart=payload.counterpart,
        note=payload.note,
    )
    return Status(201, entry)


class FundReverseIn(Schema):
    reason: str = Field(max_length=200, description="冲销原因")
    occurred_on: dt.date | None = Field(None, description="冲销日期，默认今天")


@router.post(
    "/entries/{entry_id}/reverse", response={201: list[FundEntryOut]}, summary="冲销（更正）一笔记录"
)
@permission("people", "change", model=FundEntry, lookup="entry_id")
def entry_reverse(request, entry_id: int, payload: FundReverseIn):
    entry = request.scope.get(FundEntry, pk=entry_id)
    out = services.entry_reverse(
        actor=request.auth, entry=entry, reason=payload.reason, occurred_on=payload.occurred_on
    )
    return Status(201, out)
