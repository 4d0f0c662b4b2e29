"""Stations for the tests: a managing org, a keeper, an office."""

from __future__ import annotations

import datetime as dt

import pytest

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.orgs import services as org_services
from sanxin.orgs.models import OrgType
from sanxin.stations import services
from sanxin.stations.hours import Interval
from tests.factories import UserFactory
from tests.world import regions

T = dt.time
ALL_WEEK = [Interval(d, T(8), T(20)) for d in range(7)]
CITY = (30.58, 114.30)  # a point in a city in China (WGS-84)


@pytest.fixture
def st(db):
    r = regions()
    org = org_services.org_create(
        actor=None, parent=None, name="中共新河市新就业群体工作委员会", org_type=OrgType.PARTY_COMMITTEE,
        region=r["390100000000"], founded_on=dt.date(2020, 1, 1),
    )  # fmt: skip
    other = org_services.org_create(
        actor=None, parent=None, name="中共东岸县委员会", org_type=OrgType.PARTY_COMMITTEE,
        region=r["390103000000"], founded_on=dt.date(2020, 1, 1),
    )  # fmt: skip
    office = UserFactory()
    grant_create(actor=None, user=office, role=Role.ORG_DEPARTMENT, org=org)
    station = services.station_create(
        actor=None, org=org, name="暖蜂驿站·江汉路站", kind="nuanfeng", host_kind="store", address="江汉路88号",
        lat=CITY[0], lng=CITY[1], amenities=["water", "charging", "toilet"], hours=ALL_WEEK,
    )  # fmt: skip
    keeper = UserFactory()
    grant_create(actor=None, user=keeper, role=Role.STATION_KEEPER, assignment_kind="stations",
                 object_ids=[str(station.pk)])  # fmt: skip
    return type(
        "St", (), {"org": org, "other": other, "office": office, "keeper": keeper, "station": station}
    )
