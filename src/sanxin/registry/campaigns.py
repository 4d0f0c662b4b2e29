"""集中攻坚: campaigns that pick targets from the gap lists, assign owners and deadlines, record each
target's outcome (组建 / 联建 / 派指导员 / 暂不具备条件 with a reason) and show a burn-down."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sanxin.core import audit, events
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.scope import Scope, scope_for
from sanxin.core.services import model_create, model_update
from sanxin.orgs.models import Org, Person

from .models import Campaign, CampaignTarget, Organization, Outcome


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    owner_org: Org,
    start_on: dt.date,
    deadline: dt.date,
    organizations: list[Organization],
    note: str = "",
) -> Campaign:
    if not scope_for(actor, "registry", "change").contains(owner_org) and not scope_for(
        actor, "orgs", "change"
    ).contains(owner_org):
        raise NotFound()
    if not organizations:
        raise InvalidInput("请至少选择一个攻坚对象", field="organizations")
    allowed = scope_for(actor, "registry", "change")
    for org in organizations:
        if not allowed.contains(org):
            raise NotFound()
    campaign = model_create(
        Campaign,
        actor=actor,
        name=(name or "").strip(),
        owner_org=owner_org,
        start_on=start_on,
        deadline=deadline,
        note=note,
    )
    CampaignTarget.objects.bulk_create(
        [
            CampaignTarget(campaign=campaign, organization=o, deadline=deadline, created_by=_user(actor))
            for o in {o.pk: o for o in organizations}.values()
        ]
    )
    audit.record(
        actor=actor,
        action="campaign_targets",
        obj=campaign,
        after={"organizations": [o.pk for o in organizations]},
    )
    events.publish("registry.campaign_started", {"campaign_id": campaign.pk})
    return campaign


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _target_scope_check(actor, target: CampaignTarget) -> None:
    if not scope_for(actor, "registry", "change").contains(target.organization):
        raise NotFound()


@transaction.atomic
def target_update(
    *,
    actor,
    target: CampaignTarget,
    outcome: str | None = None,
    reason: str = "",
    owner: Person | None = None,
    deadline: dt.date | None = None,
    on: dt.date | None = None,
) -> CampaignTarget:
    _target_scope_check(actor, target)
    target = CampaignTarget.objects.select_for_update().get(pk=target.pk)
    data: dict = {}
    if outcome is not None:
        if outcome not in Outcome.values:
            raise InvalidInput("无效的进展", field="outcome")
        if outcome == Outcome.NOT_FEASIBLE and len(reason.strip()) < 4:
            raise InvalidInput("“暂不具备条件”须写明原因", field="reason")
        data["outcome"] = outcome
        data["reason"] = reason.strip()
        data["resolved_on"] = None if outcome == Outcome.OPEN else (on or timezone.localdate())
    if owner is not None:
        data["owner"] = owner
    if deadline is not None:
        if deadline < target.campaign.start_on:
            raise InvalidInput("时限不能早于攻坚开始日期", field="deadline")
        data["deadline"] = deadline
    if not data:
        raise RuleViolation("没有需要保存的变化", code="no_change")
    target, _ = model_update(target, actor=actor, data=data)
    return target


def campaigns(scope: Scope) -> QuerySet[Campaign]:
    """Campaigns with at least one target in the caller's scope, with progress counts in SQL."""
    visible = scope.filter(Organization.objects.all()).values("pk")
    return (
        Campaign.objects.filter(targets__organization__in=visible)
        .distinct()
        .annotate(
            n_targets=Count("targets", distinct=True),
            n_done=Count("targets", filter=~Q(targets__outcome=Outcome.OPEN), distinct=True),
        )
        .select_related("owner_org")
    )


def targets(scope: Scope, campaign: Campaign) -> QuerySet[CampaignTarget]:
    return CampaignTarget.objects.filter(
        campaign=campaign, organization__in=scope.filter(Organization.objects.all()).values("pk")
    ).select_related("organization", "owner", "organization__region")


def burndown(scope: Scope, campaign: Campaign, *, today: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """Open targets at the end of each day from the start to today (or the deadline, if later): the
    resolutions per day come from one GROUP BY; the running total is the series."""
    qs = targets(scope, campaign)
    total = qs.count()
    per_day = dict(qs.exclude(resolved_on=None).values_list("resolved_on").annotate(n=Count("pk")).order_by())
    end = max(today or timezone.localdate(), campaign.deadline)
    series = []
    open_ = total - sum(n for d, n in per_day.items() if d < campaign.start_on)
    day = campaign.start_on
    while day <= end:
        open_ -= per_day.get(day, 0)
        series.append((day, open_))
        day += dt.timedelta(days=1)
    return series
