"""Writes of the registry: organizations, their coverage by party orgs, contacts and visits. Each
takes the acting user, checks the scope (registry module), validates, audits, publishes events."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import Q

from sanxin.core import events
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import Industry, Region
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.core.validators import check_credit_code
from sanxin.orgs.models import Org, OrgStatus, Person

from .models import Contact, ContactRole, Coverage, CoverageKind, Organization, Status, Visit, VisitKind

_SUFFIXES = ("有限责任公司", "股份有限公司", "有限公司", "分公司", "集团", "公司")
_PUNCT = re.compile(r"[\s()（）\[\]【】·,，.。\-—_]+")


def normalize_name(name: str) -> str:
    """For matching names across sources: no spaces or brackets, full-width folded, legal-form
    suffixes dropped (深圳市某某科技有限公司 ≈ 深圳市某某科技)."""
    text = _PUNCT.sub("", (name or "").strip()).replace("（", "(").replace("）", ")")
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return text.lower()


def _check(actor, action: str, org: Organization) -> None:
    if not scope_for(actor, "registry", action).contains(org):
        raise NotFound()


def _check_place(actor, action: str, region: Region, industry: Industry | None) -> None:
    """A new organization must land inside the actor's region or industry scope."""
    if not scope_for(actor, "registry", action).covers_place(region.code, getattr(industry, "pk", None)):
        raise NotFound()


def _hq_of(parent: Organization | None) -> Organization | None:
    return None if parent is None else (parent.hq or parent)


EDITABLE = [
    "name",
    "credit_code",
    "category",
    "kind",
    "address",
    "size",
    "employees",
    "new_employment_workers",
    "above_scale",
    "leading",
    "internet_platform",
    "specialized",
    "industry",
    "region",
    "parent",
    "registered_on",
    "source",
]


@transaction.atomic
def organization_create(*, actor, name: str, region: Region, registered_on: dt.date, parent=None, **data):
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写组织名称", field="name")
    _check_place(actor, "create", region, data.get("industry"))
    if parent is not None:
        _check(actor, "view", parent)
    code = (data.pop("credit_code", "") or "").strip().upper()
    if code:
        try:
            code = check_credit_code(code).value
        except Exception as exc:
            raise InvalidInput(exc.messages[0], field="credit_code") from exc
        if Organization.objects.filter(credit_code=code).exists():
            raise RuleViolation("该统一社会信用代码已登记", code="duplicate", field="credit_code")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"未知字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    try:
        org = model_create(
            Organization,
            actor=actor,
            name=name,
            normalized_name=normalize_name(name),
            credit_code=code,
            region=region,
            registered_on=registered_on,
            parent=parent,
            hq=_hq_of(parent),
            **data,
        )
    except IntegrityError as exc:
        raise RuleViolation("该统一社会信用代码已登记", code="duplicate", field="credit_code") from exc
    if org.hq_id is None:
        Organization.objects.filter(pk=org.pk).update(hq=org)
        org.hq_id = org.pk
    events.publish("registry.organization_created", {"organization_id": org.pk})
    return org


@transaction.atomic
def organization_update(*, actor, org: Organization, data: dict) -> Organization:
    _check(actor, "change", org)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if "credit_code" in data:
        code = (data["credit_code"] or "").strip().upper()
        if code:
            try:
                code = check_credit_code(code).value
            except Exception as exc:
                raise InvalidInput(exc.messages[0], field="credit_code") from exc
            if Organization.objects.filter(credit_code=code).exclude(pk=org.pk).exists():
                raise RuleViolation("该统一社会信用代码已登记", code="duplicate", field="credit_code")
        data["credit_code"] = code
    if "parent" in data and data["parent"] is not None:
        parent = data["parent"]
        chain = parent
        while chain is not None:
            if chain.pk == org.pk:
                raise RuleViolation("上级机构不能是它自己或它的下级", code="cycle", field="parent")
            chain = chain.parent
    if "name" in data:
        data["normalized_name"] = normalize_name(data["name"])
    org, changed = model_update(
        org, actor=actor, data=data, fields=[*EDITABLE, "normalized_name", "possibly_closed"]
    )
    if changed and "parent" in data:
        _rechain(org)
    return org


def _rechain(org: Organization) -> None:
    """Recompute ``hq`` for an organization and everything below it after its parent changed."""
    hq = _hq_of(org.parent) or org
    level = [org]
    while level:
        Organization.objects.filter(pk__in=[o.pk for o in level]).update(hq=hq)
        level = list(Organization.objects.filter(parent__in=level))


@transaction.atomic
def organization_close(
    *, actor, org: Organization, on: dt.date, status: str = Status.CANCELLED
) -> Organization:
    """注销 or 迁出 on ``on``; its coverage and contacts end the same day."""
    _check(actor, "change", org)
    if status not in {Status.CANCELLED, Status.MOVED_OUT}:
        raise InvalidInput("无效的状态", field="status")
    if on < org.registered_on:
        raise InvalidInput("注销/迁出日期不能早于成立日期", field="on")
    org, _ = model_update(
        org, actor=actor, data={"status": status, "closed_on": on, "possibly_closed": False}, action="close"
    )
    Coverage.objects.filter(organization=org, end_on__isnull=True).update(end_on=on)
    Contact.objects.filter(organization=org, end_on__isnull=True).update(end_on=on)
    events.publish("registry.organization_closed", {"organization_id": org.pk, "date": on.isoformat()})
    return org


@transaction.atomic
def organization_confirm_operating(*, actor, org: Organization) -> Organization:
    """An office checked a possibly-closed organization: it is still operating."""
    _check(actor, "change", org)
    org, _ = model_update(org, actor=actor, data={"possibly_closed": False}, action="confirm_operating")
    return org


@transaction.atomic
def coverage_add(*, actor, org: Organization, party_org: Org, kind: str, start_on: dt.date) -> Coverage:
    _check(actor, "change", org)
    if kind not in CoverageKind.values:
        raise InvalidInput("请选择覆盖方式", field="kind")
    if party_org.status != OrgStatus.ACTIVE:
        raise RuleViolation("该党组织已撤销，不能用于覆盖", code="org_inactive", field="party_org")
    if not scope_for(actor, "orgs", "view").contains(party_org):
        raise NotFound()
    if start_on < org.registered_on:
        raise InvalidInput("覆盖开始日期不能早于组织成立日期", field="start_on")
    if Coverage.objects.filter(organization=org, party_org=party_org, end_on__isnull=True).exists():
        raise RuleViolation("该党组织已在覆盖此组织", code="duplicate", field="party_org")
    cov = model_create(
        Coverage, actor=actor, organization=org, party_org=party_org, kind=kind, start_on=start_on
    )
    events.publish(
        "registry.covered", {"organization_id": org.pk, "party_org_id": party_org.pk, "kind": kind}
    )
    return cov


@transaction.atomic
def coverage_end(*, actor, coverage: Coverage, end_on: dt.date) -> Coverage:
    _check(actor, "change", coverage.organization)
    if coverage.end_on is not None:
        raise RuleViolation("该覆盖关系已结束", code="already_ended")
    if end_on <= coverage.start_on:
        raise InvalidInput("结束日期应晚于开始日期", field="end_on")
    coverage, _ = model_update(coverage, actor=actor, data={"end_on": end_on}, action="end")
    return coverage


@transaction.atomic
def contact_assign(*, actor, org: Organization, person: Person, role: str, start_on: dt.date) -> Contact:
    _check(actor, "change", org)
    if role not in ContactRole.values:
        raise InvalidInput("请选择角色", field="role")
    current = Contact.objects.filter(organization=org, role=role, person=person).filter(
        Q(end_on__isnull=True) | Q(end_on__gt=start_on)
    )
    if current.exists():
        raise RuleViolation("该人员已担任此角色", code="duplicate", field="person")
    return model_create(Contact, actor=actor, organization=org, person=person, role=role, start_on=start_on)


@transaction.atomic
def contact_end(*, actor, contact: Contact, end_on: dt.date) -> Contact:
    _check(actor, "change", contact.organization)
    if contact.end_on is not None:
        raise RuleViolation("已结束", code="already_ended")
    if end_on <= contact.start_on:
        raise InvalidInput("结束日期应晚于开始日期", field="end_on")
    contact, _ = model_update(contact, actor=actor, data={"end_on": end_on}, action="end")
    return contact


@transaction.atomic
def visit_log(
    *,
    actor,
    org: Organization,
    date: dt.date,
    content: str,
    kind: str = VisitKind.ROUTINE,
    next_step: str = "",
    visitor: Person | None = None,
) -> Visit:
    """An instructor's or office's visit; the visitor is the acting user's person record by default."""
    _check(actor, "visit", org)
    if not (content or "").strip():
        raise InvalidInput("请填写走访内容", field="content")
    if kind not in VisitKind.values:
        raise InvalidInput("请选择走访类型", field="kind")
    if visitor is None and actor is not None:
        visitor = getattr(actor, "person", None)
    name = visitor.name if visitor is not None else str(actor or "")
    visit = model_create(
        Visit,
        actor=actor,
        organization=org,
        visitor=visitor,
        visitor_name=name[:50],
        date=date,
        kind=kind,
        content=content.strip(),
        next_step=next_step.strip(),
    )
    events.publish("registry.visited", {"organization_id": org.pk, "visit_id": visit.pk})
    return visit


@transaction.atomic
def contact_incubation(*, actor, contact: Contact, text: str) -> Contact:
    if not scope_for(actor, "registry", "visit").contains(contact.organization):
        raise NotFound()
    contact, _ = model_update(
        contact, actor=actor, data={"incubation": (text or "").strip()[:200]}, action="incubation"
    )
    return contact
