"""GCJ-02 in the stations API: ``nearest`` takes and gives the map SDKs' coordinates with
``crs=gcj02``; a station's record carries them beside its WGS-84 point."""

from __future__ import annotations

import pytest

from sanxin.core.geo import distance_m, to_gcj02
from tests.helpers import ApiClient, assert_error
from tests.stations.conftest import CITY


def test_nearest_in_gcj02_takes_and_gives_the_maps_coordinates(st):
    api = ApiClient(st.office)
    wgs = api.get(
        "/api/v1/stations/nearest", {"lat": CITY[0], "lng": CITY[1], "open_at": "2026-12-04T12:00:00+08:00"}
    )
    assert wgs.status_code == 200
    [here] = wgs.json()
    assert (here["lat"], here["lng"]) == (CITY[0], CITY[1]) and here["distance_m"] == 0
    # The same place as an AMap user tapped it: a few hundred metres off in WGS-84 terms.
    g_lat, g_lng = to_gcj02(*CITY)
    assert distance_m(*CITY, g_lat, g_lng) > 300
    gcj = api.get(
        "/api/v1/stations/nearest",
        {"lat": g_lat, "lng": g_lng, "crs": "gcj02", "open_at": "2026-12-04T12:00:00+08:00"},
    )
    [there] = gcj.json()
    assert there["id"] == st.station.pk and there["distance_m"] < 0.5
    assert (there["lat"], there["lng"]) == pytest.approx((g_lat, g_lng), abs=1e-9)
    # Read as WGS-84, the tapped point is the offset away from the station.
    plain = api.get(
        "/api/v1/stations/nearest", {"lat": g_lat, "lng": g_lng, "open_at": "2026-12-04T12:00:00+08:00"}
    )
    assert plain.json()[0]["distance_m"] > 300
    assert_error(api.get("/api/v1/stations/nearest", {"lat": g_lat, "lng": g_lng, "crs": "bd09"}), 422)
    err = assert_error(
        api.get("/api/v1/stations/nearest", {"lat": 35.68, "lng": 139.69, "crs": "gcj02"}), 422
    )
    assert "境内" in err["message"]


def test_a_stations_record_carries_its_gcj02_point_beside_the_wgs84_one(st):
    api = ApiClient(st.office)
    detail = api.get(f"/api/v1/stations/{st.station.pk}").json()
    assert (detail["lat"], detail["lng"]) == CITY
    assert (detail["lat_gcj02"], detail["lng_gcj02"]) == pytest.approx(to_gcj02(*CITY), abs=1e-9)
    listed = api.get("/api/v1/stations").json()["items"]
    assert listed[0]["lng_gcj02"] == detail["lng_gcj02"]
    spec = api.get("/api/v1/openapi.json").json()
    params = spec["paths"]["/api/v1/stations/nearest"]["get"]["parameters"]
    assert "gcj02" in next(p for p in params if p["name"] == "crs")["description"]
