"""Reads of the development pipeline: scoped case lists with counts per stage, a case's steps, the
quotas with their use. Counts are SQL aggregates."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from sanxin.core.query import prefix_q
from sanxin.core.scope import Scope
from sanxin.orgs.models import Org

from ..models import Employment
from .models import CaseStatus, DevelopmentCase, DevelopmentQuota, Stage


def _new_employment(on: dt.date):
    return Exists(Employment.objects.filter(Employment.active_q(on), person=OuterRef("person_id")))


def case_list(
    scope: Scope,
    *,
    on: dt.date,
    stage: str = "",
    status: str = CaseStatus.OPEN,
    org: Org | None = None,
    new_employment: bool | None = None,
    due: bool = False,
    q: str = "",
) -> QuerySet[DevelopmentCase]:
    """The cases in ``scope``: of ``org`` and below, at a stage, in a status ("" for all), of
    new-employment workers (today), with a step due by ``on`` (``next_due_on``), by name."""
    qs = scope.filter(DevelopmentCase.objects.select_related("person", "org", "notice")).annotate(
        is_new_employment=_new_employment(on)
    )
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(stage=stage)
    if org is not None:
        qs = qs.filter(prefix_q("org__path", org.path))
    if new_employment is not None:
        qs = qs.filter(is_new_employment=new_employment)
    if due:
        qs = qs.filter(status=CaseStatus.OPEN, next_due_on__lte=on)
    if q.strip():
        qs = qs.filter(person__name__contains=q.strip())
    return qs.order_by("org__path", "stage", "applied_on", "pk")


def stage_counts(qs: QuerySet[DevelopmentCase]) -> list[tuple[str, str, int]]:
    """(stage, label, count) for every stage, from one GROUP BY."""
    counts = dict(qs.order_by().values_list("stage").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in Stage.choices]


def to_follow(scope: Scope, on: dt.date) -> dict:
    """What a secretary should act on: cases with a step due, 公示 running, 发展对象 not yet announced."""
    open_cases = scope.filter(DevelopmentCase.objects.filter(status=CaseStatus.OPEN)).select_related(
        "person", "org", "notice"
    )
    due = open_cases.filter(next_due_on__lte=on).order_by("next_due_on", "pk")
    running = open_cases.filter(stage=Stage.CANDIDATE, notice__isnull=False, notice_result="").order_by(
        "notice__ends_on", "pk"
    )
    unannounced = open_cases.filter(stage=Stage.CANDIDATE, notice__isnull=True)
    return {
        "due": list(due[:8]),
        "due_count": due.count(),
        "running": list(running[:5]),
        "running_count": running.count(),
        "unannounced_count": unannounced.count(),
    }


def quota_list(scope: Scope, *, year: int | None = None) -> QuerySet[DevelopmentQuota]:
    """Quotas of the committees in ``scope`` with their use (admissions counted against them)."""
    admitted = DevelopmentCase.objects.filter(
        quota_committee=OuterRef("committee_id"), admitted_on__year=OuterRef("year")
    ).order_by()

    def count(filter_q: Q):
        sub = admitted.filter(filter_q).values("quota_committee").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))

    qs = (
        scope.filter(DevelopmentQuota.objects.select_related("committee"))
        .annotate(used=count(Q()), used_new=count(Q(new_employment=True)))
        .annotate(remaining=F("total") - F("used"))
    )
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "committee__path")
