"""Reads of the member registry, for any date: a member's org then, an org's members then."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from sanxin.core.query import prefix_q
from sanxin.core.scope import Scope
from sanxin.orgs.models import Org

from .models import Member, OrgRelation, RelationKind


def relation_on(member: Member, on: dt.date, kind: str = RelationKind.FORMAL) -> OrgRelation | None:
    return (
        OrgRelation.objects.filter(OrgRelation.active_q(on), member=member, kind=kind)
        .select_related("org")
        .first()
    )


def org_on(member: Member, on: dt.date, kind: str = RelationKind.FORMAL) -> Org | None:
    """The member's formal (or activity) org on ``on``; None before they were registered."""
    relation = relation_on(member, on, kind)
    return relation.org if relation else None


def members_of(
    org: Org, on: dt.date, kind: str = RelationKind.FORMAL, *, subtree: bool = False
) -> QuerySet[Member]:
    """The members whose formal (or activity) org was ``org`` (or one below it) on ``on``."""
    relations = OrgRelation.objects.filter(OrgRelation.active_q(on), kind=kind)
    relations = relations.filter(prefix_q("org__path", org.path)) if subtree else relations.filter(org=org)
    return Member.objects.filter(pk__in=relations.values("member_id")).select_related("person")


def history(member: Member) -> QuerySet[OrgRelation]:
    return member.relations.select_related("org").order_by("kind", "start_on")


def member_list(scope: Scope, *, hidden_visible: bool = False) -> QuerySet[Member]:
    qs = scope.filter(Member.objects.select_related("person", "person__org"))
    if not hidden_visible:
        qs = qs.defer("hidden", "hidden_found_how", "hidden_found_on")
    return qs
