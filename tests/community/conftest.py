"""Two committees of the city, each with a branch: branch A (under committee X) has a secretary (the 书记
post and a branch_secretary grant) and members with accounts, branch B (under committee Y) a member and a
secretary of its own. Each branch has a board; committee X a board; the city a region-wide board."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.community import services
from sanxin.community.models import Board
from sanxin.orgs import services as org_services
from sanxin.orgs.models import Org, OrgType, PostTitle
from tests.factories import UserFactory, user_with_grant
from tests.meetings.conftest import _org, member
from tests.world import regions

D = dt.date


@dataclasses.dataclass
class CommunityWorld:
    city: Org
    committee_x: Org
    committee_y: Org
    branch_a: Org
    branch_b: Org
    secretary_a: object  # user: 书记 of branch A with the branch_secretary grant
    secretary_b: object
    rider: object  # user: a member of branch A
    rider2: object
    driver: object  # user: a member of branch B
    committee_x_office: object  # industry committee X's user
    security: object  # the organization department's security administrator
    board_a: Board
    board_b: Board
    board_x: Board
    board_city: Board


def make_world() -> CommunityWorld:
    r = regions()
    city = _org(None, "中共新河市委员会", OrgType.PARTY_COMMITTEE, r["390100000000"], D(2000, 1, 1))
    cx = _org(city, "快递外卖行业党委", OrgType.INDUSTRY_COMMITTEE, r["390100000000"], D(2019, 1, 1))
    cy = _org(city, "交通运输行业党委", OrgType.INDUSTRY_COMMITTEE, r["390100000000"], D(2019, 1, 1))
    ba = _org(cx, "骑手流动党员党支部", OrgType.MOBILE_BRANCH, r["390102001000"], D(2019, 6, 1))
    bb = _org(cy, "货车司机党支部", OrgType.BRANCH, r["390103001000"], D(2019, 6, 1))
    secretaries = []
    for org, name in ((ba, "郭书记"), (bb, "钱书记")):
        m, user = member(org, name)
        org_services.post_assign(
            actor=None, org=org, person=m.person, title=PostTitle.SECRETARY, start_on=D(2020, 1, 1)
        )
        grant_create(actor=None, user=user, role=Role.BRANCH_SECRETARY, org=org, valid_from=D(2000, 1, 1))
        secretaries.append(user)
    _, rider = member(ba, "李晨阳")
    _, rider2 = member(ba, "王小骑")
    _, driver = member(bb, "赵大车")
    office = user_with_grant(Role.INDUSTRY_COMMITTEE, cx)
    security = UserFactory()
    grant_create(
        actor=None,
        user=security,
        role=Role.SECURITY_ADMIN,
        region=r["390100000000"],
        valid_from=D(2000, 1, 1),
    )
    boards = [
        services.board_create(actor=None, org=org, name=name)
        for org, name in (
            (ba, "骑手支部交流区"),
            (bb, "货车司机之家"),
            (cx, "快递外卖行业论坛"),
            (city, "新河市党员论坛"),
        )
    ]
    return CommunityWorld(
        city=city, committee_x=cx, committee_y=cy, branch_a=ba, branch_b=bb,
        secretary_a=secretaries[0], secretary_b=secretaries[1], rider=rider, rider2=rider2, driver=driver,
        committee_x_office=office, security=security,
        board_a=boards[0], board_b=boards[1], board_x=boards[2], board_city=boards[3],
    )  # fmt: skip


@pytest.fixture
def cw(db):
    return make_world()
