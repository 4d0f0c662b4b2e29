"""A branch with a secretary, four members (one probationary) with accounts, a venue with coordinates,
and a second branch of another committee with its own member and secretary."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from sanxin.meetings import services
from sanxin.meetings.models import Venue
from sanxin.members import services as member_services
from sanxin.members.models import Standing
from sanxin.orgs import services as org_services
from sanxin.orgs.models import Org, OrgType, PostTitle
from tests.factories import UserFactory, user_with_grant
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


user_for = user_with_grant


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


def _org(parent, name, org_type, region, founded):
    return org_services.org_create(
        actor=None, parent=parent, name=name, org_type=org_type, region=region, founded_on=founded
    )


def make_branches() -> Branches:
    r = regions()
    city = _org(None, "中共新河市委员会", OrgType.PARTY_COMMITTEE, r["390100000000"], D(2000, 1, 1))
    committee = _org(city, "快递外卖行业党委", OrgType.INDUSTRY_COMMITTEE, r["390100000000"], D(2019, 1, 1))
    branch = _org(committee, "骑手流动党员党支部", OrgType.MOBILE_BRANCH, r["390102001000"], D(2019, 6, 1))
    other_committee = _org(
        city, "交通运输行业党委", OrgType.INDUSTRY_COMMITTEE, r["390100000000"], D(2019, 1, 1)
    )
    other = _org(other_committee, "货车司机党支部", OrgType.BRANCH, r["390103001000"], D(2019, 6, 1))
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


@pytest.fixture(autouse=True)
def default_rules(db):
    """The rules the data migration installs (a transactional test elsewhere may have flushed them)."""
    services.ensure_default_rules()


@pytest.fixture
def b(db):
    return make_branches()


def soon(minutes=60):
    return (timezone.now() + dt.timedelta(minutes=minutes)).replace(microsecond=0)
