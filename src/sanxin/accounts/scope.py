"""Grants + the matrix → ``core.scope.Scope``. Registered as the core's scope provider."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from sanxin.core.scope import Scope

from .matrix import anchors_for
from .models import Grant


def active_grants(user):
    today = timezone.localdate()
    return (
        Grant.objects.filter(user=user, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .select_related("org", "region")
        .prefetch_related("assignments")
    )


def _grants_cached(user) -> list[Grant]:
    cache = user.__dict__.setdefault("_sanxin_grants", None)
    if cache is None:
        cache = list(active_grants(user))
        user.__dict__["_sanxin_grants"] = cache
    return cache


def scope_for(user, module: str, action: str) -> Scope:
    org_paths: set[str] = set()
    regions: set[str] = set()
    industries: set[str] = set()
    assignments: dict[str, set] = defaultdict(set)
    for g in _grants_cached(user):
        if g.anchor not in anchors_for(g.role, module, action):
            continue
        if g.anchor == "org" and g.org is not None and g.org.is_active:
            org_paths.add(g.org.path)
        elif g.anchor == "region" and g.region is not None:
            regions.add(g.region.prefix)
        elif g.anchor == "industry" and g.industry_id:
            industries.add(g.industry_id)
        elif g.anchor == "assignment" and g.assignment_kind:
            assignments[g.assignment_kind] |= {a.object_id for a in g.assignments.all()}
    return Scope(
        org_paths=frozenset(org_paths),
        region_prefixes=frozenset(regions),
        industries=frozenset(industries),
        assignments={k: frozenset(v) for k, v in assignments.items()},
        user_id=user.pk,
    )


def roles_of(user) -> set[str]:
    return {g.role for g in _grants_cached(user)}
