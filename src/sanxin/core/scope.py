"""The data scope: which rows a user may see or change, for one module and action.

A ``Scope`` is plain data — org subtree paths, region-code prefixes, industries, explicit assignment
lists, the user's own person — built once per request from the user's grants and the authorization
matrix (``sanxin.accounts.scope.scope_for``). Every selector, export, search, autocomplete and API
list filters through it; a detail lookup outside it is a 404 (``Scope.get``).

Each model declares once, here, how its rows map to those anchors::

    scope.register(Org, org_path="path", region="region_id", industry="industry_id")
    scope.register(Post, org_path="org__path", region="org__region_id", industry="org__industry_id")
    scope.register(Enterprise, region="region_id", industry="industry_id",
                   assignments={"instructor_enterprises": "pk"})

A row is in scope when any of its mapped anchors is (a union, as grants are).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from django.db import models
from django.db.models import Q, QuerySet

from .errors import NotFound
from .query import any_prefix_q


@dataclasses.dataclass(frozen=True)
class ScopeMapping:
    org_path: str | None = None
    region: str | None = None
    industry: str | None = None
    assignments: Mapping[str, str] = dataclasses.field(default_factory=dict)
    owner: str | None = None  # lookup to the owning user's id: a person always sees their own rows
    # For anchors reached through a to-many relation: related(scope) -> Q, usually an Exists() subquery
    # (a join would repeat rows).
    related: Callable[[Scope], Q] | None = None


_mappings: dict[type[models.Model], ScopeMapping] = {}


def register(model: type[models.Model], **mapping) -> None:
    _mappings[model] = ScopeMapping(**mapping)


def mapping_for(model: type[models.Model]) -> ScopeMapping:
    for klass in model.__mro__:
        if klass in _mappings:
            return _mappings[klass]
    raise LookupError(f"{model._meta.label} has no scope mapping: call core.scope.register() for it")


def registered_models() -> list[type[models.Model]]:
    return list(_mappings)


@dataclasses.dataclass(frozen=True)
class Scope:
    everything: bool = False
    org_paths: frozenset[str] = frozenset()
    region_prefixes: frozenset[str] = frozenset()
    industries: frozenset[str] = frozenset()
    assignments: Mapping[str, frozenset] = dataclasses.field(default_factory=dict)
    user_id: int | None = None

    @classmethod
    def nothing(cls, user_id: int | None = None) -> Scope:
        return cls(user_id=user_id)

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    def __or__(self, other: Scope) -> Scope:
        keys = set(self.assignments) | set(other.assignments)
        return Scope(
            everything=self.everything or other.everything,
            org_paths=self.org_paths | other.org_paths,
            region_prefixes=self.region_prefixes | other.region_prefixes,
            industries=self.industries | other.industries,
            assignments={
                k: self.assignments.get(k, frozenset()) | other.assignments.get(k, frozenset()) for k in keys
            },
            user_id=self.user_id or other.user_id,
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything
            or self.org_paths
            or self.region_prefixes
            or self.industries
            or any(self.assignments.values())
        )

    def q(self, model: type[models.Model]) -> Q:
        """The condition selecting ``model``'s rows in this scope."""
        if self.everything:
            return Q()
        m = mapping_for(model)
        q = Q(pk__in=[])
        if m.org_path and self.org_paths:
            q |= any_prefix_q(m.org_path, list(self.org_paths))
        if m.region and self.region_prefixes:
            q |= any_prefix_q(m.region, list(self.region_prefixes))
        if m.industry and self.industries:
            q |= Q(**{f"{m.industry}__in": sorted(self.industries)})
        for kind, lookup in m.assignments.items():
            ids = self.assignments.get(kind)
            if ids:
                q |= Q(**{f"{lookup}__in": sorted(ids)})
        if m.owner and self.user_id:
            q |= Q(**{m.owner: self.user_id})
        if m.related is not None:
            q |= m.related(self)
        return q

    def filter(self, qs: QuerySet) -> QuerySet:
        if self.everything:
            return qs
        return qs.filter(self.q(qs.model))

    def get(self, qs: QuerySet | type[models.Model], **lookup) -> models.Model:
        """The one row matching ``lookup`` inside the scope, else ``NotFound`` (404) — the same
        answer whether the row does not exist or lies outside the scope."""
        if isinstance(qs, type):
            qs = qs._default_manager.all()
        obj = self.filter(qs).filter(**lookup).first()
        if obj is None:
            raise NotFound()
        return obj

    def contains(self, obj: models.Model) -> bool:
        if self.everything:
            return True
        return self.filter(type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def covers_place(self, region_code: str, industry_code: str | None = None) -> bool:
        """Would a new row located in ``region_code`` (and of ``industry_code``) fall inside this scope
        through its region or industry anchors? For creations, which have no row to test yet."""
        if self.everything:
            return True
        if any(region_code.startswith(p) for p in self.region_prefixes):
            return True
        return industry_code is not None and industry_code in self.industries

    def require(self, obj: models.Model) -> None:
        if not self.contains(obj):
            raise NotFound()


def union(scopes: Iterable[Scope]) -> Scope:
    out = Scope()
    for s in scopes:
        out = out | s
    return out


# --- who decides ------------------------------------------------------------------------------
# The accounts module turns grants and the authorization matrix into scopes and registers itself as
# the provider; modules only ever call ``scope_for`` / ``has_permission`` here.

_provider = None


def set_provider(provider) -> None:
    """``provider(user, module, action) -> Scope``."""
    global _provider
    _provider = provider


def scope_for(user, module: str, action: str) -> Scope:
    if user is None:  # system jobs, the demo
        return Scope.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope.nothing()
    if user.is_superuser:
        return Scope.all()
    if _provider is None:
        return Scope.nothing(user_id=user.pk)
    return _provider(user, module, action)


def has_permission(user, module: str, action: str) -> bool:
    return not scope_for(user, module, action).is_empty


def request_scope(request, module: str, action: str) -> Scope:
    """``scope_for`` cached on the request: built once per request per (module, action)."""
    cache = request.__dict__.setdefault("_sanxin_scopes", {})
    key = (module, action)
    if key not in cache:
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        cache[key] = scope_for(user, module, action)
    return cache[key]
