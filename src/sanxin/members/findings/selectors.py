"""Reads of 双找双核, always through a scope (``people.find``): offices see the lists and findings of
their region or industry, the uploader the lists they started. The platform's own users hold no such
scope, so a finding never goes back to the employer."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from sanxin.core.scope import Scope, scope_for
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus

from .models import CheckSide, Finding, FindingBatch, FindingCheck


def batches(scope: Scope) -> QuerySet[FindingBatch]:
    return scope.filter(
        FindingBatch.objects.select_related("platform", "region", "industry", "job", "created_by")
    ).order_by("-created_at", "-pk")


def findings(
    scope: Scope, *, batch: FindingBatch | None = None, kind: str = "", status: str = ""
) -> QuerySet[Finding]:
    qs = scope.filter(Finding.objects.all())
    if batch is not None:
        qs = qs.filter(batch=batch)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("person", "batch", "batch__platform", "platform", "branch")
        .prefetch_related(Prefetch("checks", queryset=FindingCheck.objects.select_related("checked_by")))
        .order_by("batch_id", "pk")
    )


def checks_of(finding: Finding) -> dict[str, FindingCheck]:
    return {c.side: c for c in finding.checks.all()}


def sides_for(user, finding: Finding) -> list[str]:
    """The checks ``user`` may still do on ``finding``."""
    if finding.status != "pending":
        return []
    done = checks_of(finding)
    out = []
    for side, action in ((CheckSide.OFFICE, "verify"), (CheckSide.INDUSTRY, "verify_industry")):
        if side in done or any(c.checked_by_id == user.pk for c in done.values()):
            continue
        scope = scope_for(user, "people", action)
        if not scope.is_empty and scope.contains(finding):
            out.append(side)
    return out


def branches_for(user) -> QuerySet[Org]:
    """The branches the organization department may register a found member into."""
    return (
        scope_for(user, "people", "change")
        .filter(Org.objects.filter(org_type__in=BRANCH_TYPES, status=OrgStatus.ACTIVE))
        .order_by("path")
    )
