"""Geography without a GIS: is a WGS-84 point in China, and how far apart are two points.

``in_china`` tests a point against a coarse outline of the country (mainland with 藏南, Hainan,
Taiwan, the Xisha islands; a few dozen vertices, good to some tens of kilometres along the land
borders). It is a plausibility check for a location a phone sends — a point in Seoul, Hanoi or
Ulaanbaatar is refused, a point in any Chinese city accepted — not a border: a station's address
and an appeal's street say where something is. Vertices are (longitude, latitude).
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)

_MAINLAND = [
    (73.6, 39.5), (74.9, 37.2), (77.8, 35.5), (78.9, 33.0), (79.5, 32.5), (78.7, 31.5), (81.1, 30.0),
    (85.0, 28.3), (88.0, 27.9), (89.5, 28.0), (92.0, 26.9), (96.0, 27.4), (97.5, 28.2), (98.7, 25.5),
    (97.6, 23.9), (99.2, 22.1), (101.2, 21.1), (101.9, 21.2), (102.2, 22.4), (103.9, 22.45),
    (105.3, 23.2), (106.0, 22.9), (106.7, 22.0), (108.0, 21.5), (110.2, 20.2), (111.0, 21.3),
    (113.5, 22.0), (114.3, 22.1), (116.5, 22.8), (117.5, 23.5), (118.3, 24.3), (120.2, 26.5),
    (121.8, 28.5), (122.6, 30.0), (122.1, 31.5), (120.9, 32.6), (120.3, 34.3), (119.2, 35.0),
    (122.7, 37.4), (121.0, 37.8), (121.1, 38.6), (124.3, 39.8), (124.6, 40.2), (126.0, 41.0),
    (128.1, 41.4), (129.0, 42.0), (130.7, 42.5), (131.3, 44.0), (131.0, 45.0), (133.0, 45.0),
    (134.8, 48.4), (134.0, 48.5), (132.5, 47.7), (130.9, 48.9), (127.6, 50.3), (123.5, 53.6), (121.0, 53.3),
    (119.8, 52.0), (117.0, 49.6), (116.5, 46.5), (112.0, 43.9), (107.0, 42.3), (104.0, 41.8),
    (100.0, 42.6), (96.5, 42.7), (95.3, 44.3), (93.5, 45.0), (90.9, 45.3), (90.6, 47.0), (88.0, 48.6),
    (87.8, 49.2), (86.0, 48.6), (85.5, 47.0), (82.3, 45.5), (80.2, 45.0), (80.0, 44.3), (80.3, 42.1),
    (76.0, 40.4),
]  # fmt: skip
_HAINAN = [(108.5, 19.2), (109.4, 18.1), (110.3, 18.1), (111.2, 19.6), (110.8, 20.3), (109.6, 20.2)]
_TAIWAN = [(119.4, 23.4), (120.8, 21.8), (121.9, 24.8), (121.6, 25.4), (121.0, 25.2), (119.4, 23.8)]
_XISHA = [(110.8, 15.5), (113.0, 15.5), (113.0, 17.3), (110.8, 17.3)]
OUTLINE = [_MAINLAND, _HAINAN, _TAIWAN, _XISHA]


def _inside(lng: float, lat: float, polygon: list[tuple[float, float]]) -> bool:
    """Even-odd rule: a ray from the point towards +longitude crosses the outline an odd number of
    times."""
    inside = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_china(lat: float, lng: float) -> bool:
    lat, lng = float(lat), float(lng)
    return any(_inside(lng, lat, polygon) for polygon in OUTLINE)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine) between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


# --- GCJ-02 (国测局坐标, "Mars coordinates") ------------------------------------------------------------
# Chinese map SDKs (AMap/高德, Tencent) take and give GCJ-02: WGS-84 shifted by a smooth, non-linear
# offset of a few hundred metres that the surveying authority publishes no formula for. The formula
# below is the public one that every open implementation uses (the same constants as
# googollee/eviltransform and wandergis/coordTransform: the Krasovsky 1940 ellipsoid's semi-major axis
# and eccentricity squared), accurate against the SDKs to about a metre. We write it out rather than
# pin a package for thirty lines of arithmetic: none of the small packages on PyPI that carry it is
# widely used or kept up, and the inverse is ours either way. Outside China (``in_china``) no offset
# is applied, as the SDKs show foreign places in WGS-84.

_KRASOVSKY_A = 6_378_245.0
_KRASOVSKY_EE = 0.00669342162296594323


def _gcj_offset(lat: float, lng: float) -> tuple[float, float]:
    """The GCJ-02 offset (degrees of latitude, of longitude) at a WGS-84 point."""
    x, y = lng - 105.0, lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
        + common
        + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )  # fmt: skip
    dlng = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
        + common
        + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )  # fmt: skip
    rad = math.radians(lat)
    magic = 1 - _KRASOVSKY_EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlat, dlng


def to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """A WGS-84 point as GCJ-02 (what AMap and Tencent maps draw); unchanged outside China."""
    lat, lng = float(lat), float(lng)
    if not in_china(lat, lng):
        return lat, lng
    dlat, dlng = _gcj_offset(lat, lng)
    return lat + dlat, lng + dlng


def from_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 is (lat, lng); unchanged outside China.

    The offset has no closed-form inverse. It changes by less than a thousandth of a degree per
    degree, so the fixed point w = g − offset(w) is reached by plain iteration, each step about a
    thousand times closer: a few steps bring the round trip well under a millimetre."""
    lat, lng = float(lat), float(lng)
    if not in_china(lat, lng):
        return lat, lng
    wlat, wlng = lat, lng
    for _ in range(10):
        dlat, dlng = _gcj_offset(wlat, wlng)
        nlat, nlng = lat - dlat, lng - dlng
        done = abs(nlat - wlat) < 1e-10 and abs(nlng - wlng) < 1e-10
        wlat, wlng = nlat, nlng
        if done:
            break
    return wlat, wlng
