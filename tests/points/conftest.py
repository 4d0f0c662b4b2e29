"""A committee with a points catalogue (automatic attendance and absence items, a capped volunteer
item needing a photo, a pioneer item needing a document), a branch with a secretary who is also a
member and three members, a branch of another committee, a reading partner with an offer."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.core import uploads
from sanxin.orgs import services as org_services
from sanxin.orgs.models import Org, OrgType, PostTitle
from sanxin.points import services
from sanxin.points.models import Catalogue, Offer, Partner
from tests.factories import UserFactory, user_with_grant
from tests.meetings.conftest import _org, member
from tests.world import regions

D = dt.date
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9d\x8b\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)

ITEMS = [
    {
        "code": "L01",
        "name": "参加三会一课",
        "category": "life",
        "tier": "basic",
        "points": 2,
        "month_cap": 4,
        "mode": "automatic",
        "evidence": "record",
        "auto": [
            {
                "event": "meetings.attended",
                "conditions": {"kind": ["general", "group", "lecture", "theme_day"]},
            }
        ],
    },
    {
        "code": "L02",
        "name": "无故缺席组织生活",
        "category": "life",
        "tier": "basic",
        "points": -3,
        "mode": "automatic",
        "evidence": "record",
        "auto": [{"event": "meetings.absent", "conditions": {"excused": False}}],
    },
    {
        "code": "V01",
        "name": "参加志愿服务",
        "category": "volunteer",
        "tier": "basic",
        "points": 5,
        "month_cap": 10,
        "year_cap": 30,
        "evidence": "photo",
    },
    {
        "code": "P01",
        "name": "见义勇为、获得表彰",
        "category": "praise",
        "tier": "pioneer",
        "points": 10,
        "evidence": "document",
    },
    {"code": "G01", "name": "参与社区治理", "category": "governance", "tier": "basic", "points": 3},
]


@dataclasses.dataclass
class PointsWorld:
    city: Org
    committee: Org
    branch: Org
    other: Org
    catalogue: Catalogue
    secretary: object  # user: secretary of ``branch`` and one of its members (members[0])
    committee_user: object
    committee_user2: object
    members: list
    users: list
    outsider: object
    outsider_user: object
    other_secretary: object
    partner: Partner
    partner_user: object
    offer: Offer

    def item(self, code):
        return self.catalogue.items.get(code=code)


def photo(user):
    return uploads.store(actor=user, purpose_name="points.evidence", name="deed.png", chunks=PNG)


def make_points_world(start_on=None) -> PointsWorld:
    r = regions()
    city = _org(None, "中共新河市委员会", OrgType.PARTY_COMMITTEE, r["390100000000"], D(2000, 1, 1))
    committee = _org(city, "快递外卖行业党委", OrgType.INDUSTRY_COMMITTEE, r["390100000000"], D(2019, 1, 1))
    branch = _org(committee, "骑手流动党员党支部", OrgType.MOBILE_BRANCH, r["390102001000"], D(2019, 6, 1))
    other_committee = _org(
        city, "交通运输行业党委", OrgType.INDUSTRY_COMMITTEE, r["390100000000"], D(2019, 1, 1)
    )
    other = _org(other_committee, "货车司机党支部", OrgType.BRANCH, r["390103001000"], D(2019, 6, 1))
    people = [member(branch, name) for name in ("李书记", "王骑手", "张骑手", "陈骑手")]
    org_services.post_assign(
        actor=None, org=branch, person=people[0][0].person, title=PostTitle.SECRETARY, start_on=D(2020, 1, 1)
    )
    secretary = people[0][1]
    grant_create(actor=None, user=secretary, role=Role.BRANCH_SECRETARY, org=branch)
    outsider, outsider_user = member(other, "赵司机")
    catalogue = services.catalogue_publish(
        actor=None,
        org=committee,
        title="快递外卖行业党员积分细则",
        start_on=start_on or D(2020, 1, 1),
        items=ITEMS,
    )
    partner = services.partner_save(
        actor=None, org=committee, name="新河书城", kind="reading", contact_name="周店长", address="人民路8号"
    )
    today = timezone.localdate()
    offer = services.offer_save(
        actor=None,
        partner=partner,
        title="图书兑换券（50元）",
        price=20,
        stock=3,
        valid_from=today - dt.timedelta(days=30),
        valid_to=today + dt.timedelta(days=90),
    )
    partner_user = UserFactory()
    grant_create(
        actor=None,
        user=partner_user,
        role=Role.PARTNER,
        assignment_kind="points_partners",
        object_ids=[str(partner.pk)],
    )
    return PointsWorld(
        city=city,
        committee=committee,
        branch=branch,
        other=other,
        catalogue=catalogue,
        secretary=secretary,
        committee_user=user_with_grant(Role.INDUSTRY_COMMITTEE, committee),
        committee_user2=user_with_grant(Role.INDUSTRY_COMMITTEE, committee),
        members=[m for m, _ in people],
        users=[u for _, u in people],
        outsider=outsider,
        outsider_user=outsider_user,
        other_secretary=user_with_grant(Role.BRANCH_SECRETARY, other),
        partner=partner,
        partner_user=partner_user,
        offer=offer,
    )


@pytest.fixture
def pw(db):
    return make_points_world()
