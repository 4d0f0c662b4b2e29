"""Writes of 双找双核: declaring and uploading a worker list, and the two checks of a finding.

双核 — who checks. Each finding is checked once by the organization department (``people.verify``,
``Role.ORG_DEPARTMENT`` over its orgs or region) and once by the industry regulator
(``people.verify_industry``), by industry anchor. The industry side is the industry party committee
(行业党委: "管行业必须管党建", it answers for the members of its industry) and also the competent
department of the industry (主管部门, e.g. 邮政管理, 交通运输) where a city runs the check through the
department instead; both hold the row over an industry only, so the check follows the list's declared
industry, not an org subtree or a region. Either order; one person cannot do both; either side can
reject with a reason, which ends the finding. Every check is an audited row.

Only when both sides have confirmed does a finding change the registry, through the member registry's
own services and with the organization department's checker as the actor (it chose the branch, and
its scope is the one those services require): a 找党员 finding registers the member in the chosen
branch (``member_register``, then ``member_flag_hidden`` as 口袋党员 with how-found 双找双核) or, for a
member whose formal org lies elsewhere, registers them as 流入 at the branch (``mobile_in``); a 找新就业
finding records the employment (``employment_record``). The office's confirmation, when it comes
first, rehearses that change in a savepoint, so a branch or date the registry would refuse is refused
then, with the registry's own message, not later at the other side's click."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.models import ImportJob, Industry, Region
from sanxin.core.query import any_prefix_q, prefix_q
from sanxin.core.regions import region_prefix
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.orgs.models import Org

from .. import services as member_services
from ..models import Hidden, Member, Standing, WorkKind
from .importers import WorkerListImporter
from .models import CheckSide, Finding, FindingBatch, FindingCheck, FindingKind, FindingStatus

HOW_FOUND = "双找双核"
ACTION = {CheckSide.OFFICE: "verify", CheckSide.INDUSTRY: "verify_industry"}


# --- the list --------------------------------------------------------------------------------------


def _declared(*, actor, region: Region | None, industry: Industry | None, platform, work_kind: str):
    if platform is not None:
        region = region or platform.region
        industry = industry or platform.industry
    if region is None:
        raise InvalidInput("请选择名单所在区划", field="region")
    if industry is None:
        raise InvalidInput("请选择行业（决定由哪个行业主管方核实）", field="industry")
    if work_kind not in WorkKind.values:
        raise InvalidInput("请选择名单的新就业形态", field="work_kind")
    scope = scope_for(actor, "people", "find")
    if scope.is_empty:
        raise PermissionDenied()
    # An office declares inside its region or industry; a secretary a region where its org lies.
    inside = scope.covers_place(region.code, industry.code) or (
        bool(scope.org_paths)
        and Org.objects.filter(any_prefix_q("path", list(scope.org_paths)))
        .filter(prefix_q("region_id", region_prefix(region.code)))
        .exists()
    )
    if not inside:
        raise InvalidInput("声明的区划和行业不在您的管理范围内", field="region")
    return region, industry


def batch_upload(
    *,
    actor,
    name: str,
    chunks,
    region: Region | None = None,
    industry: Industry | None = None,
    platform=None,
    work_kind: str = WorkKind.RIDER,
    mode: str = ImportJob.Mode.VALID_ONLY,
) -> FindingBatch:
    """Declare a worker list (its platform, region, industry and default work) and upload it: the
    import job waits for its column mapping on the core import pages. Nothing is written if the file
    or the declaration is refused."""
    from sanxin.core.excel import importer as imp

    region, industry = _declared(
        actor=actor, region=region, industry=industry, platform=platform, work_kind=work_kind
    )
    job = imp.job_create(
        actor=actor, importer_key=WorkerListImporter.key, name=name, chunks=chunks, mode=mode
    )
    try:
        with transaction.atomic():
            batch = model_create(
                FindingBatch,
                actor=actor,
                job=job,
                platform=platform,
                region=region,
                industry=industry,
                work_kind=work_kind,
            )
            ImportJob.objects.filter(pk=job.pk).update(context={**job.context, "batch_id": batch.pk})
    except BaseException:
        imp.job_cancel(actor=actor, job=job)
        raise
    return batch


# --- 双核 ------------------------------------------------------------------------------------------


def _locked(actor, finding: Finding, side: str) -> tuple[Finding, dict]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    if side not in CheckSide.values:
        raise InvalidInput("请选择核实方", field="side")
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("batch", "batch__region", "batch__industry", "person", "platform")
        .get(pk=finding.pk)
    )
    scope = scope_for(actor, "people", ACTION[side])
    # An empty scope still holds the uploader's own lists (owner): uploading is no right to check.
    if scope.is_empty:
        if scope_for(actor, "people", "find").contains(finding):
            raise PermissionDenied(f"您没有“{CheckSide(side).label}”的权限")
        raise NotFound()
    if not scope.contains(finding):
        raise NotFound()
    if finding.status != FindingStatus.PENDING:
        raise RuleViolation("该发现已办结", code="decided")
    checks = {c.side: c for c in FindingCheck.objects.filter(finding=finding)}
    if side in checks:
        raise RuleViolation(f"该发现已完成{CheckSide(side).label}", code="already_checked")
    other = checks.get(CheckSide.INDUSTRY if side == CheckSide.OFFICE else CheckSide.OFFICE)
    if other is not None and other.checked_by_id == actor.pk:
        raise RuleViolation("同一人不能同时完成组织部门和行业两方核实", code="same_person")
    return finding, checks


def _record(actor, finding: Finding, side: str, confirmed: bool, reason: str) -> FindingCheck:
    return model_create(
        FindingCheck,
        actor=actor,
        action="verify_confirm" if confirmed else "verify_reject",
        finding=finding,
        side=side,
        confirmed=confirmed,
        reason=reason,
        checked_by=actor,
    )


class _Rehearsal(Exception):
    pass


@transaction.atomic
def finding_confirm(
    *,
    actor,
    finding: Finding,
    side: str,
    branch: Org | None = None,
    joined_on: dt.date | None = None,
    standing: str = "",
    converted_on: dt.date | None = None,
) -> Finding:
    """One side confirms ``finding``. The organization department names, for a 找党员 finding, the
    branch (and, for someone not registered at all, the join date and standing from their file). The
    second confirmation changes the registry."""
    finding, checks = _locked(actor, finding, side)
    if side == CheckSide.OFFICE and finding.kind == FindingKind.MEMBER:
        finding = _choose(actor, finding, branch, joined_on, standing, converted_on)
    _record(actor, finding, side, True, "")
    other = checks.get(CheckSide.INDUSTRY if side == CheckSide.OFFICE else CheckSide.OFFICE)
    office = actor if side == CheckSide.OFFICE else (other.checked_by if other else None)
    if other is None:
        if side == CheckSide.OFFICE:
            try:
                with transaction.atomic():
                    _apply(office, finding)
                    raise _Rehearsal
            except _Rehearsal:
                pass
        return finding
    _apply(office, finding)
    finding, _ = model_update(
        finding,
        actor=actor,
        data={"status": FindingStatus.CONFIRMED, "decided_at": timezone.now()},
        action="finding_confirm",
    )
    return finding


def _choose(actor, finding: Finding, branch, joined_on, standing, converted_on) -> Finding:
    if branch is None:
        raise InvalidInput("请选择登记到的党支部", field="branch")
    if not scope_for(actor, "people", "change").contains(branch):
        raise InvalidInput("该党支部不在您的管理范围内", field="branch")
    data = {"branch": branch}
    if not finding.elsewhere:
        if joined_on is None:
            raise InvalidInput("请填写入党日期（以组织关系介绍信或党员档案为准）", field="joined_on")
        if standing not in Standing.values:
            raise InvalidInput("请选择党员类别", field="standing")
        data |= {"joined_on": joined_on, "standing": standing, "converted_on": converted_on}
    finding, _ = model_update(finding, actor=actor, data=data, action="finding_choose")
    return finding


def _apply(actor, finding: Finding) -> None:
    """The registry change of a finding both sides confirmed, through the member registry's services."""
    today = timezone.localdate()
    if finding.kind == FindingKind.MEMBER and finding.elsewhere:
        member = Member.objects.get(person=finding.person)
        member_services.mobile_in(actor=actor, member=member, host=finding.branch, on=today)
    elif finding.kind == FindingKind.MEMBER:
        member = member_services.member_register(
            actor=actor,
            person=finding.person,
            org=finding.branch,
            joined_on=finding.joined_on,
            standing=finding.standing,
            converted_on=finding.converted_on,
            since=today,
            note=HOW_FOUND,
        )
        if scope_for(actor, "people", "flags").contains(finding.branch):
            member_services.member_flag_hidden(
                actor=actor, member=member, hidden=Hidden.POCKET, how=HOW_FOUND, on=today
            )
    else:
        platform = finding.platform
        member_services.employment_record(
            actor=actor,
            person=finding.person,
            kind=finding.work_kind,
            since=min(timezone.localdate(finding.batch.created_at), today),
            platform=platform,
            employer_name="" if platform else f"{finding.batch.industry.name}从业（{HOW_FOUND}）",
            work_region=finding.batch.region,
            work_area=finding.work_area,
        )


@transaction.atomic
def finding_reject(*, actor, finding: Finding, side: str, reason: str) -> Finding:
    """One side finds the finding untrue (not the person, not a member, already known...): it ends."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写否定的理由", field="reason")
    if len(reason) > 200:
        raise InvalidInput("理由不能超过200个字", field="reason")
    finding, _checks = _locked(actor, finding, side)
    _record(actor, finding, side, False, reason)
    finding, _ = model_update(
        finding,
        actor=actor,
        data={"status": FindingStatus.REJECTED, "decided_at": timezone.now()},
        action="finding_reject",
    )
    return finding
