"""core.geo: the coarse outline of China accepts every Chinese city near a border and refuses the
neighbours' capitals and border cities; haversine distances; WGS-84 ⇄ GCJ-02."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sanxin.core.geo import distance_m, from_gcj02, in_china, to_gcj02

INSIDE = {
    "北京": (39.9, 116.4), "上海": (31.23, 121.47), "喀什": (39.47, 75.99), "乌鲁木齐": (43.8, 87.6),
    "哈尔滨": (45.75, 126.6), "黑河": (50.24, 127.49), "漠河": (52.97, 122.5), "丹东": (40.13, 124.38),
    "昆明": (25.04, 102.7), "瑞丽": (24.0, 97.85), "三亚": (18.25, 109.5), "拉萨": (29.65, 91.1),
    "厦门": (24.48, 118.09), "台北": (25.03, 121.56), "香港": (22.28, 114.17), "澳门": (22.19, 113.55),
    "珲春": (42.87, 130.36), "满洲里": (49.6, 117.43), "二连浩特": (43.65, 111.97), "河口": (22.51, 103.95),
    "勐腊": (21.46, 101.56), "霍尔果斯": (44.2, 80.4), "阿勒泰": (47.84, 88.13), "青岛": (36.07, 120.38),
    "大连": (38.91, 121.6), "舟山": (30.0, 122.2), "东兴": (21.55, 107.97), "狮泉河": (32.5, 80.1),
    "永兴岛": (16.83, 112.33), "抚远": (48.36, 134.29), "绥芬河": (44.4, 131.15), "高雄": (22.63, 120.3),
}  # fmt: skip
OUTSIDE = {
    "首尔": (37.57, 126.98), "平壤": (39.03, 125.75), "东京": (35.68, 139.69), "河内": (21.03, 105.85),
    "乌兰巴托": (47.9, 106.9), "莫斯科": (55.75, 37.6), "新德里": (28.6, 77.2), "加德满都": (27.7, 85.3),
    "阿拉木图": (43.2, 76.9), "比什凯克": (42.87, 74.6), "符拉迪沃斯托克": (43.1, 131.9), "列城": (34.16, 77.58),
    "密支那": (25.38, 97.4), "腊戍": (22.93, 97.75), "马尼拉": (14.6, 120.98), "廷布": (27.47, 89.64),
    "釜山": (35.18, 129.07), "哈巴罗夫斯克": (48.48, 135.08), "乔巴山": (48.07, 114.5), "万象": (17.97, 102.6),
    "伊斯兰堡": (33.7, 73.05), "零点": (0.0, 0.0),
}  # fmt: skip


@pytest.mark.parametrize("name", INSIDE)
def test_chinese_cities_are_in_china(name):
    assert in_china(*INSIDE[name])


@pytest.mark.parametrize("name", OUTSIDE)
def test_the_neighbours_are_not(name):
    assert not in_china(*OUTSIDE[name])


def test_haversine_distance():
    assert distance_m(39.9, 116.4, 39.9, 116.4) == 0
    # Beijing–Shanghai is about 1,067 km as the crow flies
    assert 1_060_000 < distance_m(39.9042, 116.4074, 31.2304, 121.4737) < 1_075_000


# WGS-84 → GCJ-02 pairs published with another implementation of the public formula
# (googollee/eviltransform, go/transform_test.go), not computed by ours.
GCJ_PAIRS = {
    "上海": ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    "深圳": ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    "北京": ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
}


@pytest.mark.parametrize("name", GCJ_PAIRS)
def test_to_gcj02_matches_the_published_pairs(name):
    wgs, gcj = GCJ_PAIRS[name]
    got = to_gcj02(*wgs)
    assert got == pytest.approx(gcj, abs=1e-9)
    assert distance_m(*from_gcj02(*gcj), *wgs) < 0.01


def test_tiananmen():
    # The square's flagpole as phones give it and as AMap draws it: about 520 m east, 160 m north.
    lat, lng = to_gcj02(39.908722, 116.397499)
    assert (lat, lng) == pytest.approx((39.910126, 116.403743), abs=1e-6)
    assert 500 < distance_m(39.908722, 116.397499, lat, lng) < 600


@pytest.mark.parametrize("name", ["东京", "首尔", "乌兰巴托", "莫斯科", "零点"])
def test_gcj02_leaves_points_outside_china_as_they_are(name):
    point = OUTSIDE[name]
    assert to_gcj02(*point) == point
    assert from_gcj02(*point) == point


@settings(max_examples=400, deadline=None)
@given(
    lat=st.floats(min_value=18.0, max_value=53.5, allow_nan=False),
    lng=st.floats(min_value=73.5, max_value=134.8, allow_nan=False),
)
def test_gcj02_round_trip_in_china(lat, lng):
    assume(in_china(lat, lng))
    gcj = to_gcj02(lat, lng)
    # within half a kilometre of the outline the shifted point may fall outside it, where nothing
    # is shifted back: the outline is a plausibility check, not a border
    assume(in_china(*gcj))
    assert 0 < distance_m(lat, lng, *gcj) < 1_000  # it does move, by at most a few hundred metres
    back = from_gcj02(*gcj)
    assert distance_m(lat, lng, *back) < 0.5
    assert distance_m(*gcj, *to_gcj02(*back)) < 0.5
