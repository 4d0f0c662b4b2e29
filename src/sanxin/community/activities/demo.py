"""The demo of community activities: 需求征集 → 活动开展 → 效果评估, volunteer teams and hours.

Through the services (real audit rows, notifications and ``community.volunteer_hours`` events): needs
in every state (voting, adopted — 夏季送清凉 among them, the origin of an activity at 城关暖蜂驿站 —,
declined with a reason); the teams 水乡红骑手 (蜂行快送城关站's riders) and 货运“兴”锋队 (the logistics
park's truck drivers); in every branch whose members have accounts, past activities of the last months
with sign-ups (some waitlisted), check-ins by roster and by code, ratings and the organizer's summary,
and upcoming ones open for sign-up. All names and texts are invented; the draw is seeded."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from sanxin.core.scope import scope_for
from sanxin.demo.registry import DemoContext, step
from sanxin.orgs.models import Org
from sanxin.stations.models import Station

from ..demo import _branch_members, _org_of
from . import services
from .models import Activity, Need, Participation

# (title, kind, description, summary)
ACTIVITIES = [
    ("夏季送清凉进站点", "service", "高温时段在驿站为骑手、司机送绿豆汤、凉茶和防暑药品，提供休息纳凉。",
     "共送出绿豆汤两百余份、防暑药包八十份，骑手们说中午有了歇脚喝水的地方。"),
    ("电动车安全检查志愿服务", "service", "联合维修点免费检查电池、刹车和灯光，讲解雨天骑行安全。",
     "检查电动车六十余辆，发现刹车隐患十一处，当场修好八处。"),
    ("“党员先锋岗”文明交通劝导", "activity", "在城关主要路口开展文明交通劝导，党员骑手带头不闯红灯、不逆行。",
     "劝导逆行、闯红灯四十余人次，交警中队对骑手党员的表现给予肯定。"),
    ("主题党日：重温入党誓词", "activity", "到红色驿站参观，重温入党誓词，交流本月送单中的好人好事。",
     "参加党员全部重温誓词，五名党员分享了帮助老人、拾金不昧的事迹。"),
    ("社区独居老人送餐帮扶", "service", "利用送单间隙为社区独居老人送餐、代买药品，陪老人聊聊天。",
     "为十二位独居老人送餐两周，社区反映很好，计划长期开展。"),
    ("骑手子女暑期托管志愿服务", "service", "在党群服务中心协助开展骑手子女暑期托管，辅导作业、组织手工课。",
     "托管骑手子女二十六人，党员志愿者轮流辅导，家长很放心。"),
    ("防汛应急志愿服务", "service", "暴雨天气协助街道排查积水点，在积水路口提醒过往骑手和行人绕行。",
     "排查积水点十四处，协助转移被困车辆三辆，无一人受伤。"),
    ("“骑”心协力清洁家园", "activity", "在驿站周边和背街小巷捡拾垃圾、清理共享单车，美化城市环境。",
     "清理垃圾三十余袋，整理共享单车一百多辆，周边居民纷纷点赞。"),
]  # fmt: skip

COMMENTS = [
    "很有意义，下次还来",
    "组织得很好",
    "时间安排合适",
    "希望多搞几次",
    "",
    "学到了安全知识",
    "大家很团结",
    "",
]

NEEDS = [
    # (title, kind, body, outcome)
    (
        "夏季送清凉",
        "service",
        "七八月中午特别热，希望在驿站准备绿豆汤、藿香正气水，让跑单的兄弟歇口气。",
        "adopted",
    ),
    (
        "电动车免费检修",
        "service",
        "电动车天天跑，刹车和电池老出问题，希望联系维修点上门免费检查一次。",
        "open",
    ),
    ("骑手子女暑期托管", "service", "暑假孩子在家没人管，希望支部协调党群服务中心办个托管班。", "open"),
    (
        "组织一次篮球友谊赛",
        "activity",
        "跑单之外也想活动活动，希望和其他站点的骑手打场篮球友谊赛。",
        "declined",
    ),
    ("法律知识讲座", "activity", "遇到交通事故、平台扣款不知道怎么维权，希望请律师来讲一讲。", "open"),
]

User = get_user_model()


def _user(username: str):
    return User.objects.filter(username=username).first()


def _organizer(org: Org):
    for username in ("shuji", "kuaidi", "jiaotong", "wanghong", "zzb"):
        u = _user(username)
        if u is not None and scope_for(u, "community", "activities").contains(org):
            return u
    return None


def _stations(org: Org) -> list[Station]:
    """The open stations that may host ``org``'s activities (managed on its chain)."""
    return [
        s for s in Station.objects.filter(status="open").select_related("org") if services._station_ok(s, org)
    ]


@step(order=89, name="community_activities")
def build_activities(ctx: DemoContext) -> None:
    """After the community step (the members have accounts, the stations exist)."""
    if Activity.objects.exists():
        return
    m1 = _org_of("shuji")
    if m1 is None:
        return
    rng = random.Random(20261209)
    now = timezone.now().replace(second=0, microsecond=0)
    branches = [
        org
        for org in Org.objects.filter(org_type__in=["mobile_branch", "branch"], status="active").order_by(
            "path"
        )
        if len(_branch_members(org)) >= 3 and _organizer(org) is not None
    ]
    if m1 not in branches:
        return
    teams = _teams(m1, now)
    shuji = _user("shuji")
    _needs(m1, shuji, now, rng)
    made = 0
    round_ = 0
    while Participation.objects.count() < 420 and round_ < 12:
        for org in branches:
            _past_activity(org, now, rng, round_, teams.get(org.pk))
            made += 1
        round_ += 1
    for org in branches:
        for i in range(2):
            _upcoming(org, now, rng, i, teams.get(org.pk))
            made += 1
    checked = Participation.objects.filter(checked_in_at__isnull=False).count()
    ctx.progress(
        f"组织活动：{Need.objects.count()} 条需求，{Activity.objects.count()} 场活动，"
        f"{Participation.objects.count()} 人次报名，{checked} 人次签到，服务队 {len(teams)} 支"
    )


def _teams(m1: Org, now) -> dict:
    out = {}
    drivers = Org.objects.filter(name="物流园货车司机党支部", status="active").first()
    for org, name, description in (
        (m1, "水乡红骑手", "蜂行快送城关站党员骑手志愿服务队：送清凉、送温暖、文明交通劝导"),
        (drivers, "货运“兴”锋队", "物流园货车司机志愿服务队：应急运输、防汛保供、安全宣讲"),
    ):
        if org is None or _organizer(org) is None:
            continue
        team = services.team_create(actor=_organizer(org), org=org, name=name, description=description)
        for i, user in enumerate(_branch_members(org)[:12]):
            services.team_join(actor=_organizer(org), team=team, user=user,
                               joined_on=(now - dt.timedelta(days=200 - 9 * i)).date())  # fmt: skip
        out[org.pk] = team
    return out


def _needs(m1: Org, shuji, now, rng: random.Random) -> None:
    people = _branch_members(m1)
    for i, (title, kind, body, outcome) in enumerate(NEEDS):
        proposer = people[i % len(people)]
        made = now - dt.timedelta(days=150 - 20 * i)
        need = services.need_propose(actor=proposer, org=m1, title=title, kind=kind, body=body, now=made,
                                     vote_ends=made + dt.timedelta(days=14) if outcome != "open" else None)  # fmt: skip
        voters = [u for u in people if u.pk != proposer.pk]
        for voter in rng.sample(voters, k=min(len(voters), max(1, len(voters) - 2 * i))):
            services.need_vote(actor=voter, need=need, now=made + dt.timedelta(days=1))
        Need.objects.filter(pk=need.pk).update(created_at=made)
        if outcome == "declined":
            services.need_decide(actor=shuji, need=need, action="decline", now=made + dt.timedelta(days=15),
                                 reason="场地和时间暂不具备条件，已转请行业党委在全市骑手运动会中统筹安排。")  # fmt: skip
        elif outcome == "adopted":
            services.need_decide(actor=shuji, need=need, action="adopt", now=made + dt.timedelta(days=15),
                                 reason="票数最高，支部采纳，在城关暖蜂驿站开展。")  # fmt: skip
            station = Station.objects.filter(name="城关暖蜂驿站").first()
            start = (made + dt.timedelta(days=20)).replace(hour=11, minute=0)
            activity = services.activity_create(
                actor=shuji, org=m1, title="夏季送清凉进站点", kind="service", need=need, station=station,
                description=ACTIVITIES[0][2], starts_at=start, ends_at=start + dt.timedelta(hours=3),
                signup_deadline=start - dt.timedelta(hours=12), capacity=max(3, len(people) - 1), hours="3",
                place="" if station else "城关街道解放路88号", now=made + dt.timedelta(days=15),
            )  # fmt: skip
            _run(activity, people, start, rng, made + dt.timedelta(days=16))


def _run(activity: Activity, people: list, start, rng: random.Random, signup_at) -> None:
    """Sign-ups (the last ones waitlisted when full, one cancel promoting one), check-ins by code and by
    roster, ratings and the summary."""
    crowd = rng.sample(people, k=min(len(people), activity.capacity + rng.randint(0, 2)))
    for i, user in enumerate(crowd):
        services.activity_signup(actor=user, activity=activity, now=signup_at + dt.timedelta(minutes=7 * i))
    signed = list(Participation.objects.filter(activity=activity, status="signed_up").select_related("user"))
    if len(crowd) > activity.capacity and signed:
        services.signup_cancel(actor=signed[0].user, activity=activity, now=signup_at + dt.timedelta(hours=5))
    signed = list(Participation.objects.filter(activity=activity, status="signed_up").select_related("user"))
    present = [p for p in signed if rng.random() < 0.85]
    by_code = present[: len(present) // 2]
    for j, p in enumerate(by_code):
        services.checkin_code(actor=p.user, activity=activity, code=activity.checkin_code,
                              now=start + dt.timedelta(minutes=j - 10))  # fmt: skip
    rest = [p.user_id for p in present[len(by_code) :]]
    if rest:
        services.checkin_roster(actor=activity.organizer, activity=activity, user_ids=rest,
                                now=start + dt.timedelta(minutes=20))  # fmt: skip
    for p in present:
        if rng.random() < 0.8:
            services.participation_rate(actor=p.user, activity=activity, rating=rng.choice([3, 4, 4, 5, 5, 5]),
                                        comment=rng.choice(COMMENTS), now=activity.ends_at + dt.timedelta(hours=2))  # fmt: skip
    summary = next(
        (s for t, _k, _d, s in ACTIVITIES if t == activity.title), "活动顺利开展，参加者反映良好。"
    )
    services.activity_summarize(actor=activity.organizer, activity=activity,
                                summary=f"{summary}本次实到 {len(present)} 人。", now=activity.ends_at + dt.timedelta(days=1))  # fmt: skip


def _place(org: Org, rng: random.Random) -> tuple[Station | None, str]:
    stations = _stations(org)
    if stations and rng.random() < 0.7:
        return rng.choice(stations), ""
    return None, rng.choice(["城关街道解放路口", "物流园区停车场", "滨江公园北门", "文昌路社区广场"])


def _past_activity(org: Org, now, rng: random.Random, round_: int, team) -> Activity:
    people = _branch_members(org)
    title, kind, description, _summary = ACTIVITIES[(round_ + org.pk) % len(ACTIVITIES)]
    day = now - dt.timedelta(days=12 + 13 * round_ + rng.randint(0, 6))
    start = day.replace(hour=rng.choice([9, 14, 15, 19]), minute=0)
    station, place = _place(org, rng)
    organizer = _organizer(org)
    activity = services.activity_create(
        actor=organizer, org=org, title=title, kind=kind, description=description, starts_at=start,
        ends_at=start + dt.timedelta(hours=2), signup_deadline=start - dt.timedelta(hours=2), station=station,
        place=place, capacity=max(2, len(people) - rng.randint(1, 3)), hours=rng.choice(["1.5", "2", "2", "3"]),
        team=team if team is not None and round_ % 2 == 0 else None, now=start - dt.timedelta(days=7),
    )  # fmt: skip
    _run(activity, people, start, rng, start - dt.timedelta(days=5))
    return activity


def _upcoming(org: Org, now, rng: random.Random, i: int, team) -> Activity:
    people = _branch_members(org)
    title, kind, description, _summary = ACTIVITIES[(org.pk + 3 + i) % len(ACTIVITIES)]
    start = (now + dt.timedelta(days=4 + 7 * i)).replace(hour=rng.choice([9, 14, 19]), minute=0)
    station, place = _place(org, rng)
    activity = services.activity_create(
        actor=_organizer(org), org=org, title=title, kind=kind, description=description, starts_at=start,
        ends_at=start + dt.timedelta(hours=2), signup_deadline=start - dt.timedelta(hours=2), station=station,
        place=place, capacity=max(3, len(people) // 2), hours="2", team=team if i == 0 else None, now=now,
    )  # fmt: skip
    for user in rng.sample(people, k=max(1, len(people) // 3)):
        services.activity_signup(actor=user, activity=activity, now=now)
    return activity
