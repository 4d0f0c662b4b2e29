"""The member registry of the demo: the 239 new-employment members of the 10 new mobile branches,
members of the other branches, 流动党员 (外出 and 流入), a couple of thousand non-member workers on the
platforms, and dues with their declarations, payments and some arrears. Everything goes through the
services, so the audit log and the membership history are those of real use. Names and identifiers
are invented (the area codes are the fictional 新河市's)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from stdnum.cn import ric

from sanxin.demo.builtin import person_name
from sanxin.demo.registry import DemoContext, step
from sanxin.orgs import services as org_services
from sanxin.orgs.models import BRANCH_TYPES, ETHNICITIES, Education, Org, OrgStatus, OrgType, Person
from sanxin.registry.models import Organization

from . import services
from .dues import Basis, add_months, month_start
from .models import Member, Mobility, WorkKind

D = dt.date
# The 10 new mobile branches of seed 004 (orgs demo) and their members: 238 here and the demo member
# login, 239 in all.
MOBILE_BRANCHES = [
    ("蜂行快送城关站流动党员党支部", 30, WorkKind.RIDER, "蜂行快送"),  # and the demo login: 31
    ("蜂行快送滨江站流动党员党支部", 27, WorkKind.RIDER, "蜂行快送"),
    ("蜂行快送科创站流动党员党支部", 22, WorkKind.RIDER, "蜂行快送"),
    ("急速达解放路站骑手流动党员党支部", 29, WorkKind.RIDER, "急速达"),
    ("急速达港湾站骑手流动党员党支部", 24, WorkKind.RIDER, "急速达"),
    ("急速达东湖站骑手流动党员党支部", 18, WorkKind.RIDER, "急速达"),
    ("城关片区快递员联合流动党员党支部", 26, WorkKind.COURIER, ""),
    ("河西片区快递员联合流动党员党支部", 21, WorkKind.COURIER, ""),
    ("临港分拣中心流动党员党支部", 17, WorkKind.COURIER, ""),
    ("清水县城快递外卖流动党员党支部", 24, WorkKind.COURIER, ""),
]
COURIER_COMPANIES = ["鸿雁快递", "新河通达物流", "捷路速运", "云程速递", "青禾快运"]
OTHER_KINDS = [
    (WorkKind.RIDE_HAILING, ["畅途出行", "新河约车", "小城快车"]),
    (WorkKind.TRUCK, ["顺路货运", "通途城配", "河港速运"]),
    (WorkKind.STREAMER, ["新河星光传媒", "河西主播之家"]),
    (WorkKind.WRITER, ["云阅文学"]),
    (WorkKind.HOUSEKEEPING, ["到家家政"]),
]
WORKERS = 2000


class _People:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seq = 0

    def resident_id(self, region_code: str, born: dt.date, female: bool) -> str:
        self.seq += 1
        order = (self.seq * 2 + (0 if female else 1)) % 1000
        body = f"{region_code[:6]}{born:%Y%m%d}{order:03d}"
        return body + ric.calc_check_digit(body + "0")  # stdnum reads the first 17 of 18

    def phone(self) -> str:
        return self.rng.choice(["13", "15", "17", "18", "19"]) + f"{self.rng.randrange(10**9):09d}"

    def person(self, org: Org | None, region_code: str, *, age=(20, 50)) -> Person:
        rng = self.rng
        today = timezone.localdate()
        born = D(today.year - rng.randint(*age), rng.randint(1, 12), rng.randint(1, 28))
        female = rng.random() < 0.18
        person, _ = org_services.person_create(
            actor=None,
            name=person_name(rng),
            org=org,
            phone=self.phone(),
            resident_id=self.resident_id(region_code, born, female),
            ethnicity="汉族" if rng.random() < 0.93 else rng.choice(ETHNICITIES[1:12]),
            education=rng.choices(
                [
                    Education.JUNIOR,
                    Education.HIGH_SCHOOL,
                    Education.SECONDARY,
                    Education.COLLEGE,
                    Education.BACHELOR,
                ],
                weights=[20, 30, 20, 20, 10],
            )[0],
            household_place=rng.choice(
                ["东江省新河市", "东江省临川市", "南岭省安平县", "西江省石门县", "东江省清水县"]
            ),
        )
        return person


def _platform(name: str) -> Organization | None:
    return Organization.objects.filter(name__contains=name).order_by("pk").first() if name else None


def _member(p: _People, org: Org, since_floor: dt.date) -> Member:
    rng = p.rng
    person = p.person(org, org.region_id)
    today = timezone.localdate()
    joined = D(rng.randint(2008, today.year - 1), rng.randint(1, 12), 1)
    if person.birth_date and joined < D(person.birth_date.year + 19, person.birth_date.month, 1):
        joined = D(person.birth_date.year + 19, person.birth_date.month, 1)
    joined = min(joined, today - dt.timedelta(days=60))
    full = joined <= today - dt.timedelta(days=400)
    since = max(joined, since_floor)
    return services.member_register(
        actor=None,
        person=person,
        org=org,
        joined_on=joined,
        standing="full" if full else "probationary",
        converted_on=services.add_years(joined, 1) if full else None,
        since=since,
    )


def _dues(p: _People, member: Member, *, behind: int) -> None:
    """A declaration from the member's first month and payments every quarter, the last ``behind``
    months before this one unpaid."""
    rng = p.rng
    today = timezone.localdate()
    first = month_start(max(member.relations.get(kind="formal", end_on__isnull=True).start_on, D(2025, 1, 1)))
    if rng.random() < 0.1:
        services.income_declare(actor=None, member=member, basis=Basis.FLAT, month=first, note="失业期间")
    else:
        income = rng.choice([2800, 3600, 4200, 4800, 5500, 6200, 7500, 9000, 12000])
        services.income_declare(actor=None, member=member, basis=Basis.SALARY, amount=income, month=first)
    last = add_months(month_start(today), -1 - behind)
    month = first
    while month <= last:
        to = min(add_months(month, 5 if rng.random() < 0.4 else 2), last)  # a quarter or half a year
        services.dues_pay(
            actor=None,
            member=member,
            month_from=month,
            month_to=to,
            channel=rng.choice(["wechat", "wechat", "alipay", "cash"]),
            paid_on=min(month + dt.timedelta(days=rng.randint(0, 20)), today),
        )
        month = add_months(to, 1)


@step(order=50, name="members")
def build_members(ctx: DemoContext) -> None:
    if Member.objects.exists():
        return
    p = _People(20261202)
    rng = p.rng
    members = []
    for name, count, kind, platform_name in MOBILE_BRANCHES:
        org = Org.objects.get(name=name, status=OrgStatus.ACTIVE)
        platform = _platform(platform_name)
        for _ in range(count):
            m = _member(p, org, org.founded_on)
            services.employment_record(
                actor=None,
                person=m.person,
                kind=kind,
                since=max(m.relations.get(kind="formal").start_on, D(2019, 1, 1)),
                platform=platform,
                employer_name="" if platform else rng.choice(COURIER_COMPANIES),
                work_region=org.region,
                work_area=str(org.region),
            )
            members.append(m)
    # The demo member login (李晨阳, a rider of 蜂行快送城关站) is one of them.
    login_person = Person.objects.filter(user__username="dangyuan").first()
    if login_person is not None and not Member.objects.filter(person=login_person).exists():
        org = login_person.org
        m = services.member_register(
            actor=None,
            person=login_person,
            org=org,
            joined_on=D(2019, 7, 1),
            standing="full",
            converted_on=D(2020, 7, 1),
            since=org.founded_on,
        )
        services.employment_record(
            actor=None,
            person=login_person,
            kind=WorkKind.RIDER,
            since=D(2020, 3, 1),
            platform=_platform("蜂行快送"),
            work_region=org.region,
        )
        members.append(m)
    mobile = list(members)
    # Members of the other branches (committees' and enterprises' branches).
    others = [
        o
        for o in Org.objects.filter(status=OrgStatus.ACTIVE, org_type__in=BRANCH_TYPES)
        .exclude(name__in=[b[0] for b in MOBILE_BRANCHES])
        .exclude(org_type=OrgType.GROUP)
        .order_by("pk")
    ]
    for org in others:
        for _ in range(rng.randint(3, 9)):
            members.append(_member(p, org, org.founded_on))
    # 流动党员: some mobile-branch members went home (外出); some members of other branches are 挂靠 at
    # a mobile branch where they now ride (流入).
    today = timezone.localdate()
    for m in rng.sample(mobile, 24):
        services.mobile_out(
            actor=None,
            member=m,
            on=today - dt.timedelta(days=rng.randint(20, 300)),
            destination=rng.choice(["南岭省安平县", "西江省石门县", "东江省临川市"]),
            expected_return=today + dt.timedelta(days=rng.randint(30, 200)),
            certificate_no=f"LD{today.year}{rng.randrange(10**5):05d}",
            certificate_valid_until=today + dt.timedelta(days=365),
        )
    hosts = [Org.objects.get(name=b[0]) for b in MOBILE_BRANCHES[:6]]
    for m in rng.sample(members[len(mobile) :], min(18, len(members) - len(mobile))):
        start = m.relations.get(kind="formal", end_on__isnull=True).start_on
        services.mobile_in(
            actor=None,
            member=m,
            host=rng.choice(hosts),
            on=max(start + dt.timedelta(days=1), today - dt.timedelta(days=rng.randint(30, 400))),
            certificate_no=f"LD{today.year}{rng.randrange(10**5):05d}",
            certificate_valid_until=today + dt.timedelta(days=300),
        )
    # 停止党籍: a full member of another branch out of contact for more than six months, decided by the
    # branch and approved by its committee.
    away = set(Mobility.objects.filter(end_on__isnull=True).values_list("member_id", flat=True))
    lost = next(m for m in members[len(mobile) :] if m.standing == "full" and m.pk not in away)
    services.member_suspend(
        actor=None,
        member=lost,
        on=today - dt.timedelta(days=40),
        reason="失去联系超过六个月，经多方查找仍无法取得联系",
        document=f"党委〔{today.year}〕12号",
    )
    # Dues: most paid up to last month or the one before; about one in eight three or more months behind.
    for m in members:
        _dues(p, m, behind=rng.choice([0, 0, 0, 1, 1, 0, 0, 3 + rng.randrange(4)]))
    # Non-member workers on the platforms, known for appeals, stations and 双找.
    regions = [o.region for o in hosts]
    for i in range(WORKERS):
        region = regions[i % len(regions)]
        person = p.person(None, region.code, age=(19, 55))
        kind, employers = (
            OTHER_KINDS[i % len(OTHER_KINDS)]
            if i % 3 == 0
            else (
                (WorkKind.RIDER, ["蜂行快送", "急速达"])
                if i % 3 == 1
                else (WorkKind.COURIER, COURIER_COMPANIES)
            )
        )
        employer = rng.choice(employers)
        platform = _platform(employer) if employer in ("蜂行快送", "急速达") else None
        services.employment_record(
            actor=None,
            person=person,
            kind=kind,
            since=today - dt.timedelta(days=rng.randint(30, 2000)),
            platform=platform,
            employer_name="" if platform else employer,
            work_region=region,
        )
    ctx.progress(
        f"党员信息库：{Member.objects.count()} 名党员（新就业群体流动党员党支部 {len(mobile)} 名），"
        f"{WORKERS} 名新就业群体从业者"
    )
