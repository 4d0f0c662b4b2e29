"""Demo service positions for 新河市 (the 1+N of the demo numbers): the city's 新就业群体服务中心, 56 暖蜂驿站
in party-mass centres, gas stations and convenience stores, 7 党建示范站点 for ride-hailing drivers, 14
驾驶员驿站 for truck drivers near the logistics park and the port, 3 集中活动阵地 for streamers and 2 红色驿站
— placed around the streets they serve, with hours (most 08:00–22:00, some round the clock, one
closed today for repairs), amenities by kind, a keeper (login ``yizhan``) for 城关暖蜂驿站, visits over
the last weeks, and 120 candidate places (gas stations and convenience stores) for the placement
suggestion."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.utils import timezone

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.core.errors import ServiceError
from sanxin.core.models import Region
from sanxin.demo.builtin import ensure_user
from sanxin.demo.registry import DemoContext, register_login, step
from sanxin.orgs.models import Org

from . import services, spatial
from .hours import Interval
from .models import Candidate, CheckInMethod, HostKind, Shift, ShiftStatus, Station, StationKind, Visit

register_login("yizhan", "驿站管理员（城关暖蜂驿站）")

T = dt.time
# Where each district of 新河市 lies (WGS-84; the demo city sits where the meetings demo put its
# party-mass centre) and how far its streets spread from that point, in degrees.
DISTRICTS = {
    "390102": ((30.2741, 120.1551), 0.025),  # 新城区
    "390103": ((30.2850, 120.2750), 0.035),  # 河东区
    "390104": ((30.2500, 120.0500), 0.035),  # 河西区
    "390105": ((30.1900, 120.3800), 0.040),  # 港湾区
    "390121": ((30.4200, 119.9300), 0.060),  # 清水县
}
HOSTS = {
    HostKind.CENTRE: ["社区党群服务中心", "街道党群服务中心", "商圈党群服务站"],
    HostKind.GAS: ["中油新河加油站", "新河石化加油站", "江南能源加油站"],
    HostKind.STORE: ["邻家便利店", "快捷便利店", "惠民超市"],
    HostKind.COMPANY: ["蜂行快送站点", "急速达配送站", "畅行出行服务点"],
    HostKind.PARK: ["物流园服务区", "港区服务区", "电商产业园"],
}
AMENITIES = {
    StationKind.CENTRE: [
        "water",
        "charging",
        "microwave",
        "rest",
        "toilet",
        "medicine",
        "umbrella",
        "wifi",
        "books",
    ],
    StationKind.NUANFENG: [
        "water",
        "charging",
        "microwave",
        "rest",
        "toilet",
        "medicine",
        "umbrella",
        "pump",
        "wifi",
    ],
    StationKind.DEMO: ["water", "charging", "rest", "toilet", "wifi", "parking"],
    StationKind.DRIVER: ["water", "rest", "toilet", "shower", "parking", "repair", "microwave"],
    StationKind.RED: ["water", "rest", "toilet", "books"],
    StationKind.BASE: ["water", "rest", "toilet", "wifi", "charging"],
}
PLAN = [  # kind, how many, hosts, the districts they favour
    (StationKind.NUANFENG, 56, [HostKind.CENTRE, HostKind.GAS, HostKind.STORE, HostKind.COMPANY],
     ["390102", "390102", "390103", "390103", "390104", "390105", "390121"]),
    (StationKind.DEMO, 7, [HostKind.GAS, HostKind.COMPANY], ["390102", "390103", "390104"]),
    (StationKind.DRIVER, 14, [HostKind.PARK, HostKind.GAS], ["390103", "390105", "390105", "390121"]),
    (StationKind.BASE, 3, [HostKind.PARK], ["390104"]),
    (StationKind.RED, 2, [HostKind.CENTRE], ["390102", "390121"]),
]  # fmt: skip
ROADS = ["解放路", "人民路", "新华路", "文昌路", "滨江大道", "物流大道", "科创路", "望江路", "港湾路", "临港大道",
         "清水路", "白沙路", "东湖路", "丰收路"]  # fmt: skip


def _hours(rng: random.Random, kind: str) -> list[Interval]:
    if kind == StationKind.DRIVER or rng.random() < 0.12:
        return [Interval(d, T(0), T(0)) for d in range(7)]
    opens, closes = rng.choice([(T(8), T(22)), (T(7), T(21)), (T(9), T(21)), (T(10), T(2))])
    days = range(7) if rng.random() < 0.85 else range(6)
    return [Interval(d, opens, closes) for d in days]


def _point(rng: random.Random, district: str, scale: float = 1.0) -> tuple[float, float]:
    (lat, lng), spread = DISTRICTS[district]
    r, a = scale * spread * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    return round(lat + r * math.sin(a), 6), round(lng + r * math.cos(a) / math.cos(math.radians(lat)), 6)


def _street(rng: random.Random, district: str) -> Region | None:
    streets = list(Region.objects.filter(level=4, code__startswith=district).order_by("code"))
    return rng.choice(streets) if streets else None


def _manager(region: Region | None, fallback: Org) -> Org:
    if region is None:
        return fallback
    return (
        Org.objects.filter(region_id=region.code).order_by("depth", "path").first()
        or Org.objects.filter(region_id=region.code[:6].ljust(12, "0")).order_by("depth", "path").first()
        or fallback
    )


@step(order=75, name="stations")
def build_stations(ctx: DemoContext) -> None:
    if Station.objects.exists():
        ctx.progress("服务阵地：已存在，跳过")
        return
    city = Org.objects.filter(depth=1).order_by("path").first()
    if city is None:
        ctx.progress("服务阵地：没有组织，跳过")
        return
    rng = random.Random(20261205)
    made: list[Station] = []
    centre = services.station_create(
        actor=None, org=city, name="新河市新就业群体服务中心", kind=StationKind.CENTRE, host_kind=HostKind.CENTRE,
        host_name="新河市党群服务中心", address="新河市新城区人民路1号", lat=30.2741, lng=120.1551,
        region="390102001000", amenities=AMENITIES[StationKind.CENTRE], capacity=120, phone="0391-8216 0000",
        services=["legal", "training", "care", "other"], hours=[Interval(d, T(8, 30), T(21)) for d in range(7)],
    )  # fmt: skip
    made.append(centre)
    chengguan = services.station_create(
        actor=None, org=city, name="城关暖蜂驿站", kind=StationKind.NUANFENG, host_kind=HostKind.CENTRE,
        host_name="城关街道党群服务中心", address="城关街道解放路88号", lat=30.2592, lng=120.1694,
        region="390102001000", amenities=AMENITIES[StationKind.NUANFENG], capacity=30, phone="0391-8216 1088",
        services=["rest", "legal"], hours=[Interval(d, T(7), T(23)) for d in range(7)],
    )  # fmt: skip
    made.append(chengguan)
    seq = {(StationKind.NUANFENG, "城关"): 1}
    for kind, count, hosts, districts in PLAN:
        for _ in range(count - (1 if kind == StationKind.NUANFENG else 0)):
            district = rng.choice(districts)
            street = _street(rng, district)
            host = rng.choice(hosts)
            host_name = rng.choice(HOSTS[host])
            place = (
                street.name.removesuffix("街道").removesuffix("镇").removesuffix("乡") if street else "新河"
            )
            seq[(kind, place)] = seq.get((kind, place), 0) + 1
            n = seq[(kind, place)]
            label = StationKind(kind).label
            lat, lng = _point(rng, district)
            wanted = AMENITIES[kind]
            made.append(
                services.station_create(
                    actor=None,
                    org=_manager(street, city),
                    name=f"{place}{label}" + (f"（{n}号）" if n > 1 else ""),
                    kind=kind,
                    host_kind=host,
                    host_name=f"{place}{host_name}",
                    address=f"{street.name if street else '新河市'}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                    lat=lat,
                    lng=lng,
                    region=street.code if street else None,
                    amenities=[a for a in wanted if rng.random() < 0.75] or wanted[:2],
                    capacity=rng.choice([8, 10, 12, 15, 20, 30]),
                    hours=_hours(rng, kind),
                )
            )
    today = timezone.localdate()
    repairs = made[5]
    services.closure_set(actor=None, station=repairs, on=today, reason="设备检修，暂停开放一天")
    keeper, created = ensure_user("yizhan", display_name="城关暖蜂驿站·站长刘芳")
    if created:
        grant_create(
            actor=None, user=keeper, role=Role.STATION_KEEPER, assignment_kind="stations",
            object_ids=[str(chengguan.pk)],
        )  # fmt: skip
    visits = _visits(rng, made, keeper)
    candidates = _candidates(rng)
    outlines = _outlines()
    spots = _workspots(rng)
    ctx.progress(
        f"服务阵地：{len(made)} 个（含服务中心 1 个），到站记录 {visits} 条，备选点位 {candidates} 个，"
        f"区县轮廓 {outlines} 个，从业者常驻区域 {spots} 个"
    )


def _visits(rng: random.Random, stations: list[Station], keeper) -> int:
    """Check-ins over the last four weeks: riders at lunch and in the evening, drivers at night."""
    from django.contrib.auth import get_user_model

    users = list(get_user_model().objects.filter(username__startswith="gongren").order_by("pk")[:60])
    now = timezone.now()
    rows = []
    for s in stations:
        per_day = 6 if s.kind == StationKind.CENTRE else rng.choice([1, 2, 3, 4])
        for day in range(28):
            for _ in range(rng.randint(0, per_day)):
                hour = rng.choice(
                    [11, 12, 12, 13, 17, 18, 19, 20] if s.kind != StationKind.DRIVER else [1, 3, 22, 23, 12]
                )
                at = timezone.localtime(now).replace(hour=hour, minute=rng.randint(0, 59)) - dt.timedelta(
                    days=day + 1
                )
                used = sum(b for b in (1, 2, 4, 8, 16) if s.amenities & b and rng.random() < 0.4)
                rows.append(
                    Visit(
                        station=s,
                        user=rng.choice(users) if users and rng.random() < 0.8 else None,
                        at=at,
                        method=rng.choice([CheckInMethod.QR, CheckInMethod.QR, CheckInMethod.LOCATION]),
                        used=used,
                    )
                )
    Visit.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


DUTIES = ["站点值守", "送水送清凉", "帮骑手热饭", "急救包检查补充", "文明交通劝导", "政策宣讲"]


@step(order=85, name="station_shifts")
def build_shifts(ctx: DemoContext) -> None:
    """After the workers have registered on the phone (the appeals step gives them their accounts)."""
    if Shift.objects.exists():
        return
    chengguan = Station.objects.filter(name="城关暖蜂驿站").first()
    if chengguan is None:
        return
    from django.contrib.auth import get_user_model

    keeper = get_user_model().objects.filter(username="yizhan").first()
    stations = list(
        Station.objects.filter(kind=StationKind.NUANFENG).exclude(pk=chengguan.pk).order_by("pk")[:5]
    )
    made = _shifts(random.Random(20261207), stations, chengguan, keeper)
    ctx.progress(f"驿站志愿值守：{made} 次")


def _shifts(rng: random.Random, stations: list[Station], chengguan: Station, keeper) -> int:
    """Members of the mobile branches keeping the 暖蜂驿站 over the last eight weeks, through the services
    (so the confirmed ones reach points and the growth archive): most confirmed by the keeper, a few
    not, the last days' still waiting, one on now at 城关 (the 党员 login's, when it exists)."""
    from sanxin.members.models import Member

    volunteers = list(
        Member.objects.filter(
            status="active", person__user__isnull=False, person__org__org_type="mobile_branch"
        )
        .select_related("person__user")
        .order_by("pk")[:40]
    )
    if not volunteers or not stations:
        return 0
    now = timezone.now()
    made = 0
    for i, m in enumerate(volunteers):
        station = chengguan if i % 3 == 0 else rng.choice(stations)
        for week in range(rng.randint(1, 4)):
            start = timezone.localtime(now).replace(
                hour=rng.choice([9, 10, 14, 15]), minute=rng.choice([0, 30])
            )
            start -= dt.timedelta(days=7 * week + rng.randint(1, 6))
            try:
                shift = services.shift_start(actor=m.person.user, station=station, duty=rng.choice(DUTIES),
                                             method="qr", token=station.checkin_token, now=start)  # fmt: skip
            except ServiceError:
                continue
            shift = services.shift_end(
                actor=m.person.user,
                shift=shift,
                now=start + dt.timedelta(minutes=rng.choice([90, 120, 150, 200])),
            )
            made += 1
            if start > now - dt.timedelta(days=2):
                continue  # the keeper has not got to it yet
            by = keeper if station == chengguan else None
            if rng.random() < 0.08:
                services.shift_decide(
                    actor=by, shift=shift, confirm=False, reason="未见到站签到记录，请补充说明"
                )
            else:
                services.shift_decide(
                    actor=by, shift=shift, confirm=True, now=shift.ends_at + dt.timedelta(hours=3)
                )
    member = Member.objects.filter(person__user__username="dangyuan").select_related("person__user").first()
    if member is not None and not Shift.objects.filter(person=member.person, status=ShiftStatus.ON).exists():
        services.shift_start(actor=member.person.user, station=chengguan, duty="站点值守", method="qr",
                             token=chengguan.checkin_token, now=now - dt.timedelta(minutes=40))  # fmt: skip
        made += 1
    return made


def _candidates(rng: random.Random) -> int:
    rows = []
    for i in range(120):
        district = rng.choice(list(DISTRICTS))
        lat, lng = _point(rng, district)
        host = rng.choice([HostKind.GAS, HostKind.STORE, HostKind.STORE])
        rows.append(
            Candidate(
                name=f"{rng.choice(HOSTS[host])}（备选{i + 1}）",
                host_kind=host,
                region_id=district.ljust(12, "0"),
                address=f"新河市{rng.choice(ROADS)}{rng.randint(1, 400)}号",
                lat=lat,
                lng=lng,
                cell9=spatial.cells(lat, lng)["cell9"],
            )
        )
    Candidate.objects.bulk_create(rows)
    return len(rows)


def _outlines() -> int:
    """Each district's outline: an irregular polygon around its centre (the demo city is invented;
    its districts' shapes too), for the service circle's map."""
    from .models import Outline

    made = 0
    for code, ((lat, lng), spread) in DISTRICTS.items():
        region = Region.objects.filter(code=code.ljust(12, "0")).first()
        if region is None:
            continue
        r = spread * 2.2
        polygon = []
        for i in range(10):
            a = 2 * math.pi * i / 10
            k = 0.8 + 0.35 * math.sin(3 * a + len(code))  # a lobed outline, not a circle
            polygon.append(
                [
                    round(lat + r * k * math.sin(a), 5),
                    round(lng + r * k * math.cos(a) / math.cos(math.radians(lat)), 5),
                ]
            )
        Outline.objects.update_or_create(region=region, defaults={"polygon": polygon})
        made += 1
    return made


def _workspots(rng: random.Random) -> int:
    """Where each worker with a platform job usually works: around the district of their work
    region (riders and couriers in the busy centres, truck drivers towards the port)."""
    from sanxin.members.models import Employment

    from .models import WorkSpot

    rows, seen = [], set()
    current = Employment.objects.filter(end_on__isnull=True).order_by("pk")
    for person_id, kind, region_id in current.values_list("person_id", "kind", "work_region_id"):
        if person_id in seen:
            continue
        seen.add(person_id)
        district = (region_id or "390102")[:6]
        if kind == "truck" and rng.random() < 0.6:
            district = "390105"
        if district not in DISTRICTS:
            district = "390102"
        lat, lng = _point(rng, district, scale=2.0)  # work reaches past the stations' streets
        rows.append(WorkSpot(person_id=person_id, kind=kind, region_id=region_id, lat=lat, lng=lng))
    WorkSpot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
