"""Volunteer shifts at a station: started and ended at the door by the volunteer, confirmed by the keeper,
then credited as points once and shown in the growth archive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.core.models import AuditLog, Event
from sanxin.members import timeline
from sanxin.points.models import Entry
from sanxin.stations import services
from sanxin.stations.models import Shift, ShiftStatus
from tests.factories import PASSWORD, UserFactory
from tests.helpers import ApiClient, assert_error, committed
from tests.points.conftest import ITEMS, make_points_world
from tests.stations.conftest import ALL_WEEK, CITY

T = dt.time


@pytest.fixture
def sw(db):
    """A points world whose committee manages a station; its keeper; a member of the branch."""
    w = make_points_world()
    from sanxin.points import services as points_services

    points_services.catalogue_publish(
        actor=None,
        org=w.committee,
        title="快递外卖行业党员积分细则（含驿站值守）",
        start_on=dt.date(2021, 1, 1),
        items=[
            *ITEMS,
            {
                "code": "V03",
                "name": "驿站志愿值守",
                "category": "volunteer",
                "tier": "basic",
                "points": 2,
                "month_cap": 4,
                "mode": "automatic",
                "evidence": "record",
                "auto": [{"event": "stations.volunteered", "conditions": {}, "member_key": "person_id"}],
            },
        ],
    )
    station = services.station_create(
        actor=None, org=w.committee, name="暖蜂驿站·值守站", kind="nuanfeng", address="江汉路1号",
        lat=CITY[0], lng=CITY[1], amenities=["water"], hours=ALL_WEEK,
    )  # fmt: skip
    keeper = UserFactory()
    grant_create(
        actor=None,
        user=keeper,
        role=Role.STATION_KEEPER,
        assignment_kind="stations",
        object_ids=[str(station.pk)],
    )
    w.station, w.keeper = station, keeper
    w.volunteer, w.volunteer_member = w.users[1], w.members[1]
    return w


def at(h: int, m: int = 0, days: int = 0) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, T(h, m)))


def test_a_confirmed_shift_credits_points_once_and_enters_the_growth_archive(sw):
    s = sw.station
    shift = services.shift_start(
        actor=sw.volunteer,
        station=s,
        duty="站点值守、送水",
        method="qr",
        token=s.checkin_token,
        now=at(9, 5, 1),
    )
    assert shift.status == ShiftStatus.ON and shift.person_id == sw.volunteer_member.pk
    with pytest.raises(RuleViolation) as exc:  # one shift on at a time
        services.shift_start(
            actor=sw.volunteer, station=s, duty="再来", method="qr", token=s.checkin_token, now=at(9, 30, 1)
        )
    assert exc.value.code == "shift_on"
    shift = services.shift_end(actor=sw.volunteer, shift=shift, now=at(12, 50, 1))
    assert shift.status == ShiftStatus.ENDED and shift.hours == Decimal("3.5")  # whole half hours
    with pytest.raises(InvalidInput):  # the keeper may lower the hours, not raise them
        services.shift_decide(actor=sw.keeper, shift=shift, confirm=True, hours=4)
    with pytest.raises(InvalidInput):  # only whole half hours
        services.shift_decide(actor=sw.keeper, shift=shift, confirm=True, hours="1.2")
    with committed():
        shift = services.shift_decide(actor=sw.keeper, shift=shift, confirm=True, hours=3)
    assert shift.status == ShiftStatus.CONFIRMED and shift.hours == Decimal("3")
    credits = Entry.objects.filter(member=sw.volunteer_member, item__code="V03")
    assert [e.points for e in credits] == [2]
    with pytest.raises(RuleViolation):  # decided once
        services.shift_decide(actor=sw.keeper, shift=shift, confirm=True)
    event = Event.objects.get(name="stations.volunteered")
    assert event.payload["hours"] == 3.0 and event.payload["person_id"] == sw.volunteer_member.pk
    from sanxin.points import services as points_services

    points_services.apply_auto_rules(event)  # delivered again
    assert credits.count() == 1
    assert AuditLog.objects.filter(action="station_shift", object_id=str(shift.pk)).count() == 1
    events = timeline.page(sw.volunteer_member, viewer=sw.secretary).events
    mine = [e for e in events if e.source == "stations.shifts"]
    assert len(mine) == 1 and "暖蜂驿站·值守站" in mine[0].title and "3 小时" in mine[0].detail


def test_a_rejected_or_unfinished_shift_credits_nothing(sw):
    s = sw.station
    shift = services.shift_start(
        actor=sw.volunteer, station=s, duty="值守", method="location", lat=CITY[0], lng=CITY[1] + 0.001,
        now=at(8, 0, 2),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # nobody else ends it
        services.shift_end(actor=sw.users[2], shift=shift, now=at(9, 0, 2))
    with pytest.raises(InvalidInput) as exc:  # a refusal needs its reason
        services.shift_decide(actor=sw.keeper, shift=shift, confirm=False, now=at(20, 0, 1))
    assert exc.value.field == "reason"
    with committed():
        shift = services.shift_decide(
            actor=sw.keeper, shift=shift, confirm=False, reason="当天未在站点", now=at(20, 0, 1)
        )
    assert shift.status == ShiftStatus.REJECTED and shift.ends_at == at(20, 0, 1)  # the keeper closed it
    assert shift.hours == Decimal("12")  # left on for 36 hours: at most 12 counted
    assert not Event.objects.filter(name="stations.volunteered").exists()
    assert not Entry.objects.filter(item__code="V03").exists()


def test_a_shift_needs_the_place_the_duty_and_a_keeper_who_is_not_the_volunteer(sw):
    s = sw.station
    with pytest.raises(RuleViolation) as exc:
        services.shift_start(actor=sw.volunteer, station=s, duty="值守", method="qr", token="forged")
    assert exc.value.code == "bad_token"
    with pytest.raises(RuleViolation) as exc:  # about 1.1 km away
        services.shift_start(actor=sw.volunteer, station=s, duty="值守", method="location",
                             lat=CITY[0] + 0.01, lng=CITY[1])  # fmt: skip
    assert exc.value.code == "too_far"
    with pytest.raises(InvalidInput) as exc:
        services.shift_start(actor=sw.volunteer, station=s, duty="  ", method="qr", token=s.checkin_token)
    assert exc.value.field == "duty"
    with pytest.raises(RuleViolation) as exc:  # an account with no person
        services.shift_start(actor=UserFactory(), station=s, duty="值守", method="qr", token=s.checkin_token)
    assert exc.value.code == "no_person"
    with pytest.raises(PermissionDenied):  # a member of the branch is no keeper
        shift = services.shift_start(
            actor=sw.volunteer, station=s, duty="值守", method="qr", token=s.checkin_token, now=at(8, 0, 1)
        )
        services.shift_end(actor=sw.volunteer, shift=shift, now=at(10, 0, 1))
        services.shift_decide(actor=sw.users[2], shift=shift, confirm=True)
    grant_create(actor=None, user=sw.volunteer, role=Role.STATION_KEEPER, assignment_kind="stations",
                 object_ids=[str(s.pk)])  # fmt: skip
    with pytest.raises(PermissionDenied):  # a keeper does not confirm their own shift
        services.shift_decide(actor=sw.volunteer, shift=shift, confirm=True)
    assert Shift.objects.get(pk=shift.pk).status == ShiftStatus.ENDED


def test_the_api_starts_ends_and_decides_with_the_one_error_format(sw):
    s = sw.station
    api = ApiClient(sw.volunteer)
    r = api.post(f"/api/v1/stations/{s.pk}/shifts", {"duty": "", "method": "qr", "token": s.checkin_token})
    assert_error(r, 422)
    r = api.post(f"/api/v1/stations/{s.pk}/shifts", {"duty": "送水", "method": "qr", "token": "forged"})
    assert_error(r, 409, code="bad_token")
    r = api.post(
        f"/api/v1/stations/{s.pk}/shifts", {"duty": "送水", "method": "qr", "token": s.checkin_token}
    )
    assert r.status_code == 201, r.content
    shift_id = r.json()["id"]
    # started a moment ago: the end is after the start, a half hour is not yet served
    Shift.objects.filter(pk=shift_id).update(starts_at=timezone.now() - dt.timedelta(hours=2, minutes=5))
    r = api.post("/api/v1/stations/shifts/mine/end", {})
    assert r.status_code == 200 and r.json()["hours"] == 2.0 and r.json()["status"] == "ended"
    assert_error(api.post("/api/v1/stations/shifts/mine/end", {}), 404)
    assert [x["id"] for x in api.get("/api/v1/stations/shifts/mine").json()["items"]] == [shift_id]
    # a member is not the keeper: the station's list and the decision are refused
    assert_error(api.get(f"/api/v1/stations/{s.pk}/shifts"), 403)
    keeper = ApiClient(sw.keeper)
    assert [x["id"] for x in keeper.get(f"/api/v1/stations/{s.pk}/shifts").json()["items"]] == [shift_id]
    assert_error(
        keeper.post(f"/api/v1/stations/shifts/{shift_id}/decide", {"confirm": True, "hours": 13}), 422
    )
    r = keeper.post(f"/api/v1/stations/shifts/{shift_id}/decide", {"confirm": True, "hours": 1.5})
    assert r.status_code == 200 and r.json()["status"] == "confirmed" and r.json()["hours"] == 1.5


def test_the_pages_start_and_end_a_shift_and_the_keeper_confirms_it(sw):
    s = sw.station
    c = Client()
    assert c.login(username=sw.volunteer.username, password=PASSWORD)
    page = c.get(f"/stations/{s.pk}/?t={s.checkin_token}").content.decode()
    assert 'data-testid="shift-form"' in page
    r = c.post(f"/stations/{s.pk}/", {"action": "shift_start", "t": s.checkin_token, "duty": ""})
    assert r.status_code == 400 and "请填写服务内容" in r.content.decode()
    assert not Shift.objects.exists()
    r = c.post(f"/stations/{s.pk}/", {"action": "shift_start", "t": s.checkin_token, "duty": "站点值守"})
    assert r.status_code == 302
    shift = Shift.objects.get()
    Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    assert 'data-testid="shift-end"' in c.get(f"/stations/{s.pk}/").content.decode()
    assert c.post(f"/stations/{s.pk}/", {"action": "shift_end"}).status_code == 302
    k = Client()
    assert k.login(username=sw.keeper.username, password=PASSWORD)
    page = k.get(f"/stations/{s.pk}/keep/").content.decode()
    assert f'data-testid="shift-{shift.pk}"' in page and sw.volunteer_member.person.name in page
    assert 'data-testid="by-weekday"' in page and "周日" in page
    r = k.post(f"/stations/{s.pk}/keep/", {"action": "shift_reject", "shift": shift.pk, "reason": ""})
    assert r.status_code == 400 and "请说明原因" in r.content.decode()
    r = k.post(f"/stations/{s.pk}/keep/", {"action": "shift_confirm", "shift": shift.pk, "hours": ""})
    assert r.status_code == 302
    assert Shift.objects.get().status == ShiftStatus.CONFIRMED
    # another station's keeper cannot reach it
    other = UserFactory()
    grant_create(
        actor=None, user=other, role=Role.STATION_KEEPER, assignment_kind="stations", object_ids=["0"]
    )
    o = Client()
    assert o.login(username=other.username, password=PASSWORD)
    assert o.get(f"/stations/{s.pk}/keep/").status_code in (403, 404)
