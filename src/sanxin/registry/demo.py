"""Demo registry for 新河市: platform HQs with regional companies, outlets and sorting centres,
ride-hailing and freight companies, streamer agencies, social organizations — some covered by their
own or a joint party org, some by an instructor only, some not at all — plus 23 instructors with their
visits and seed 004's three contacts for the key enterprises. All names are invented."""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import uscc

from sanxin.core.models import Industry, Region
from sanxin.demo.builtin import person_name
from sanxin.demo.registry import DemoContext, step
from sanxin.orgs import services as org_services
from sanxin.orgs.models import Org, Person

from . import services
from .models import Category, ContactRole, CoverageKind, Kind, Organization, Size, VisitKind

D = dt.date
STREETS = [
    "390102001000",
    "390102002000",
    "390102003000",
    "390102004000",
    "390103001000",
    "390103002000",
    "390103003000",
    "390103004000",
    "390104001000",
    "390104002000",
    "390104003000",
    "390104004000",
    "390105001000",
    "390105002000",
    "390105003000",
    "390121001000",
    "390121002000",
]


def credit_code(rng: random.Random, region: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + region[:6] + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


class Builder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = random.Random(4004)
        self.orgs: list[Organization] = []

    def region(self, code=None) -> Region:
        return Region.objects.get(code=code or self.rng.choice(STREETS))

    def org(self, name, industry, kind, *, parent=None, region=None, category=Category.ECONOMIC, **extra):
        reg = self.region(region)
        o = services.organization_create(
            actor=None,
            name=name,
            region=reg,
            industry=industry,
            kind=kind,
            parent=parent,
            category=category,
            credit_code=credit_code(self.rng, reg.code) if category != Category.ONLINE else "",
            registered_on=extra.pop(
                "registered_on", D(2015 + self.rng.randrange(10), self.rng.randrange(1, 13), 1)
            ),
            employees=extra.pop("employees", self.rng.randrange(8, 120)),
            new_employment_workers=extra.pop("workers", self.rng.randrange(5, 300)),
            address=f"新河市{reg.name}{self.rng.randrange(1, 400)}号",
            size=extra.pop("size", Size.SMALL),
            **extra,
        )
        self.orgs.append(o)
        return o

    def cover(self, org, party_key_or_org, kind=CoverageKind.OWN, start=None):
        party = (
            party_key_or_org if isinstance(party_key_or_org, Org) else Org.objects.get(name=party_key_or_org)
        )
        services.coverage_add(
            actor=None,
            org=org,
            party_org=party,
            kind=kind,
            start_on=start or max(org.registered_on, party.founded_on) + dt.timedelta(days=30),
        )


@step(order=40, name="registry")
def build_registry(ctx: DemoContext) -> None:
    if Organization.objects.exists():
        ctx.progress("新兴领域组织：已存在，跳过")
        return
    b = Builder(ctx)
    express, transport, influencer = (
        Industry.objects.get(code=c) for c in ("express", "transport", "influencer")
    )

    # 快递外卖: two platforms with regional companies, outlets and sorting centres.
    jsd = b.org(
        "急速达（新河）科技有限公司",
        express,
        Kind.PLATFORM_HQ,
        region="390102003000",
        size=Size.LARGE,
        employees=420,
        workers=2600,
        internet_platform=True,
        leading=True,
        above_scale=True,
    )
    b.cover(jsd, "中共急速达（新河）科技有限公司委员会")
    fx = b.org(
        "蜂行快送新河区域有限公司",
        express,
        Kind.REGIONAL,
        region="390103002000",
        size=Size.MEDIUM,
        employees=180,
        workers=1900,
        internet_platform=True,
        above_scale=True,
    )
    b.cover(fx, "中共蜂行快送新河区域公司委员会")
    mobile = {o.region_id[:9]: o for o in Org.objects.filter(org_type="mobile_branch", industry_id="express")}
    for hq, label in [(jsd, "急速达"), (fx, "蜂行快送")]:
        for street in STREETS:
            outlet = b.org(
                f"{label}{Region.objects.get(code=street).name.removesuffix('街道')}站",
                express,
                Kind.OUTLET,
                parent=hq,
                region=street,
                workers=b.rng.randrange(20, 160),
                size=Size.MICRO,
            )
            branch = mobile.get(street[:9])
            if branch is not None and b.rng.random() < 0.8:
                b.cover(
                    outlet,
                    branch,
                    CoverageKind.JOINT
                    if branch.name.startswith(("城关片区", "河西片区"))
                    else CoverageKind.OWN,
                )
    for i, street in enumerate(["390103003000", "390105002000", "390104002000"], start=1):
        sc = b.org(
            f"新河第{i}快件分拣中心",
            express,
            Kind.SORTING,
            parent=jsd if i % 2 else None,
            region=street,
            workers=b.rng.randrange(80, 300),
            size=Size.MEDIUM,
        )
        if i == 2:
            b.cover(sc, "临港分拣中心流动党员党支部")
    for n in range(70):  # small courier franchisees
        b.org(
            f"新河{b.rng.choice('东西南北中')}{b.rng.choice('顺达通捷速运')}{n + 1:02d}快递服务部",
            express,
            Kind.FRANCHISE,
            workers=b.rng.randrange(3, 30),
            size=Size.MICRO,
        )

    # 交通运输: ride-hailing and freight.
    ch = b.org(
        "畅行出行科技（新河）有限公司",
        transport,
        Kind.REGIONAL,
        region="390102002000",
        internet_platform=True,
        employees=90,
        workers=3100,
        above_scale=True,
    )
    b.cover(ch, "畅行出行新河分公司党支部")
    for n in range(45):
        b.org(
            f"新河{b.rng.choice(['安途', '顺风', '如意', '和美', '捷达'])}汽车租赁服务有限公司{n + 1:02d}",
            transport,
            Kind.FRANCHISE,
            workers=b.rng.randrange(10, 200),
        )
    for n in range(30):
        o = b.org(
            f"新河{b.rng.choice(['港丰', '临港', '恒运', '远通', '广汇'])}物流有限公司{n + 1:02d}",
            transport,
            Kind.ENTERPRISE,
            workers=b.rng.randrange(5, 120),
            above_scale=b.rng.random() < 0.2,
        )
        if n < 6:
            b.cover(o, "物流园货车司机党支部", CoverageKind.JOINT)
        elif n < 9:
            b.cover(o, "新河—临港货运线联合党支部", CoverageKind.JOINT)

    # 网络名人: agencies in the three bases, some covered by the bases' branches.
    bases = list(Org.objects.filter(org_type="comprehensive", industry_id="influencer").order_by("code"))
    streamer_branches = list(
        Org.objects.filter(
            industry_id="influencer", org_type__in=["branch", "online"], status="active"
        ).order_by("code")
    )
    for n in range(80):
        base = bases[n % 3]
        o = b.org(
            f"新河{b.rng.choice(['星光', '云上', '乐播', '青禾', '潮流', '麦田'])}文化传媒有限公司{n + 1:02d}",
            influencer,
            Kind.AGENCY,
            region=base.region_id,
            workers=b.rng.randrange(3, 80),
            specialized=b.rng.random() < 0.05,
        )
        if n < len(streamer_branches):
            b.cover(o, streamer_branches[n], CoverageKind.PARK)
        elif n < 30:
            b.cover(o, base, CoverageKind.PARK)

    # New social organizations and online communities.
    for name in [
        "新河市快递行业协会",
        "新河市网络直播行业协会",
        "新河市道路运输协会",
        "新河市骑手互助会",
        "新河市新就业群体服务中心",
    ]:
        o = b.org(
            name,
            None,
            Kind.SOCIAL_ORG,
            category=Category.SOCIAL,
            region="390102001000",
            workers=0,
            employees=b.rng.randrange(3, 15),
        )
        if "协会" in name and b.rng.random() < 0.6:
            b.cover(o, "开发区非公有制企业综合党委", CoverageKind.INDUSTRY)
    for name in ["新河骑手之家群", "新河网约车司机交流群", "新河主播成长营"]:
        b.org(
            name,
            None,
            Kind.COMMUNITY,
            category=Category.ONLINE,
            region="390102001000",
            workers=0,
            employees=0,
        )

    _instructors(b)
    _campaign(b)
    ctx.progress(f"新兴领域组织：{Organization.objects.count()} 个，党建指导员 23 名")


def _instructors(b: Builder) -> None:
    """23 instructors, each 包点 for a set of uncovered organizations, with visits; the three contacts
    for the leading enterprises."""
    city = Org.objects.get(name="中共新河市委员会")
    uncovered = [o for o in b.orgs if not o.coverages.exists() and o.category != Category.ONLINE]
    b.rng.shuffle(uncovered)
    from django.contrib.auth import get_user_model

    zhidao = get_user_model().objects.filter(username="zhidao").first()
    for i in range(23):
        if i == 0 and zhidao is not None:
            person = (
                Person.objects.filter(user=zhidao).first()
                or org_services.person_create(actor=None, name="马超", org=city, user=zhidao)[0]
            )
        else:
            person, _ = org_services.person_create(actor=None, name=person_name(b.rng), org=city)
        for org in uncovered[i * 4 : i * 4 + 4]:
            start = max(org.registered_on, D(2023, 1, 1)) + dt.timedelta(days=b.rng.randrange(0, 500))
            services.contact_assign(
                actor=None, org=org, person=person, role=ContactRole.INSTRUCTOR, start_on=start
            )
            for k in range(b.rng.randrange(1, 4)):
                services.visit_log(
                    actor=None,
                    org=org,
                    visitor=person,
                    date=start + dt.timedelta(days=30 * (k + 1)),
                    kind=b.rng.choice([VisitKind.ROUTINE, VisitKind.GUIDANCE, VisitKind.INCUBATION]),
                    content=b.rng.choice(
                        [
                            "了解企业用工和新就业群体情况，宣传党建工作政策。",
                            "摸排企业党员，动员流动党员亮身份。",
                            "指导企业确定党建联络员，商议联合组建党组织。",
                            "协调解决骑手休息点和充电问题。",
                        ]
                    ),
                    next_step=b.rng.choice(
                        ["下月再次走访", "推动成立联合党支部", "对接街道党群服务中心", ""]
                    ),
                )
    for org in [o for o in b.orgs if o.leading or o.above_scale][:8]:
        for role in (ContactRole.LEADER, ContactRole.STAFF, ContactRole.FULLTIME):
            person, _ = org_services.person_create(actor=None, name=person_name(b.rng), org=city)
            services.contact_assign(actor=None, org=org, person=person, role=role, start_on=D(2024, 3, 1))


def _campaign(b: Builder) -> None:
    """One campaign in progress: the express industry's blank points, some already resolved."""
    from sanxin.core.scope import Scope

    from . import campaigns, coverage
    from .models import Outcome

    start = D(2026, 9, 1)
    targets = list(
        coverage.blank_points(Scope.all(), start).filter(industry_id="express").order_by("id")[:30]
    )
    if not targets:
        return
    c = campaigns.campaign_create(
        actor=None,
        name="2026年快递外卖行业“两个覆盖”集中攻坚",
        owner_org=Org.objects.get(name="中共新河市快递外卖行业委员会"),
        start_on=start,
        deadline=D(2026, 12, 31),
        organizations=targets,
        note="对快递外卖行业空白点逐一建档，限期组建或联建党组织、选派党建指导员。",
    )
    outcomes = [Outcome.JOINT, Outcome.INSTRUCTOR, Outcome.FORMED, Outcome.INSTRUCTOR, Outcome.NOT_FEASIBLE]
    for i, t in enumerate(c.targets.order_by("id")[:17]):
        outcome = outcomes[i % len(outcomes)]
        campaigns.target_update(
            actor=None,
            target=t,
            outcome=outcome,
            reason="企业规模小、无党员，已纳入街道兜底联系" if outcome == Outcome.NOT_FEASIBLE else "",
            on=start + dt.timedelta(days=4 * i + b.rng.randrange(0, 4)),
        )
