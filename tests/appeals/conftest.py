"""A city with an express industry committee; a platform committee (on the 蜂行快送 platform, which the
registry knows and the committee covers) with a mobile branch of riders, its 党员联络员 and a rider who
works for the platform; a second branch elsewhere with its own liaison; the city's 人社局, 交通运输局
and 新就业群体服务中心 with a member of staff each; the organization department, the industry
committee, the security administrator, a hotline operator and a worker who is not a member."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.appeals.models import Department, DepartmentKind
from sanxin.core.models import Industry
from sanxin.members import services as member_services
from sanxin.members.models import WorkKind
from sanxin.orgs import services as org_services
from sanxin.orgs.models import LocatedAt, Org, OrgType
from sanxin.registry import services as registry_services
from sanxin.registry.models import CoverageKind, Kind
from tests.factories import UserFactory, user_with_grant
from tests.meetings.conftest import member
from tests.world import regions

D = dt.date
SINCE = D(2020, 1, 1)  # the world predates any frozen clock of a test: grants start on the day made otherwise
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9d\x8b\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
WAGES = "平台连续三个月克扣配送费，站长不给说法"


@dataclasses.dataclass
class AppealsWorld:
    city: Org
    committee: Org
    platform: Org
    branch: Org
    other_branch: Org
    company: object  # registry.Organization covered by ``platform``
    rider: object  # user: member of ``branch``, works for ``company``
    rider_member: object
    other_rider: object  # user: member of ``other_branch``
    worker: object  # user without a person record
    liaison: object
    other_liaison: object
    platform_user: object
    hrss: Department
    transport: Department
    centre: Department
    hrss_user: object
    transport_user: object
    centre_user: object
    zzb: object
    industry_user: object
    security: object
    hotline: object


def _dept(name, kind, region):
    d = Department.objects.create(name=name, kind=kind, region=region)
    user = UserFactory()
    grant_create(
        actor=None,
        valid_from=SINCE,
        user=user,
        role=Role.DEPARTMENT,
        assignment_kind="appeals_departments",
        object_ids=[str(d.pk)],
    )
    return d, user


def make_world() -> AppealsWorld:
    r = regions()
    express, _ = Industry.objects.get_or_create(code="express", defaults={"name": "快递外卖"})
    city = org_services.org_create(
        actor=None, parent=None, name="中共新河市委员会", org_type=OrgType.PARTY_COMMITTEE,
        region=r["390100000000"], founded_on=D(2000, 1, 1),
    )  # fmt: skip
    committee = org_services.org_create(
        actor=None, parent=city, name="快递外卖行业党委", org_type=OrgType.INDUSTRY_COMMITTEE,
        region=r["390100000000"], founded_on=D(2019, 1, 1), industry=express,
    )  # fmt: skip
    platform = org_services.org_create(
        actor=None, parent=committee, name="中共蜂行快送新河区域公司委员会", org_type=OrgType.PARTY_COMMITTEE,
        region=r["390103000000"], founded_on=D(2020, 1, 1), industry=express, located_at=LocatedAt.PLATFORM,
    )  # fmt: skip
    branch = org_services.org_create(
        actor=None, parent=platform, name="蜂行快送城关站流动党员党支部", org_type=OrgType.MOBILE_BRANCH,
        region=r["390102001000"], founded_on=D(2020, 6, 1), industry=express,
    )  # fmt: skip
    other_branch = org_services.org_create(
        actor=None, parent=committee, name="河东快递员联合党支部", org_type=OrgType.JOINT_BRANCH,
        region=r["390103001000"], founded_on=D(2020, 6, 1), industry=express,
    )  # fmt: skip
    company = registry_services.organization_create(
        actor=None, name="蜂行快送新河区域有限公司", region=r["390103000000"], registered_on=D(2018, 1, 1),
        industry=express, kind=Kind.REGIONAL, internet_platform=True,
    )  # fmt: skip
    registry_services.coverage_add(
        actor=None, org=company, party_org=platform, kind=CoverageKind.OWN, start_on=D(2020, 1, 1)
    )
    rider_member, rider = member(branch, "李晨阳")
    member_services.employment_record(
        actor=None, person=rider_member.person, kind=WorkKind.RIDER, since=D(2022, 3, 1), platform=company
    )
    _m, other_rider = member(other_branch, "赵快递")
    hrss, hrss_user = _dept("新河市人力资源和社会保障局", DepartmentKind.HRSS, r["390100000000"])
    transport, transport_user = _dept("新河市交通运输局", DepartmentKind.TRANSPORT, r["390100000000"])
    centre, centre_user = _dept("新河市新就业群体服务中心", DepartmentKind.SERVICE_CENTRE, r["390100000000"])
    zzb = UserFactory()
    grant_create(actor=None, valid_from=SINCE, user=zzb, role=Role.ORG_DEPARTMENT, region=r["390100000000"])
    grant_create(actor=None, valid_from=SINCE, user=zzb, role=Role.ORG_DEPARTMENT, org=city)
    industry_user = UserFactory()
    grant_create(
        actor=None, valid_from=SINCE, user=industry_user, role=Role.INDUSTRY_COMMITTEE, org=committee
    )
    grant_create(
        actor=None, valid_from=SINCE, user=industry_user, role=Role.INDUSTRY_COMMITTEE, industry=express
    )
    security = UserFactory()
    grant_create(
        actor=None, valid_from=SINCE, user=security, role=Role.SECURITY_ADMIN, region=r["390100000000"]
    )
    hotline = UserFactory()
    grant_create(actor=None, valid_from=SINCE, user=hotline, role=Role.HOTLINE, region=r["390100000000"])
    return AppealsWorld(
        city=city,
        committee=committee,
        platform=platform,
        branch=branch,
        other_branch=other_branch,
        company=company,
        rider=rider,
        rider_member=rider_member,
        other_rider=other_rider,
        worker=UserFactory(),
        liaison=user_with_grant(Role.MEMBER_LIAISON, branch),
        other_liaison=user_with_grant(Role.MEMBER_LIAISON, other_branch),
        platform_user=user_with_grant(Role.PLATFORM_COMMITTEE, platform),
        hrss=hrss,
        transport=transport,
        centre=centre,
        hrss_user=hrss_user,
        transport_user=transport_user,
        centre_user=centre_user,
        zzb=zzb,
        industry_user=industry_user,
        security=security,
        hotline=hotline,
    )


@pytest.fixture
def aw(db):
    return make_world()


def submit(world, user=None, text=WAGES, **kw):
    from sanxin.appeals import services

    kw.setdefault("kind", "complaint")
    kw.setdefault("consent", True)
    return services.appeal_submit(actor=user or world.rider, text=text, **kw)
