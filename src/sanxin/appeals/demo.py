"""Demo appeals for 新河市: the competent departments of the 暖"新" pledge and the three professional
committees, each with a member of staff; the routing of dispatch and traffic matters by industry; the
platform group of 蜂行快送 (login ``fengxing``) and a hotline operator (``rexian``); and 336 appeals over
the last six months from the texts in ``data/demo-appeals.tsv`` (written for the demo, apart from the
classifier's labelled set) — submitted from the phone by workers who registered, registered by the
liaison or the hotline, classified by the model or by a person, accepted, asked, transferred,
answered, rated (some 不满意 and reopened), a few still open, and the overdue ones escalated by the
same scheduled service that runs every hour."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.core.errors import InvalidInput, ServiceError
from sanxin.core.models import Region
from sanxin.demo.builtin import ensure_user, person_name
from sanxin.demo.registry import DemoContext, register_login, step
from sanxin.orgs.models import Org, Person

from . import routing, services
from .models import Appeal, Department, DepartmentKind, Level, Routing, Status

register_login("fengxing", "蜂行快送平台企业党委诉求处理小组")
register_login("rexian", "诉求热线受理员（全市）")

CITY = "390100000000"
DATA = Path(__file__).resolve().parent / "data"
DEPARTMENTS = [  # name, kind, phone, professional services
    ("新河市人力资源和社会保障局", DepartmentKind.HRSS, "0391-8210 1234", []),
    ("新河市交通运输局", DepartmentKind.TRANSPORT, "0391-8210 2234", []),
    ("新河市市场监督管理局", DepartmentKind.MARKET, "0391-8210 3234", []),
    ("新河市邮政管理局", DepartmentKind.POSTAL, "0391-8210 4234", []),
    ("新河市住房和城乡建设局", DepartmentKind.HOUSING, "0391-8210 5234", []),
    ("新河市教育局", DepartmentKind.EDUCATION, "0391-8210 6234", []),
    ("新河市卫生健康委员会", DepartmentKind.HEALTH, "0391-8210 7234", []),
    ("新河市医疗保障局", DepartmentKind.MEDICAL_INSURANCE, "0391-8210 8234", []),
    ("新河市司法局（法律援助中心）", DepartmentKind.JUSTICE, "0391-8210 9234", []),
    ("新河市公安局交通警察支队", DepartmentKind.POLICE, "0391-8211 0234", []),
    ("新河市民政局", DepartmentKind.CIVIL, "0391-8211 1234", []),
    ("新河市总工会", DepartmentKind.UNION, "0391-8211 2234", []),
    ("共青团新河市委", DepartmentKind.YOUTH, "0391-8211 3234", []),
    ("新河市妇女联合会", DepartmentKind.WOMEN, "0391-8211 4234", []),
    ("新河市新就业群体服务中心", DepartmentKind.SERVICE_CENTRE, "0391-8211 5234", []),
    ("新河市律师行业党委专业服务团", DepartmentKind.LAWYERS, "0391-8211 6234", ["legal", "policy"]),
    ("新河市注册会计师行业专业服务团", DepartmentKind.ACCOUNTANTS, "0391-8211 7234", ["finance", "policy"]),
    ("新河市税务师行业专业服务团", DepartmentKind.TAX, "0391-8211 8234", ["finance"]),
]
# Matters whose department depends on the industry: dispatch rules of couriers go to 邮政管理, of
# ride-hailing and freight to 交通运输, of streamers to 市场监管; vehicles of drivers to 交通运输.
BY_INDUSTRY = [
    ("dispatch", "express", DepartmentKind.POSTAL),
    ("dispatch", "transport", DepartmentKind.TRANSPORT),
    ("dispatch", "influencer", DepartmentKind.MARKET),
    ("traffic", "transport", DepartmentKind.TRANSPORT),
]


def _rows(name: str) -> list[list[str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return [
            r
            for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            if r and not r[0].startswith("#")
        ]


def _departments(ctx: DemoContext) -> dict[str, Department]:
    city = Region.objects.get(code=CITY)
    out = {}
    for i, (name, kind, phone, offered) in enumerate(DEPARTMENTS, start=1):
        dept, _ = Department.objects.get_or_create(
            region=city, name=name, defaults={"kind": kind, "phone": phone, "services": offered}
        )
        out[kind] = dept
        staff, created = ensure_user(f"bumen{i:02d}", display_name=f"{name}·{person_name(random.Random(i))}")
        if created:
            grant_create(
                actor=None,
                user=staff,
                role=Role.DEPARTMENT,
                assignment_kind=routing.DEPARTMENTS_KIND,
                object_ids=[str(dept.pk)],
            )
    for category, industry, kind in BY_INDUSTRY:
        Routing.objects.get_or_create(
            category_id=category, region=city, industry_id=industry, defaults={"department": out[kind]}
        )
    # The 人社局's demo login (renshe) handles the bureau's appeals.
    renshe = ensure_user("renshe", display_name="市人社局·何平")[0]
    if not renshe.grants.filter(assignment_kind=routing.DEPARTMENTS_KIND).exists():
        grant_create(
            actor=None,
            user=renshe,
            role=Role.DEPARTMENT,
            assignment_kind=routing.DEPARTMENTS_KIND,
            object_ids=[str(out[DepartmentKind.HRSS].pk)],
        )
    ctx.progress(f"  主管部门和专业服务团 {len(out)} 个，各有一名办理人员")
    return out


def _logins() -> tuple:
    fengxing, created = ensure_user("fengxing", display_name="蜂行快送平台党委诉求处理小组·韩梅")
    if created:
        grant_create(
            actor=None,
            user=fengxing,
            role=Role.PLATFORM_COMMITTEE,
            org=Org.objects.get(name="中共蜂行快送新河区域公司委员会"),
        )
    rexian, created = ensure_user("rexian", display_name="诉求热线·宋佳")
    if created:
        grant_create(actor=None, user=rexian, role=Role.HOTLINE, region=Region.objects.get(code=CITY))
    return fengxing, rexian


def _workers(rng: random.Random, n: int) -> list:
    """Workers and members who registered on the phone: a user for a person (members of the mobile
    branches and workers with a platform job), plus the demo rider ``dangyuan``."""
    from sanxin.members.models import Employment

    people = list(
        Person.objects.filter(
            Q(org__org_type="mobile_branch")
            | Q(pk__in=Employment.objects.filter(end_on__isnull=True).values("person_id"))
        )
        .filter(user__isnull=True)
        .order_by("pk")[: n * 4]
    )
    rng.shuffle(people)
    out = []
    for i, person in enumerate(people[:n], start=1):
        user, _ = ensure_user(f"gongren{i:03d}", display_name=person.name)
        person.user = user
        person.save(update_fields=["user"])
        out.append(user)
    dangyuan = Person.objects.filter(user__username="dangyuan").select_related("user").first()
    if dangyuan is not None:
        out.append(dangyuan.user)
    return out


def _handler(appeal: Appeal):
    from django.contrib.auth import get_user_model

    ids = routing.handlers(appeal.level, appeal.holder)
    return get_user_model().objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def _at(start: dt.datetime, rng: random.Random, hours: tuple[float, float]) -> dt.datetime:
    return start + dt.timedelta(hours=rng.uniform(*hours))


@step(order=80, name="appeals")
def build_appeals(ctx: DemoContext) -> None:
    if Appeal.objects.exists():
        ctx.progress("诉求：已存在，跳过")
        return
    rng = random.Random(20261204)
    depts = _departments(ctx)
    _fengxing, rexian = _logins()
    workers = _workers(rng, 80)
    liaison = ensure_user("lianluo", display_name="党员联络员·黄霞")[0]
    liaison_people = list(Person.objects.filter(org__name="蜂行快送城关站流动党员党支部").order_by("pk")[:40])
    streets = list(Region.objects.filter(level=4).values_list("code", flat=True))
    comments = {}
    for rating, comment in _rows("demo-comments.tsv"):
        comments.setdefault(rating, []).append(comment)
    rows = _rows("demo-appeals.tsv")
    rng.shuffle(rows)
    now = timezone.now()
    made = 0
    for category, kind, urgent, text, reply in rows:
        received = now - dt.timedelta(days=rng.uniform(1, 182), hours=rng.uniform(0, 10))
        received = received.replace(hour=rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 11, 12]))  # 9:00–20:00 local
        channel = rng.choices(["app", "liaison", "hotline"], [70, 12, 18])[0]
        common = {
            "text": text,
            "kind": kind,
            "urgent": urgent == "1",
            "consent": True,
            "now": received,
            "category": category if rng.random() < 0.08 and channel == "app" else None,
            "needs_contact": rng.random() < 0.3,
        }
        try:
            if channel == "liaison" and liaison_people:
                appeal = services.appeal_submit(
                    actor=liaison, channel="liaison", on_behalf=rng.choice(liaison_people), **common
                )
            elif channel == "hotline":
                appeal = services.appeal_submit(
                    actor=rexian,
                    channel="hotline",
                    region=rng.choice(streets),
                    contact_name=person_name(rng),
                    contact_phone=f"13{rng.randrange(10**8, 10**9)}",
                    **common,
                )
            else:
                worker = rng.choice(workers)
                mine = {
                    "anonymous": rng.random() < 0.06,
                    "skip_platform": kind == "complaint" and rng.random() < 0.15,
                    "consent_platform": rng.random() < 0.3,
                }
                try:
                    appeal = services.appeal_submit(actor=worker, **mine, **common)
                except InvalidInput as exc:  # a worker without a branch says where it happened
                    if exc.field != "region":
                        raise
                    appeal = services.appeal_submit(
                        actor=worker, region=rng.choice(streets), **mine, **common
                    )
        except ServiceError as exc:
            ctx.progress(f"  跳过一条：{exc.message}")
            continue
        made += 1
        _handle(appeal, rng, received, now, reply, comments, category, depts)
    moved = services.escalate_overdue(now=now)
    closed = services.close_unrated(now=now)
    counts = {s: Appeal.objects.filter(status=s).count() for s in Status.values}
    ctx.progress(
        f"诉求：{made} 件（办理中 {counts['received'] + counts['handling'] + counts['waiting']}，"
        f"待评价 {counts['resolved']}，已办结 {counts['closed']}），超时升级/督办 {moved} 件，自动办结 {closed} 件"
    )
    entries = _hardships(rng, now)
    meetings = _coordinations(rng, now)
    ctx.progress(f"困难帮扶：{entries} 户；协调会：{meetings} 次")


SITUATIONS = {
    "medical": [
        "送餐途中突发阑尾炎住院手术，自付部分约一万二千元，家中只有他一人有收入",
        "妻子确诊乳腺癌正在化疗，每月自付医药费四千多元，两个孩子在读小学",
        "父亲脑梗后偏瘫在老家，每月要寄回康复费用，本人收入不稳定",
        "本人患糖尿病并发症需长期用药，灵活就业医保刚参保未满等待期",
    ],
    "injury": [
        "雨天送件摔倒致右腿骨折，住院二十天，无法接单三个月，工伤认定尚在办理",
        "跑车途中被追尾，颈椎受伤，对方保险理赔迟迟未到，房租已拖欠两个月",
        "搬运货物时腰椎间盘突出，需要卧床休养，站点暂停其派单",
    ],
    "family": [
        "老家房屋因暴雨受损，父母暂住亲戚家，本人在新河租房，每月收入四千元",
        "丈夫去世后独自抚养两个孩子，白天送外卖晚上照顾孩子，孩子入学需要帮助",
    ],
}
AIDS = [
    (
        "money",
        (500, 3000),
        ["快递外卖行业党委", "市总工会困难职工帮扶中心", "城关站流动党员党支部", "新河市民政局"],
    ),
    ("visit", None, ["城关站流动党员党支部书记", "行业党委委员", "平台企业党委副书记"]),
    ("service", None, ["律师行业党委专业服务团", "新就业群体服务中心", "街道社区卫生服务中心"]),
]
AID_NOTES = {
    "money": ["困难党员慰问金", "医疗救助金", "工会帮扶资金", "临时救助"],
    "visit": ["上门看望，带去米面油", "医院看望，了解治疗进展", "电话回访，情况稳定"],
    "service": ["协助办理工伤认定申请", "协助申请大病医疗二次报销", "联系社区安排孩子课后托管"],
}


def _hardships(rng: random.Random, now: dt.datetime) -> int:
    """The hardship register: the medical and injury appeals of registered people opened as entries
    (by the branch), a few people of the 城关站 branch registered directly; aid given over the weeks
    after, some follow-ups due today or missed, some entries closed."""
    from decimal import Decimal

    from .models import Hardship

    today = timezone.localdate()
    sources = list(
        Appeal.objects.filter(category_id__in=["medical", "injury"], anonymous=False, person__isnull=False)
        .exclude(person__org__isnull=True)
        .select_related("person")
        .order_by("received_at")[:14]
    )
    people = list(Person.objects.filter(org__name="蜂行快送城关站流动党员党支部").order_by("-pk")[:4])
    made = 0
    for i, source in enumerate([*sources, *people]):
        appeal = source if isinstance(source, Appeal) else None
        person = appeal.person if appeal else source
        if Hardship.objects.filter(person=person, closed_on__isnull=True).exists():
            continue
        opened = (
            appeal.received_at if appeal else now - dt.timedelta(days=rng.uniform(20, 120))
        ) + dt.timedelta(days=rng.uniform(1, 4))
        if opened >= now:
            continue
        kind = (appeal.category_id if appeal else rng.choice(["medical", "family"])).replace(
            "medical", "illness"
        )
        try:
            entry = services.hardship_open(
                actor=None,
                appeal=appeal,
                person=None if appeal else person,
                kind=kind,
                situation=rng.choice(
                    SITUATIONS["family" if kind == "family" else appeal.category_id if appeal else "medical"]
                ),
                consent=True,
                now=opened,
            )
        except ServiceError:
            continue
        made += 1
        day = timezone.localtime(opened).date()
        for _ in range(rng.randint(1, 4)):
            day += dt.timedelta(days=rng.randint(3, 25))
            if day > today:
                break
            aid_kind, amounts, givers = rng.choice(AIDS)
            services.aid_record(
                actor=None,
                hardship=entry,
                kind=aid_kind,
                amount=Decimal(rng.randrange(*amounts, 100)) if amounts else None,
                given_on=day,
                given_by=rng.choice(givers),
                note=rng.choice(AID_NOTES[aid_kind]),
                now=timezone.make_aware(dt.datetime.combine(day, dt.time(15))),
            )
        if i % 4 == 3 and day < today - dt.timedelta(days=10):
            services.hardship_close(actor=None, hardship=entry, note="已康复返岗，生活恢复正常", now=now)
        else:
            # the next follow-up: mostly ahead, one in three due today or already missed
            ahead = rng.choice([-6, -2, 0, 5, 9, 14, 21])
            Hardship.objects.filter(pk=entry.pk).update(follow_up_on=today + dt.timedelta(days=ahead))
    return made


MEETINGS = [
    (
        "外卖骑手配送费和派单规则协调会",
        "市委组织部、市人社局、市邮政管理局、蜂行快送新河区域公司、急速达新河分公司、骑手代表3名",
        "通报近三个月配送费、派单规则类诉求的办理情况，平台说明算法调整安排，人社部门通报劳动报酬监察情况。",
        ["wages", "dispatch"],
        [
            "平台两周内核对该骑手近三个月配送费明细，差额一次补发，并向骑手书面说明计算规则",
            "平台暂停“超时连扣”规则，恶劣天气订单超时不扣款，下月起执行",
            "人社局劳动保障监察大队对站点扣款情况开展专项检查，一个月内反馈结果",
        ],
    ),
    (
        "小区通行和停车难协调会",
        "市委组织部、市住建局、市公安局交警支队、相关街道党工委、物业企业代表、骑手和快递员代表",
        "研究电动车进小区难、临时停车被罚的问题，明确物业、街道和交警的分工。",
        ["traffic", "rest"],
        [
            "街道协调物业在小区东门设置快递外卖临时停放点，两周内完成",
            "交警支队在商圈划设即停即走的配送车辆临时停车位，并对骑手开展一次安全文明骑行宣传",
            "住建局将“友好小区”建设纳入物业服务考核，本季度内出台细则",
        ],
    ),
    (
        "新就业群体子女入学和住房协调会",
        "市委组织部、市教育局、市住建局、市总工会、平台企业党委代表",
        "研究新就业群体子女入学积分、小哥公寓申请的办理情况。",
        ["schooling", "housing"],
        [
            "教育局明确灵活就业人员社保缴纳记录可作为积分入学材料，下周在政务网公布办事指南",
            "住建局在下批小哥公寓配租中单列新就业群体房源，由平台企业党委汇总推荐",
        ],
    ),
]


def _coordinations(rng: random.Random, now: dt.datetime) -> int:
    """Three 协调会 of the organization department over appeals of the matters they discussed."""
    from sanxin.accounts.models import Grant

    grant = Grant.objects.filter(role=Role.ORG_DEPARTMENT, org__isnull=False).order_by("pk").first()
    if grant is None:
        return 0
    made = 0
    for n, (title, attendees, summary, categories, decisions) in enumerate(MEETINGS):
        held = now - dt.timedelta(days=20 + 35 * n)
        appeals = list(
            Appeal.objects.filter(category_id__in=categories, received_at__lt=held - dt.timedelta(days=2))
            .exclude(status__in=[Status.MERGED, Status.WITHDRAWN])
            .order_by("-received_at")[: len(decisions)]
        )
        if not appeals:
            continue
        services.coordination_record(
            actor=None,
            org=grant.org,
            title=title,
            held_on=timezone.localtime(held).date(),
            place="市委组织部三楼会议室",
            attendees=attendees,
            summary=summary,
            decisions={a.pk: d for a, d in zip(appeals, decisions, strict=False)},
            now=held,
        )
        made += 1
    return made


def _handle(appeal, rng, received, now, reply, comments, category, depts) -> None:
    """Take one appeal through a plausible history, each step at its own time, none in the future."""

    def when(after: dt.datetime, hours: tuple[float, float]):
        t = _at(after, rng, hours)
        return t if t < now else None

    if appeal.category_id is None:  # the classifier was unsure: the platform group or the office decides
        t = when(received, (0.5, 6))
        if t is None:
            return
        services.appeal_classify(actor=None, appeal=appeal, category=category, now=t)
        appeal.refresh_from_db()
    fate = rng.random()
    if fate < 0.05:
        return  # nobody has responded yet (the hourly task escalates it if it is overdue)
    t = when(received, (0.3, 20) if rng.random() < 0.85 else (26, 60))  # most in time, some late
    if t is None:
        return
    services.appeal_accept(actor=_handler(appeal), appeal=appeal, now=t)
    if (appeal.level == Level.PLATFORM and rng.random() < 0.3) or (
        appeal.level == Level.LIAISON and rng.random() < 0.4
    ):
        up = routing.next_level(appeal)
        if up is not None and up[0] == Level.DEPARTMENT:
            t = when(t, (2, 30))
            if t is None:
                return
            services.appeal_transfer(
                actor=_handler(appeal),
                appeal=appeal,
                level=Level.DEPARTMENT,
                unit_id=up[1].pk,
                reason="超出本级职责，转主管部门办理",
                now=t,
            )
            appeal.refresh_from_db()
            t = when(t, (0.5, 20))
            if t is None:
                return
            services.appeal_accept(actor=_handler(appeal), appeal=appeal, now=t)
    if rng.random() < 0.1:
        t = when(t, (1, 10))
        if t is None:
            return
        services.appeal_ask(
            actor=_handler(appeal), appeal=appeal, question="请补充具体时间、地点和相关截图", now=t
        )
        t = when(t, (3, 60))
        if t is None:
            return
        owner = appeal.submitter or _handler(appeal)
        services.appeal_answer(
            actor=owner, appeal=appeal, text="已补充：时间地点见上，截图已发给联络员", now=t
        )
        appeal.refresh_from_db()
    if fate < 0.12:
        return  # still being handled
    days = appeal.resolve_due - t
    t = when(t, (2, max(4.0, days.total_seconds() / 3600 * (0.8 if rng.random() < 0.9 else 1.6))))
    if t is None:
        return
    services.appeal_resolve(actor=_handler(appeal), appeal=appeal, reply=reply, now=t)
    if appeal.submitter_id is None and not appeal.anonymous:
        return  # registered for someone without an account: the handler calls back instead
    rating = rng.choices(["satisfied", "basic", "unsatisfied", None], [62, 18, 10, 10])[0]
    t = when(t, (2, 72))
    if rating is None or t is None:
        return
    user = appeal.submitter or _owner(appeal)
    services.appeal_rate(
        actor=user, appeal=appeal, rating=rating, comment=rng.choice(comments[rating]), now=t
    )
    if rating == "unsatisfied":
        appeal.refresh_from_db()
        t = when(t, (4, 72))
        if t is None:
            return
        services.appeal_resolve(actor=_handler(appeal), appeal=appeal, reply="重新核查后：" + reply, now=t)
        t = when(t, (2, 48))
        if t is not None:
            again = rng.choice(["satisfied", "basic"])
            services.appeal_rate(
                actor=user, appeal=appeal, rating=again, comment=rng.choice(comments[again]), now=t
            )
    elif rng.random() < 0.5:
        t = when(t, (1, 48))
        if t is not None:
            services.appeal_callback(
                actor=_handler(appeal), appeal=appeal, note="电话回访，诉求人表示问题已解决", now=t
            )


def _owner(appeal: Appeal):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=services.sealed_user_id(appeal))
