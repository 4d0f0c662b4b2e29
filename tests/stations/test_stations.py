"""Opening hours (overnight intervals, overlaps refused, days that differ), the station ledger through
the API with its Chinese errors, check-in at the door, by location and at the desk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.stations import services
from sanxin.stations.hours import DayOverride, HoursError, Interval, check, is_open, today_label
from sanxin.stations.models import Station, Visit
from tests.helpers import ApiClient, assert_error
from tests.stations.conftest import CITY

T = dt.time
FRI = dt.date(2026, 12, 4)  # a Friday


def at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m))


def test_an_overnight_interval_runs_into_the_next_day_and_overlaps_are_refused():
    night = [Interval(4, T(22), T(6))]  # Friday 22:00 – Saturday 06:00
    assert is_open(at(FRI, 23, 59), night) and is_open(at(FRI + dt.timedelta(days=1), 5, 59), night)
    assert not is_open(at(FRI + dt.timedelta(days=1), 6), night) and not is_open(at(FRI, 21, 59), night)
    check([*night, Interval(5, T(6), T(12))])  # touching is fine
    with pytest.raises(HoursError) as exc:
        check([*night, Interval(5, T(5), T(12))])
    assert "重叠" in exc.value.message and "周五 22:00–次日06:00" in exc.value.message
    with pytest.raises(HoursError):
        check([Interval(0, T(8), T(12)), Interval(0, T(11), T(14))])
    with pytest.raises(HoursError):  # Sunday's night runs into Monday morning
        check([Interval(6, T(20), T(2)), Interval(0, T(1), T(9))])
    whole = [Interval(d, T(0), T(0)) for d in range(7)]
    assert check(whole) and is_open(at(FRI, 0), whole) and today_label(FRI, whole) == "全天"


def test_a_day_that_differs_replaces_the_intervals_that_begin_on_it():
    week = [Interval(d, T(8), T(20)) for d in range(7)] + [Interval(3, T(22), T(2))]
    thu = FRI - dt.timedelta(days=1)
    closed = {FRI: DayOverride(FRI)}
    assert not is_open(at(FRI, 10), week, closed)
    assert is_open(at(FRI, 1), week, closed)  # Thursday's night still ends as usual
    special = {FRI: DayOverride(FRI, T(12), T(14))}
    assert is_open(at(FRI, 13), week, special) and not is_open(at(FRI, 10), week, special)
    assert today_label(FRI, week, special) == "12:00–14:00" and today_label(FRI, week, closed) == "闭站"
    assert today_label(thu, week) == "08:00–20:00、22:00–次日02:00"


@pytest.mark.parametrize(
    ("lat", "lng", "message"),
    [
        (95, 114.3, "超出范围"),
        (float("nan"), 114.3, "有限"),
        ("north", 114.3, "数字"),
        (37.57, 126.98, "不在我国境内"),
    ],
)
def test_bad_coordinates_are_refused(st, lat, lng, message):
    with pytest.raises(InvalidInput) as exc:
        services.station_create(actor=st.office, org=st.org, name="站", kind="nuanfeng", address="路", lat=lat,
                                lng=lng)  # fmt: skip
    assert message in exc.value.message and exc.value.field == "lat"
    assert Station.objects.count() == 1


def test_the_api_refuses_bad_input_in_chinese_and_creates_nothing(st):
    api = ApiClient(st.office)
    good = {"org_id": st.org.pk, "name": "暖蜂驿站·汉口站", "kind": "nuanfeng", "address": "解放大道1号",
            "lat": 30.6, "lng": 114.28, "amenities": ["water"], "hours": [{"weekday": 0, "opens": "08:00",
                                                                               "closes": "20:00"}]}  # fmt: skip
    err = assert_error(api.post("/api/v1/stations", good | {"amenities": ["water", "sauna"]}), 422)
    assert "sauna" in err["message"]
    overlapping = [
        {"weekday": 4, "opens": "22:00", "closes": "06:00"},
        {"weekday": 5, "opens": "05:00", "closes": "09:00"},
    ]
    err = assert_error(api.post("/api/v1/stations", good | {"hours": overlapping}), 422)
    assert "重叠" in err["message"]
    assert_error(api.post("/api/v1/stations", good | {"lat": 95}), 422)
    assert_error(api.post("/api/v1/stations", good | {"lat": "north"}), 422)
    assert Station.objects.count() == 1
    r = api.post("/api/v1/stations", good | {"hours": overlapping[:1]})
    assert r.status_code == 201 and r.json()["hours"] == [
        {"weekday": 4, "opens": "22:00:00", "closes": "06:00:00"}
    ]
    assert api.get("/api/v1/stations/amenities").json()[0] == {"code": "water", "name": "饮水"}
    near = api.get("/api/v1/stations/nearest", {"lat": 30.6, "lng": 114.28, "amenity": "water",
                                                 "open_at": "2026-12-04T23:00:00+08:00"}).json()  # fmt: skip
    assert [n["name"] for n in near] == ["暖蜂驿站·汉口站"] and near[0]["distance_m"] == 0
    assert_error(api.get("/api/v1/stations/nearest", {"lat": 30.6, "lng": 114.28, "amenity": "sauna"}), 422)
    assert_error(api.get("/api/v1/stations/nearest", {"lat": 95, "lng": 114.28}), 422)
    outsider = ApiClient(st.keeper)
    assert outsider.post("/api/v1/stations", good).status_code == 403


def test_check_in_at_the_door_by_location_and_at_the_desk(st):
    from tests.factories import UserFactory

    rider = UserFactory()
    s = st.station
    noon = timezone.make_aware(dt.datetime.combine(FRI, T(12)))
    v = services.check_in(
        actor=rider, station=s, method="qr", token=s.checkin_token, used=["charging"], now=noon
    )
    assert v.user == rider and v.used == 2
    with pytest.raises(RuleViolation) as exc:
        services.check_in(actor=rider, station=s, method="qr", token="forged", now=noon)
    assert exc.value.code == "bad_token"
    with pytest.raises(RuleViolation) as exc:  # about 1.1 km away
        services.check_in(
            actor=rider, station=s, method="location", lat=CITY[0] + 0.01, lng=CITY[1], now=noon
        )
    assert exc.value.code == "too_far"
    v = services.check_in(
        actor=rider, station=s, method="location", lat=CITY[0] + 0.001, lng=CITY[1], now=noon
    )
    assert 100 <= v.distance_m <= 120
    with pytest.raises(RuleViolation) as exc:  # 23:00, closed
        services.check_in(actor=rider, station=s, method="qr", token=s.checkin_token,
                          now=noon + dt.timedelta(hours=11))  # fmt: skip
    assert exc.value.code == "not_open"
    with pytest.raises(InvalidInput):  # no microwave here
        services.check_in(
            actor=rider, station=s, method="qr", token=s.checkin_token, used=["microwave"], now=noon
        )
    with pytest.raises(PermissionDenied):  # only a keeper registers at the desk
        services.check_in(actor=rider, station=s, method="desk", now=noon)
    v = services.check_in(actor=st.keeper, station=s, method="desk", note="送水", now=noon)
    assert v.user is None and v.recorded_by == st.keeper
    assert Visit.objects.count() == 3
    import time_machine

    with time_machine.travel(noon, tick=False):  # a closure can only be set for today or later
        services.closure_set(actor=st.keeper, station=s, on=FRI, reason="停电检修")
    with pytest.raises(RuleViolation):
        services.check_in(actor=rider, station=s, method="qr", token=s.checkin_token, now=noon)
    with pytest.raises(PermissionDenied):
        services.hours_set(actor=rider, station=s, hours=[])


def test_the_phone_pages_find_the_nearest_open_station_and_check_in(st):
    from django.test import Client

    from tests.factories import PASSWORD, UserFactory

    rider = UserFactory()
    c = Client()
    assert c.login(username=rider.username, password=PASSWORD)
    far = services.station_create(actor=None, org=st.org, name="暖蜂驿站·远处", kind="nuanfeng", address="远路",
                                  lat=CITY[0] + 0.05, lng=CITY[1], amenities=["water"],
                                  hours=[Interval(d, T(0), T(0)) for d in range(7)])  # fmt: skip
    noon = timezone.make_aware(dt.datetime.combine(FRI, T(12)))
    import time_machine

    with time_machine.travel(noon, tick=False):
        page = c.get(
            "/stations/", {"lat": CITY[0] + 0.001, "lng": CITY[1], "amenity": "charging"}
        ).content.decode()
        assert st.station.name in page and far.name not in page and "111 米" in page
        page = c.get("/stations/", {"lat": CITY[0] + 0.001, "lng": CITY[1]}).content.decode()
        assert page.index(st.station.name) < page.index(far.name)
        assert "不在我国境内" in c.get("/stations/", {"lat": 37.57, "lng": 126.98}).content.decode()
        r = c.post(f"/stations/{st.station.pk}/", {"t": st.station.checkin_token, "used": ["water"]})
        assert r.status_code == 302 and Visit.objects.get().used == 1
        r = c.post(f"/stations/{st.station.pk}/", {"lat": CITY[0] + 0.02, "lng": CITY[1]})
        assert r.status_code == 400 and "300 米内签到" in r.content.decode()  # too far: told so
        assert Visit.objects.count() == 1
    with time_machine.travel(noon + dt.timedelta(hours=10), tick=False):  # 22:00: only the 24-hour one
        page = c.get("/stations/", {"lat": CITY[0], "lng": CITY[1]}).content.decode()
        assert far.name in page and st.station.name not in page


def test_the_keeper_sets_hours_registers_at_the_desk_and_the_office_exports_the_ledger(st):
    import io

    import openpyxl
    from django.test import Client

    from tests.factories import PASSWORD

    s = st.station
    c = Client()
    assert c.login(username=st.keeper.username, password=PASSWORD)
    page = c.get(f"/stations/{s.pk}/keep/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    form = {
        "action": "hours",
        "opens_4_1": "22:00",
        "closes_4_1": "06:00",
        "opens_5_1": "05:00",
        "closes_5_1": "09:00",
    }
    r = c.post(f"/stations/{s.pk}/keep/", form)
    assert r.status_code == 400 and "重叠" in r.content.decode()
    assert s.hours.count() == 7  # unchanged
    r = c.post(f"/stations/{s.pk}/keep/", {"action": "hours", "opens_0_1": "08:00"})
    assert r.status_code == 400 and "同时填写" in r.content.decode()
    form["opens_5_1"] = "06:00"
    r = c.post(f"/stations/{s.pk}/keep/", form)
    assert r.status_code == 302 and s.hours.count() == 2
    today = timezone.localdate()
    later = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)  # a Friday to come: grants start today
    with __import__("time_machine").travel(
        timezone.make_aware(dt.datetime.combine(later, T(23))), tick=False
    ):
        r = c.post(f"/stations/{s.pk}/keep/", {"action": "desk", "used": ["water", "toilet"], "note": "送水"})
        assert r.status_code == 302
        use = __import__("sanxin.stations.selectors", fromlist=["use"]).use(
            s, since=timezone.now() - dt.timedelta(days=1)
        )
        assert use.total == 1 and use.by_hour[23] == 1 and use.by_weekday[4] == 1
        assert dict(use.amenities) == {"饮水": 1, "充电": 0, "卫生间": 1}
    other = Client()
    assert other.login(username=st.office.username, password=PASSWORD)
    assert s.name in other.get("/stations/ledger/").content.decode()
    r = other.get("/stations/ledger.xlsx")
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)
    ).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert s.name in names
    assert (
        other.get(f"/stations/{s.pk}/keep/").status_code == 200
    )  # the managing org's office may keep it too
    stranger = Client()
    from tests.factories import UserFactory

    assert stranger.login(username=UserFactory().username, password=PASSWORD)
    assert stranger.get(f"/stations/{s.pk}/keep/").status_code == 403
    assert stranger.get("/stations/ledger/").status_code == 403


def test_the_service_circle_counts_workers_and_cells_and_moves_when_a_suggestion_is_added(st):
    from django.test import Client

    from sanxin.orgs.models import Person
    from sanxin.stations import selectors
    from sanxin.stations.models import Candidate, Outline, WorkSpot
    from tests.factories import PASSWORD

    region = st.org.region
    lat0, lng0 = CITY
    Outline.objects.create(region=region, polygon=[[lat0 - 0.05, lng0 - 0.05], [lat0 - 0.05, lng0 + 0.05],
                                                   [lat0 + 0.05, lng0 + 0.05], [lat0 + 0.05, lng0 - 0.05]])  # fmt: skip
    near, far = (lat0 + 0.005, lng0), (lat0 + 0.04, lng0 + 0.04)  # 0.6 km and about 5.6 km away
    for i, (kind, (lat, lng)) in enumerate(
        [("rider", near)] * 3 + [("rider", far)] * 2 + [("ride_hailing", far)]
    ):
        person = Person.objects.create(name=f"骑手{i}", org=st.org)
        WorkSpot.objects.create(person=person, kind=kind, region=region, lat=lat, lng=lng)
    Candidate.objects.create(
        name="加油站（备选）", host_kind="gas", region=region, lat=far[0], lng=far[1], cell9=0
    )
    Candidate.objects.create(
        name="便利店（备选）", host_kind="store", region=region, lat=lat0 - 0.04, lng=lng0, cell9=0
    )
    c = selectors.circle(region.code, at=None)
    by = {k.label: (k.total, k.covered) for k in c.by_kind}
    # riding 15 km/h ÷ 1.3 for 15 minutes: 2.9 km; driving 25 km/h: 4.8 km — the far one is 5.6 km away
    assert by == {"外卖骑手": (5, 3), "网约车司机": (1, 0)} and c.workers.rate == 50.0
    assert [(s.name, g) for s, g, _ in c.suggestions] == [("加油站（备选）", 2)]
    assert 0 < c.area.covered < c.area.total
    again = selectors.circle(region.code, at=None, add=[c.suggestions[0][0].pk])
    assert again.workers.covered == 6 and again.area.covered > c.area.covered and again.suggestions == []
    client = Client()
    assert client.login(username=st.office.username, password=PASSWORD)
    page = client.get("/stations/circle/", {"region": region.code, "when": "any"}).content.decode()
    assert "50.0%" in page and "加油站（备选）" in page
    page = client.get(
        "/stations/circle/", {"region": region.code, "when": "any", "add": c.suggestions[0][0].pk}
    )
    assert "100.0%" in page.content.decode()


def test_visitors_rate_a_station_and_an_office_decides_what_is_public(st):
    from django.test import Client

    from sanxin.stations import selectors
    from sanxin.stations.models import ReviewStatus
    from tests.factories import PASSWORD, UserFactory

    rider = UserFactory()
    s = st.station
    with pytest.raises(RuleViolation) as exc:  # rate only where you checked in
        services.review_submit(actor=rider, station=s, stars=5)
    assert exc.value.code == "not_visited"
    noon = timezone.make_aware(dt.datetime.combine(FRI, T(12)))
    services.check_in(actor=rider, station=s, method="qr", token=s.checkin_token, now=noon)
    with pytest.raises(InvalidInput):
        services.review_submit(actor=rider, station=s, stars=6)
    with pytest.raises(InvalidInput):
        services.review_submit(actor=rider, station=s, stars=4, comment="好" * 501)
    review = services.review_submit(actor=rider, station=s, stars=4, comment="有热水，充电快")
    assert selectors.reviews(s) == ([], None, 0)  # not public before an office passes it
    with pytest.raises(PermissionDenied):
        services.review_moderate(actor=st.keeper, review=review, publish=True)  # not the keeper's to judge
    c = Client()
    assert c.login(username=st.office.username, password=PASSWORD)
    assert "有热水，充电快" in c.get("/stations/reviews/").content.decode()
    r = c.post(f"/stations/reviews/{review.pk}/", {"publish": "1"})
    assert r.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    shown, stars, n = selectors.reviews(s)
    assert [x.comment for x in shown] == ["有热水，充电快"] and (stars, n) == (4.0, 1)
    again = services.review_submit(actor=rider, station=s, stars=2, comment="今天没开门")
    assert again.pk == review.pk and again.status == ReviewStatus.PENDING  # a change is judged again
    rc = Client()
    assert rc.login(username=rider.username, password=PASSWORD)
    assert 'data-testid="review-form"' in rc.get(f"/stations/{s.pk}/").content.decode()


def test_a_station_is_also_a_venue_for_meetings(st):
    from sanxin.meetings.models import Venue, VenueKind
    from tests.helpers import committed

    with committed():
        s = services.station_create(actor=None, org=st.org, name="暖蜂驿站·车站路", kind="nuanfeng", address="车站路1号",
                                    lat=30.59, lng=114.31, capacity=12)  # fmt: skip
    venue = Venue.objects.get(source_key=f"station:{s.pk}")
    assert (venue.name, venue.kind, venue.org, venue.capacity, venue.active) == (
        s.name,
        VenueKind.STATION,
        st.org,
        12,
        True,
    )
    with committed():
        services.station_update(actor=None, station=s, name="暖蜂驿站·车站路（新址）", status="suspended")
    venue.refresh_from_db()
    assert venue.name == "暖蜂驿站·车站路（新址）" and venue.active is False
    assert Venue.objects.filter(source_key=f"station:{s.pk}").count() == 1
