"""Where an appeal goes: the platform or employer it names, the submitter's branch and platform, the
first holder on the three-level chain, the next level up, the department for a category in a region,
and the people who act for a holder.

The chain (seed 001, DOMAIN §8): 党员联络员 of the branch → 平台企业党委诉求处理小组 → 主管部门. An appeal
starts at the lowest level that can act on it: matters a platform can settle itself (pay, contracts,
insurance, injuries at work, dispatch rules, rest) go to the platform's group when a platform is
known; other matters go to the branch's liaisons when the submitter has a branch with one; the rest,
services ordered directly (点单式), professional help and complaints the worker sends past the platform
go to the department.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from django.db.models import Max, Q
from django.utils import timezone

from sanxin.accounts.actors import actors_for, assignees
from sanxin.core import regions
from sanxin.core.models import Region
from sanxin.orgs.models import COMMITTEE_TYPES, LocatedAt, Org, Person

from .models import Appeal, Category, Department, DepartmentKind, Level, Routing

PLATFORM_CATEGORIES = frozenset({"wages", "contract", "insurance", "injury", "dispatch", "rest"})
DEPARTMENTS_KIND = "appeals_departments"  # the assignment kind of a department's staff grants

_FORMS = re.compile(
    r"[（(][^）)]*[）)]|有限责任公司|股份有限公司|有限公司|分公司|公司|集团|科技|网络|信息|技术|区域|文化传媒|传媒|"
    r"物流|服务部|新河"
)
_GENERIC = re.compile(r"平台|公司|站点|站长|老板|加盟商|代理商|车队|派单|后台|系统|商家")


def brand(name: str) -> str:
    """The part of a registered name people say: 蜂行快送新河区域有限公司 → 蜂行快送."""
    return _FORMS.sub("", name).strip()


@dataclasses.dataclass(frozen=True)
class _Alias:
    text: str
    organization_id: int


@lru_cache(maxsize=4)
def _aliases(stamp) -> tuple[_Alias, ...]:
    from sanxin.registry.models import Kind, Organization, Status

    out: list[_Alias] = []
    rows = Organization.objects.filter(status=Status.OPERATING).exclude(kind=Kind.COMMUNITY)
    for pk, name, kind, platform in rows.values_list("pk", "name", "kind", "internet_platform"):
        b = brand(name)
        if len(b) >= 3:
            out.append(_Alias(b, pk))
            if platform and kind in (Kind.PLATFORM_HQ, Kind.REGIONAL) and len(b) >= 4:
                out.append(_Alias(b[:2], pk))  # 蜂行快送 → 蜂行, 畅行出行 → 畅行
    # Longest first: 急速达城关站 (an outlet) before 急速达 (its platform).
    return tuple(sorted(out, key=lambda a: (-len(a.text), a.organization_id)))


def _stamp():
    from sanxin.registry.models import Organization

    return tuple(Organization.objects.aggregate(n=Max("pk"), at=Max("updated_at")).values())


def named_organization(text: str):
    """The registry's organization that ``text`` names (its brand, or a platform's two-character
    short name), the longest match; None when it names none."""
    from sanxin.registry.models import Organization

    for alias in _aliases(_stamp()):
        if alias.text in text:
            return Organization.objects.select_related("hq", "industry").get(pk=alias.organization_id)
    return None


def refers_to_employer(text: str) -> bool:
    return bool(_GENERIC.search(text))


def employer_of(person: Person | None, on):
    """The registry organization a person works for on ``on`` (their current employment's platform)."""
    if person is None:
        return None
    from sanxin.members.models import Employment

    job = (
        Employment.objects.filter(Employment.active_q(on), person=person, platform__isnull=False)
        .select_related("platform__hq", "platform__industry")
        .order_by("-start_on")
        .first()
    )
    return job.platform if job else None


def branch_of(person: Person | None, on) -> Org | None:
    """The branch where a person takes part in organization life (a member's activity org)."""
    if person is None:
        return None
    from sanxin.members.models import Member, RelationKind
    from sanxin.members.selectors import org_on

    member = Member.objects.filter(person=person).first()
    if member is None:
        return person.org  # a worker registered with an org (a liaison's contact), or None
    return org_on(member, on, RelationKind.ACTIVITY) or org_on(member, on)


def platform_committee(*, organization=None, branch: Org | None = None, on) -> Org | None:
    """The platform enterprise committee for an appeal: the committee covering the named organization
    or an organization above it in its chain, else the committee on the platform above the branch."""
    from sanxin.registry.models import Coverage

    node = organization
    seen = 0
    while node is not None and seen < 6:
        cover = (
            Coverage.objects.filter(
                Coverage.active_q(on), organization=node, party_org__org_type__in=COMMITTEE_TYPES
            )
            .select_related("party_org")
            .order_by("-start_on")
            .first()
        )
        if cover is not None:
            return cover.party_org
        node = node.parent if node.parent_id else None
        seen += 1
    if branch is not None:
        above = Org.objects.get_ancestors(branch).filter(
            org_type__in=COMMITTEE_TYPES, located_at=LocatedAt.PLATFORM
        )
        return above.order_by("-depth").first()
    return None


def department_for(category: Category | None, region: Region | None, industry_id: str | None):
    """The department that takes ``category`` in ``region``: the routing row of the nearest region
    (an industry's row before the general one); failing that, a department of the category's default
    kind in the nearest region; failing that, the region's 新就业群体服务中心."""
    if region is None:
        return None
    codes = [r.code for r in regions.ancestors(region.code)]  # the region itself last
    if category is not None:
        routes = Routing.objects.filter(
            category=category, region_id__in=codes, department__active=True
        ).filter(Q(industry__isnull=True) | Q(industry_id=industry_id))
        best = sorted(
            routes.select_related("department"),
            key=lambda r: (r.industry_id is None, -codes.index(r.region_id)),
        )
        if best:
            return best[0].department
    kinds = [category.department_kind] if category is not None and category.department_kind else []
    kinds.append(DepartmentKind.SERVICE_CENTRE)
    for kind in kinds:
        found = Department.objects.filter(kind=kind, region_id__in=codes, active=True)
        found = sorted(found, key=lambda d: -codes.index(d.region_id))
        if found:
            return found[0]
    return None


def service_department(service: str, region: Region | None):
    """The professional committee that delivers ``service`` (法律咨询, 政策对接, 财税) nearest to ``region``."""
    if region is None:
        return None
    codes = [r.code for r in regions.ancestors(region.code)]  # the region itself last
    found = [
        d
        for d in Department.objects.filter(region_id__in=codes, active=True)
        if service in (d.services or [])
    ]
    found.sort(key=lambda d: (-codes.index(d.region_id), d.pk))
    return found[0] if found else None


def has_handlers(level: str, unit) -> bool:
    return bool(unit is not None and handlers(level, unit))


def handlers(level: str, unit) -> list[int]:
    """The users who act for a holder: grants anchored at the branch or the platform committee, or
    the department's staff (assignment grants)."""
    if unit is None:
        return []
    if level == Level.DEPARTMENT:
        return assignees(DEPARTMENTS_KIND, unit.pk, "appeals", "handle")
    return actors_for(unit, "appeals", "handle")


def is_handler(user, appeal: Appeal) -> bool:
    if user is None or user.is_superuser:
        return True
    return user.pk in handlers(appeal.level, appeal.holder)


def next_level(appeal: Appeal) -> tuple[str, object] | None:
    """The level and unit above the current holder; None at the department (督办 instead)."""
    today = timezone.localdate()
    if appeal.level == Level.LIAISON and not appeal.skip_platform:
        platform = appeal.platform or platform_committee(
            organization=appeal.about, branch=appeal.branch, on=today
        )
        if platform is not None and has_handlers(Level.PLATFORM, platform):
            return Level.PLATFORM, platform
    if appeal.level in (Level.LIAISON, Level.PLATFORM):
        department = department_for(appeal.category, appeal.region, appeal.industry_id)
        if department is not None:
            return Level.DEPARTMENT, department
    return None


def unit_name(unit) -> str:
    return getattr(unit, "name", "") if unit is not None else ""
