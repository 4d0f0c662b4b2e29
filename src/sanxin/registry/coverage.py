"""The two coverages (两个覆盖), computed in SQL for any scope and any date.

- *organization coverage*: the organization is covered on that date by a party org — its own, or a
  joint, industry or park org (an active ``Coverage`` row);
- *work coverage*: organization coverage, or an active 党建指导员 or 党建联络员 (``Contact``).

空白点 = existing organizations without work coverage; 薄弱点 = work coverage without organization
coverage. Counts are SQL aggregates over Exists() subqueries: no Python loop decides a figure, and no
figure depends on page size.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from sanxin.core.scope import Scope

from .models import WORK_COVERAGE_ROLES, Contact, Coverage, Organization


def existing_q(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}registered_on__lte": on}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": on})
    )


def _active(model, on: dt.date, ref: str = "pk"):
    return model.objects.filter(model.active_q(on), organization=OuterRef(ref))


def annotate(qs: QuerySet[Organization], on: dt.date) -> QuerySet[Organization]:
    """Add ``is_org_covered`` and ``has_work_contact`` (booleans, as of ``on``)."""
    return qs.annotate(
        is_org_covered=Exists(_active(Coverage, on)),
        has_work_contact=Exists(_active(Contact, on).filter(role__in=WORK_COVERAGE_ROLES)),
    )


ORG = Q(is_org_covered=True)
WORK = Q(is_org_covered=True) | Q(has_work_contact=True)


def population(scope: Scope, on: dt.date) -> QuerySet[Organization]:
    """The organizations in the caller's scope that existed on ``on``, annotated."""
    return annotate(scope.filter(Organization.objects.filter(existing_q(on))), on)


@dataclasses.dataclass(frozen=True)
class Rates:
    total: int
    org_covered: int
    work_covered: int

    @property
    def org_rate(self) -> float:
        return self.org_covered / self.total if self.total else 0.0

    @property
    def work_rate(self) -> float:
        return self.work_covered / self.total if self.total else 0.0

    @property
    def blank(self) -> int:
        return self.total - self.work_covered

    @property
    def weak(self) -> int:
        return self.work_covered - self.org_covered


_AGG = {"n_total": Count("pk"), "n_org": Count("pk", filter=ORG), "n_work": Count("pk", filter=WORK)}


def _rates(row: dict) -> Rates:
    return Rates(row["n_total"], row["n_org"], row["n_work"])


def rates(scope: Scope, on: dt.date, **filters) -> Rates:
    return _rates(population(scope, on).filter(**filters).aggregate(**_AGG))


def rates_by(scope: Scope, on: dt.date, field: str) -> list[dict]:
    """Rates grouped by ``field`` (industry_id, region_id, kind, above_scale, leading, internet_platform,
    specialized, hq_id...) — one GROUP BY."""
    rows = population(scope, on).order_by().values(field).annotate(**_AGG).order_by(field)
    return [{"key": r[field], "rates": _rates(r)} for r in rows]


def blank_points(scope: Scope, on: dt.date) -> QuerySet[Organization]:
    """空白点: no organization coverage and no work coverage."""
    return population(scope, on).filter(is_org_covered=False, has_work_contact=False)


def weak_points(scope: Scope, on: dt.date) -> QuerySet[Organization]:
    """薄弱点: work coverage only."""
    return population(scope, on).filter(is_org_covered=False, has_work_contact=True)


def marginal_decline(scope: Scope, on: dt.date) -> list[tuple[Organization, list[Organization]]]:
    """HQs covered on ``on`` whose branches or outlets are not: [(hq, [uncovered descendants])]."""
    has_children = Exists(Organization.objects.filter(parent=OuterRef("pk")))
    covered_hqs = population(scope, on).filter(is_org_covered=True, pk=F("hq_id")).filter(has_children)
    uncovered = (
        population(scope, on)
        .filter(is_org_covered=False, hq__in=covered_hqs.values("pk"))
        .exclude(pk=F("hq_id"))
        .order_by("hq_id", "id")
    )
    grouped: dict[int, list[Organization]] = {}
    for org in uncovered:
        grouped.setdefault(org.hq_id, []).append(org)
    # The HQs themselves, annotated as of ``on`` too: two queries in all, whatever the count.
    hqs = covered_hqs.filter(pk__in=list(grouped)).select_related("region", "industry").in_bulk()
    return [(hqs[pk], rest) for pk, rest in grouped.items()]
