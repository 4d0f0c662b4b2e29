"""Reads of the registry, always through the caller's Scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from sanxin.core.query import prefix_q
from sanxin.core.regions import in_region_q, normalize
from sanxin.core.scope import Scope

from . import coverage
from .models import Contact, Coverage, Organization, Visit


def organization_list(
    scope: Scope,
    *,
    on: dt.date,
    q: str = "",
    industry: str = "",
    region: str = "",
    kind: str = "",
    status: str = "",
    gap: str = "",
    flag: str = "",
) -> QuerySet[Organization]:
    """Organizations in scope existing on ``on`` (all of them when ``status`` asks for closed ones),
    annotated with their coverage as of that date."""
    base = scope.filter(Organization.objects.select_related("region", "industry", "parent"))
    if status in {"", "operating"}:
        base = base.filter(coverage.existing_q(on))
    if status:
        base = base.filter(status=status)
    qs = coverage.annotate(base, on)
    if q:
        qs = qs.filter(Q(name__contains=q) | prefix_q("credit_code", q.upper()))
    if industry:
        qs = qs.filter(industry_id=industry)
    if region:
        qs = qs.filter(in_region_q("region_id", normalize(region)))
    if kind:
        qs = qs.filter(kind=kind)
    if flag in {"above_scale", "leading", "internet_platform", "specialized"}:
        qs = qs.filter(**{flag: True})
    if gap == "blank":
        qs = qs.filter(is_org_covered=False, has_work_contact=False)
    elif gap == "weak":
        qs = qs.filter(is_org_covered=False, has_work_contact=True)
    elif gap == "covered":
        qs = qs.filter(is_org_covered=True)
    elif gap == "possibly_closed":
        qs = qs.filter(possibly_closed=True)
    return qs


def organization_get(scope: Scope, pk, *, on: dt.date) -> Organization:
    return scope.get(
        coverage.annotate(Organization.objects.select_related("region", "industry", "parent", "hq"), on),
        pk=pk,
    )


def coverages(org: Organization) -> QuerySet[Coverage]:
    return Coverage.objects.filter(organization=org).select_related("party_org")


def contacts(org: Organization) -> QuerySet[Contact]:
    return Contact.objects.filter(organization=org).select_related("person")


def visits(org: Organization) -> QuerySet[Visit]:
    return Visit.objects.filter(organization=org).select_related("visitor")


def chain(org: Organization) -> QuerySet[Organization]:
    """The 总部—分支—网点 chain the organization belongs to."""
    return (
        Organization.objects.filter(hq_id=org.hq_id or org.pk)
        .select_related("parent")
        .order_by("parent_id", "id")
    )


def contact_rates(scope: Scope, on: dt.date) -> dict[str, coverage.Rates]:
    """包点联系: for each contact role, how many organizations in scope have one on ``on`` (the 100%
    targets of the instructors and seed 004's three contacts)."""
    from django.db.models import Count, Exists, OuterRef

    from .models import ContactRole

    pop = scope.filter(Organization.objects.filter(coverage.existing_q(on)))
    annotations = {}
    for role in ContactRole.values:
        active = Contact.objects.filter(Contact.active_q(on), organization=OuterRef("pk"), role=role)
        annotations[f"has_{role}"] = Exists(active)
    agg = {"n_total": Count("pk")} | {
        f"n_{r}": Count("pk", filter=Q(**{f"has_{r}": True})) for r in ContactRole.values
    }
    row = pop.annotate(**annotations).aggregate(**agg)
    return {r: coverage.Rates(row["n_total"], row[f"n_{r}"], row[f"n_{r}"]) for r in ContactRole.values}
