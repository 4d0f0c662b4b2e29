"""Reads of the organization tree, always through the caller's Scope."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from sanxin.core import crypto as pii
from sanxin.core.errors import InvalidInput
from sanxin.core.query import prefix_q
from sanxin.core.scope import Scope
from sanxin.core.validators import check_mobile, check_resident_id

from .models import Org, OrgEvent, OrgStatus, OrgVersion, Person, Post


def with_parent_id(qs: QuerySet[Org]) -> QuerySet[Org]:
    """Annotate each org with its parent's id (one indexed lookup by path per row, in SQL)."""
    parent = Org.objects.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen))
    return qs.annotate(parent_id_cached=Subquery(parent.values("pk")[:1]))


def org_list(
    scope: Scope,
    *,
    q: str = "",
    org_type: str = "",
    status: str = "",
    region: str = "",
    industry: str = "",
    within: Org | None = None,
) -> QuerySet[Org]:
    qs = with_parent_id(scope.filter(Org.objects.select_related("region", "industry")))
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q) | prefix_q("code", q))
    if org_type:
        qs = qs.filter(org_type=org_type)
    if status:
        qs = qs.filter(status=status)
    if region:
        from sanxin.core.regions import in_region_q, normalize

        qs = qs.filter(in_region_q("region_id", normalize(region)))
    if industry:
        qs = qs.filter(industry_id=industry)
    if within is not None:
        qs = qs.filter(_subtree_q(within))
    return qs


def _subtree_q(org: Org) -> Q:
    return prefix_q("path", org.path)


def org_get(scope: Scope, pk) -> Org:
    return scope.get(with_parent_id(Org.objects.select_related("region", "industry")), pk=pk)


def subtree(scope: Scope, org: Org) -> QuerySet[Org]:
    qs = scope.filter(Org.objects.filter(_subtree_q(org)).select_related("region", "industry"))
    return with_parent_id(qs).order_by("path")


def ancestors(org: Org) -> list[Org]:
    """The chain above ``org`` (breadcrumb context of an org the caller may see)."""
    paths = [org.path[:i] for i in range(Org.steplen, len(org.path), Org.steplen)]
    return list(
        Org.objects.filter(path__in=paths).order_by("depth").only("id", "name", "code", "path", "depth")
    )


def scope_roots(scope: Scope) -> QuerySet[Org]:
    """The highest orgs of the caller's scope: the tree page starts from them."""
    visible = scope.filter(Org.objects.all())
    if scope.everything:
        return Org.objects.get_root_nodes()
    rows = list(visible.values_list("pk", "path").order_by("path"))
    roots, last = [], None
    for pk, path in rows:
        if last is None or not path.startswith(last):
            roots.append(pk)
            last = path
    return Org.objects.filter(pk__in=roots).order_by("path")


def children(scope: Scope, org: Org, *, include_ended: bool = False) -> QuerySet[Org]:
    qs = scope.filter(Org.objects.filter(depth=org.depth + 1).filter(_subtree_q(org)))
    if not include_ended:
        qs = qs.filter(status=OrgStatus.ACTIVE)
    return qs.order_by("path")


def history(org: Org) -> QuerySet[OrgEvent]:
    return OrgEvent.objects.filter(org=org).prefetch_related("related").select_related("created_by")


def posts(org: Org, *, current_only: bool = False) -> QuerySet[Post]:
    qs = Post.objects.filter(org=org).select_related("person")
    return qs.filter(end_on__isnull=True) if current_only else qs


def people(scope: Scope, *, org: Org | None = None, q: str = "") -> QuerySet[Person]:
    qs = scope.filter(Person.objects.select_related("org"))
    if org is not None:
        qs = qs.filter(org=org)
    if q:
        qs = qs.filter(name__contains=q)
    return qs


def people_by_identifier(scope: Scope, *, resident_id: str = "", phone: str = "") -> QuerySet[Person]:
    """People in ``scope`` with this resident ID or phone, found by their blind index (the clear value
    is never stored, compared or logged). Validates the input first: a malformed number is an error in
    Chinese, not an empty result."""
    if not resident_id and not phone:
        raise InvalidInput("请填写公民身份号码或手机号码", field="resident_id")
    qs = scope.filter(Person.objects.select_related("org"))
    if resident_id:
        try:
            number = check_resident_id(resident_id).value
        except ValidationError as exc:
            raise InvalidInput(exc.messages[0], field="resident_id") from exc
        # "not blank" repeats the unique index's condition, so that the database uses that (partial)
        # index for the lookup instead of scanning the table.
        qs = qs.filter(resident_id_index=pii.blind_index(number, purpose="resident_id")).exclude(
            resident_id_index=""
        )
    if phone:
        try:
            number = check_mobile(phone).value
        except ValidationError as exc:
            raise InvalidInput(exc.messages[0], field="phone") from exc
        qs = qs.filter(phone_index=pii.blind_index(number, purpose="phone"))
    return qs


@dataclasses.dataclass
class TreeNode:
    org_id: int
    name: str
    org_type: str
    status: str
    parent_id: int | None
    children: list[TreeNode] = dataclasses.field(default_factory=list)

    def as_tuple(self):
        """A comparable picture: (name, type, status, sorted children)."""
        return (
            self.org_id,
            self.name,
            self.org_type,
            self.status,
            tuple(sorted(c.as_tuple() for c in self.children)),
        )


def versions_at(scope: Scope, on: dt.date) -> QuerySet[OrgVersion]:
    return scope.filter(
        OrgVersion.objects.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    )


def tree_as_of(scope: Scope, on: dt.date, *, include_ended: bool = False) -> list[TreeNode]:
    """The tree as it stood at the end of day ``on``: roots (orgs whose parent then was outside the
    scope or none) with nested children."""
    rows = versions_at(scope, on).values_list("org_id", "name", "org_type", "status", "parent_id")
    nodes = {r[0]: TreeNode(*r) for r in rows if include_ended or r[3] == OrgStatus.ACTIVE}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id)
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.org_id)
    return sorted(roots, key=lambda n: n.org_id)


def renewals_due(scope: Scope, today: dt.date, *, within_days: int = 90) -> QuerySet[Org]:
    return (
        scope.filter(Org.objects.filter(status=OrgStatus.ACTIVE, term_ends_on__isnull=False))
        .filter(term_ends_on__lte=today + dt.timedelta(days=within_days))
        .order_by("term_ends_on")
    )


def counts_by_type(scope: Scope) -> list[dict]:
    return list(
        scope.filter(Org.objects.filter(status=OrgStatus.ACTIVE))
        .values("org_type")
        .annotate(n=Count("id"))
        .order_by("org_type")
    )
