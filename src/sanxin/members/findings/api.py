"""/api/v1/members/findings: 双找双核. The lists and findings in the caller's ``people.find`` scope
(offices of the region or industry, the uploader), and the two checks. A worker list is uploaded on
the page (the core import pages map its columns); the platform's own users are refused everything
here."""

import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.crypto import mask_phone
from sanxin.core.errors import InvalidInput
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org

from . import selectors, services
from .models import CheckSide, Finding, FindingBatch

router = Router(tags=["双找双核"])


class BatchOut(Schema):
    id: int
    platform_id: int | None
    platform_name: str | None = Field(None, validation_alias="platform.name")
    region_id: str
    industry_id: str
    work_kind: str
    job_status: str | None = Field(None, validation_alias="job.status")
    stats: dict
    created_at: dt.datetime


class CheckOut(Schema):
    side: str
    confirmed: bool
    reason: str
    checked_by: str = Field(validation_alias="checked_by.username")
    created_at: dt.datetime


class FindingOut(Schema):
    id: int
    batch_id: int
    person_id: int
    name: str = Field(validation_alias="person.name")
    phone_masked: str = ""
    kind: str
    elsewhere: bool
    reason: str
    listed_status: str
    work_kind: str
    work_area: str
    matched_by: str
    status: str
    branch_id: int | None
    checks: list[CheckOut]

    @staticmethod
    def resolve_phone_masked(obj):
        return mask_phone(obj.person.phone or "")

    @staticmethod
    def resolve_checks(obj):
        return list(obj.checks.all())


class FindingQuery(Schema):
    batch_id: int | None = Field(None, description="名单编号")
    kind: Literal["", "member", "work"] = Field("", description="member 找党员 / work 找新就业")
    status: Literal["", "pending", "confirmed", "rejected"] = ""


@router.get("/batches", response=list[BatchOut], summary="双找名单")
@paginate(PageNumber)
@permission("people", "find")
def batch_list(request):
    return selectors.batches(request.scope)


@router.get("/", response=list[FindingOut], summary="双找发现")
@paginate(PageNumber)
@permission("people", "find")
def finding_list(request, filters: Query[FindingQuery]):
    batch = None
    if filters.batch_id is not None:
        batch = request.scope.get(FindingBatch, pk=filters.batch_id)
    return selectors.findings(request.scope, batch=batch, kind=filters.kind, status=filters.status)


@router.get("/{finding_id}", response=FindingOut, summary="双找发现详情（含双核记录）")
@permission("people", "find", model=Finding, lookup="finding_id")
def finding_detail(request, finding_id: int):
    return request.scope.get(selectors.findings(request.scope), pk=finding_id)


class OfficeCheckIn(Schema):
    confirmed: bool = Field(description="true 属实 / false 否定")
    reason: str = Field("", max_length=200, description="否定理由（否定时必填）")
    branch_id: int | None = Field(None, description="找党员：登记到的党支部（核实属实时必填）")
    joined_on: dt.date | None = Field(None, description="找党员：入党日期（本库无其党员登记时必填）")
    standing: Literal["", "probationary", "full"] = ""
    converted_on: dt.date | None = None


class IndustryCheckIn(Schema):
    confirmed: bool = Field(description="true 属实 / false 否定")
    reason: str = Field("", max_length=200, description="否定理由（否定时必填）")


def _check(request, finding_id: int, side: str, payload) -> Finding:
    finding = request.scope.get(Finding, pk=finding_id)
    if not payload.confirmed:
        services.finding_reject(actor=request.auth, finding=finding, side=side, reason=payload.reason)
    else:
        branch = None
        if getattr(payload, "branch_id", None) is not None:
            branch = Org.objects.filter(pk=payload.branch_id).first()
            if branch is None:
                raise InvalidInput("没有找到该党支部", field="branch_id")
        services.finding_confirm(
            actor=request.auth,
            finding=finding,
            side=side,
            branch=branch,
            joined_on=getattr(payload, "joined_on", None),
            standing=getattr(payload, "standing", ""),
            converted_on=getattr(payload, "converted_on", None),
        )
    return selectors.findings(request.scope).get(pk=finding.pk)


@router.post("/{finding_id}/office", response=FindingOut, summary="双核：组织部门核实（属实或否定）")
@permission("people", "verify", model=Finding, lookup="finding_id")
def finding_check_office(request, finding_id: int, payload: OfficeCheckIn):
    return _check(request, finding_id, CheckSide.OFFICE, payload)


@router.post("/{finding_id}/industry", response=FindingOut, summary="双核：行业核实（属实或否定）")
@permission("people", "verify_industry", model=Finding, lookup="finding_id")
def finding_check_industry(request, finding_id: int, payload: IndustryCheckIn):
    return _check(request, finding_id, CheckSide.INDUSTRY, payload)
