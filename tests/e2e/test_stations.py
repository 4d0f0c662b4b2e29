"""服务阵地 in a real browser (新河市 demo): the rider ``dangyuan``, on a phone whose location is set to
解放路 in 城关街道, finds the nearest open 暖蜂驿站 with a charger, opens it and checks in by location;
the organization department (``zzb``) opens the 15-minute service circle and sees the share of
workers reached rise after adding the first suggested place."""

from __future__ import annotations

import datetime as dt

from sanxin.stations import services
from sanxin.stations.hours import Interval
from sanxin.stations.models import Station, Visit
from tests.e2e.conftest import DESKTOP, SCREENSHOTS, login, open_page

WAIT = 30000
HERE = {"latitude": 30.2600, "longitude": 120.1690}  # a hundred metres from 城关暖蜂驿站


def _rate(page) -> float:
    return float(page.get_by_test_id("worker-rate").inner_text().rstrip("%"))


def test_rider_finds_the_nearest_open_station_with_a_charger_and_checks_in(
    phone_page, browser, live_server, demo
):
    station = Station.objects.get(name="城关暖蜂驿站")
    # Whatever the hour the test runs at, the station is open: its keeper sets it round the clock.
    services.hours_set(
        actor=None, station=station, hours=[Interval(d, dt.time(0), dt.time(0)) for d in range(7)]
    )

    me = phone_page
    me.context.grant_permissions(["geolocation"])
    me.context.set_geolocation(HERE)
    login(me, "dangyuan")
    me.goto("/stations/")
    form = me.get_by_test_id("nearby-form")
    form.get_by_label("充电").check()
    form.get_by_label("站点类型").select_option(label="暖蜂驿站")
    with me.expect_navigation():
        form.get_by_test_id("locate").click()
    first = me.get_by_test_id("results").locator("li").first
    first.wait_for(timeout=WAIT)
    assert station.name in first.inner_text() and "米" in first.get_by_test_id("distance").inner_text()
    me.screenshot(path=str(SCREENSHOTS / "stations-phone.png"))
    with me.expect_navigation():
        first.get_by_role("link", name=station.name).click()
    assert me.get_by_test_id("open-now").inner_text() == "开放中"
    me.get_by_label("充电").check()
    with me.expect_navigation():
        me.get_by_test_id("checkin").click()
    me.get_by_text(f"已在{station.name}签到").first.wait_for(timeout=WAIT)
    visit = Visit.objects.filter(station=station).order_by("-pk").first()
    assert visit.method == "location" and visit.distance_m < 300 and visit.used == 2
    assert not me.console_errors and not me.csp_violations

    office = open_page(browser, live_server.url, DESKTOP)
    login(office, "zzb")
    office.goto("/stations/circle/?when=any")
    before = _rate(office)
    assert office.locator("[data-circle-map] canvas").count() == 1
    with office.expect_navigation():
        office.get_by_test_id("add-1").click()
    after = _rate(office)
    assert after > before
    office.locator("[data-circle-map] canvas").wait_for(timeout=WAIT)
    office.wait_for_timeout(1500)  # the scatter's animation
    office.locator("[data-circle-map]").screenshot(path=str(SCREENSHOTS / "stations-circle.png"))
    assert not office.console_errors and not office.csp_violations
