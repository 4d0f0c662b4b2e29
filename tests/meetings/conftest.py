"""A branch with a secretary, four members (one probationary) with accounts, a venue with coordinates,
and a second branch of another committee with its own member and secretary."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from sanxin.accounts.services import grant_create
from sanxin.meetings import services
from sanxin.meetings.models import Venue
from sanxin.members import services as member_services
from sanxin.members.models import Standing
from sanxin.orgs import services as org_services
from sanxin.orgs.models import Org, OrgType, PostTitle
from tests.factories import UserFactory
from tests.world import regions

D = dt.date
# 新河市党群服务中心 (the demo city's coordinates)
VENUE_LAT, VENUE_LNG = 30.2741, 120.1551


@dataclasses.dataclass
class Branches:
    city: Org
    committee: Org
    branch: Org
    other: Org
    secretary: object
    other_secretary: object
    office: object
    members: list  # Member rows of ``branch``; members[0] is probationary
    users: list  # their accounts
    outsider: object  # a member of ``other``
    outsider_user: object
    venue: Venue


def user_for(role: str, org: Org):
    u = UserFactory()
    grant_create(actor=None, user=u, role=role, org=org)
    return u


def member(org: Org, name: str, *, standing=Standing.FULL):
    user = UserFactory()
    person, _ = org_services.person_create(actor=None, name=name, org=org, user=user)
    m = member_services.member_register(
        actor=None,
        person=person,
        org=org,
        joined_on=D(2015, 7, 1),
        standing=standing,
        converted_on=D(2016, 7, 1) if standing == Standing.FULL else None,
        since=D(2020, 1, 1),
    )
    return m, user


def make_branches() -> Branches:
    r = regions()
    city = org_services.org_create(
        actor=None,
        parent=None,
        name="中共新河市委员会",
        org_type=OrgType.PARTY_COMMITTEE,
        region=r["390100000000"],
        founded_on=D(2000, 1, 1),
    )
    committee = org_services.org_create(
        actor=None,
        parent=city,
        name="快递外卖行业党委",
        org_type=OrgType.INDUSTRY_COMMITTEE,
        region=r["390100000000"],
        founded_on=D(2019, 1, 1),
    )
    branch = org_services.org_create(
        actor=None,
        parent=committee,
        name="骑手流动党员党支部",
        org_type=OrgType.MOBILE_BRANCH,
        region=r["390102001000"],
        founded_on=D(2019, 6, 1),
    )
    other_committee = org_services.org_create(
        actor=None,
        parent=city,
        name="交通运输行业党委",
        org_type=OrgType.INDUSTRY_COMMITTEE,
        region=r["390100000000"],
        founded_on=D(2019, 1, 1),
    )
    other = org_services.org_create(
        actor=None,
        parent=other_committee,
        name="货车司机党支部",
        org_type=OrgType.BRANCH,
        region=r["390103001000"],
        founded_on=D(2019, 6, 1),
    )
    people = [member(branch, "王预备", standing=Standing.PROBATIONARY)] + [
        member(branch, name) for name in ("李骑手", "张骑手", "陈骑手")
    ]
    outsider, outsider_user = member(other, "赵司机")
    # the branch committee (支委会): 李 is the secretary, 张 the organization member
    for (m, _u), title in zip(people[1:3], (PostTitle.SECRETARY, PostTitle.ORGANIZATION), strict=True):
        org_services.post_assign(actor=None, org=branch, person=m.person, title=title, start_on=D(2020, 1, 1))
    venue = services.venue_create(
        actor=None,
        org=committee,
        name="行业党委活动室",
        address="新城区",
        lat=VENUE_LAT,
        lng=VENUE_LNG,
        capacity=40,
    )
    return Branches(
        city=city,
        committee=committee,
        branch=branch,
        other=other,
        secretary=user_for("branch_secretary", branch),
        other_secretary=user_for("branch_secretary", other),
        office=user_for("industry_committee", committee),
        members=[m for m, _u in people],
        users=[u for _m, u in people],
        outsider=outsider,
        outsider_user=outsider_user,
        venue=venue,
    )


@pytest.fixture
def b(db):
    return make_branches()


def soon(minutes=60):
    return (timezone.now() + dt.timedelta(minutes=minutes)).replace(microsecond=0)
