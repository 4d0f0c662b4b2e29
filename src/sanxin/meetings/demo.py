"""Demo organization life: a year of meetings for the demo branches, through the services, with the
gaps offices look for — most branches hold their 主题党日 and 支委会 every month, some skip 党课 or a
month, a few barely meet; attendance from sign-in sheets (members away on 外出 mostly absent, some on
leave), make-ups done and pending, minutes signed; venues (the city's party-mass service centre, the
committees' activity rooms, a 暖蜂驿站); and for ``shuji``'s branch an upcoming 主题党日 at a venue with
``dangyuan`` invited, last month's meetings held with a make-up waiting for a member."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from sanxin.core.errors import RuleViolation
from sanxin.demo.registry import DemoContext, step
from sanxin.members.models import Member, Mobility
from sanxin.orgs import services as org_services
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus, OrgType, Post, PostTitle

from . import rules, selectors, services
from .models import Attendance, Kind, MakeUp, Meeting, Mode, Venue, VenueKind

SHUJI_BRANCH = "蜂行快送城关站流动党员党支部"
TOPICS = {
    Kind.THEME_DAY: [
        "学习新就业群体权益保障政策",
        "“小哥暖心”志愿服务",
        "交通安全主题党日",
        "重温入党誓词",
        "走进社区献爱心",
    ],
    Kind.COMMITTEE: ["研究本月支部工作", "研究发展党员工作", "研究党费收缴和流动党员管理"],
    Kind.GENERAL: ["支部党员大会：通报季度工作", "支部党员大会：讨论发展对象", "支部党员大会：预备党员转正"],
    Kind.LECTURE: ["书记讲党课：流动不流失", "党课：新就业群体的初心使命", "党课：党章学习"],
    Kind.LIFE_MEETING: ["年度组织生活会"],
    Kind.APPRAISAL: ["年度民主评议党员"],
}


def _venues() -> list[Venue]:
    city = Org.objects.filter(depth=1).order_by("path").first()
    out = []
    if city is not None:
        for name, kind, address, lat, lng in [
            ("新河市党群服务中心", VenueKind.CENTRE, "新河市新城区人民路1号", 30.2741, 120.1551),
            ("城关暖蜂驿站", VenueKind.STATION, "城关街道解放路88号", 30.2592, 120.1694),
        ]:
            venue = Venue.objects.filter(name=name).first() or services.venue_create(
                actor=None, org=city, name=name, kind=kind, address=address, lat=lat, lng=lng, capacity=80
            )
            out.append(venue)
    for committee in Org.objects.filter(org_type=OrgType.INDUSTRY_COMMITTEE, status=OrgStatus.ACTIVE):
        name = f"{committee.name}党员活动室"
        out.append(
            Venue.objects.filter(name=name).first()
            or services.venue_create(actor=None, org=committee, name=name, address="新河市", capacity=40)
        )
    return out


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=rules.SHANGHAI)


def _hold(rng, org, kind, day, venue, away, *, absent_rate=0.15, makeup_done=0.6):
    """Schedule, record the sign-in sheet, close, minutes; some absentees do their make-up."""
    online = rng.random() < 0.3 or venue is None
    args = {
        "actor": None,
        "org": org,
        "kind": kind,
        "topic": rng.choice(TOPICS[kind]),
        "starts_at": _at(day, rng.choice([9, 14, 19, 20])),
    }
    try:
        if online:
            raise RuleViolation("", code="online")
        meeting = services.meeting_schedule(**args, mode=Mode.OFFLINE, venue=venue)
    except RuleViolation:  # the room is taken at that hour: the branch meets online instead
        meeting = services.meeting_schedule(
            **args, mode=Mode.ONLINE, online_url=f"https://meet.xinhe.gov.cn/room/{org.pk}"
        )
    present, excused = [], {}
    for a in Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True):
        if a in away and rng.random() < 0.8:
            continue
        roll = rng.random()
        if roll < absent_rate / 2:
            excused[a] = rng.choice(["跑单高峰期", "在外地送货", "家中有事", "夜班休息"])
        elif roll >= absent_rate:
            present.append(a)
    services.attendance_sheet(actor=None, meeting=meeting, present=present, excused=excused)
    meeting = services.meeting_close(actor=None, meeting=meeting, at=meeting.ends_at)
    services.minutes_save(
        actor=None, meeting=meeting, content=f"会议围绕“{meeting.topic}”进行了学习讨论，与会党员交流了体会。"
    )
    services.minutes_sign(actor=None, meeting=meeting)
    for makeup in MakeUp.objects.filter(attendance__meeting=meeting).select_related(
        "attendance__member__person"
    ):
        if rng.random() < makeup_done and makeup.attendance.member.person.user_id is None:
            services.makeup_record(
                actor=None,
                makeup=makeup,
                reflection="认真阅读了会议记录和学习材料，结合送单工作谈体会：要在岗位上亮身份、作表率。",
                at=meeting.ends_at + dt.timedelta(days=rng.randint(1, 20)),
            )
    return meeting


def _branches() -> list[Org]:
    return list(
        Org.objects.filter(status=OrgStatus.ACTIVE, org_type__in=BRANCH_TYPES)
        .exclude(org_type=OrgType.GROUP)
        .order_by("path")
    )


def _committees(rng, branches: list[Org], since: dt.date) -> None:
    """Each demo branch's 支部委员会 from its own members (the orgs demo gave some branches a
    secretary who is not on the member register): an organization and a propaganda member, and a
    secretary where there is none, so that 支委会 have someone to invite."""
    for org in branches:
        members = list(
            Member.objects.filter(person__org=org, status="active", standing="full").select_related("person")[
                :12
            ]
        )
        if len(members) < 3:
            continue
        titles = [PostTitle.ORGANIZATION, PostTitle.PROPAGANDA]
        if not Post.objects.filter(org=org, title=PostTitle.SECRETARY, end_on__isnull=True).exists():
            titles.append(PostTitle.SECRETARY)
        for member, title in zip(rng.sample(members, len(titles)), titles, strict=True):
            org_services.post_assign(actor=None, org=org, person=member.person, title=title, start_on=since)


@step(order=66, name="meetings")
def build_meetings(ctx: DemoContext) -> None:
    if Meeting.objects.exists():
        return
    services.ensure_default_rules()
    rng = random.Random(20261203)
    today = timezone.localdate()
    venues = _venues()
    away = set(
        Mobility.objects.filter(end_on__isnull=True, direction="out").values_list("member_id", flat=True)
    )
    this_month = rules.period_start(today, "month")
    months = [rules.add_months(this_month, -i) for i in range(12, 0, -1)]
    branches = _branches()
    _committees(rng, branches, months[0] - dt.timedelta(days=30))
    n = 0
    for i, org in enumerate(branches):
        habit = (
            "model"
            if org.name == SHUJI_BRANCH
            else rng.choice(["good", "good", "good", "no_lecture", "patchy", "rare"])
        )
        usable = selectors.venues_for([org])
        venue = rng.choice(usable) if usable else None
        for month in months:
            if habit == "rare" and rng.random() < 0.6:
                continue
            skip = habit == "patchy" and rng.random() < 0.3
            if not skip:
                _hold(rng, org, Kind.THEME_DAY, month.replace(day=min(15, 10 + i % 10)), venue, away)
                n += 1
            if not skip and rng.random() < (0.97 if habit in ("model", "good") else 0.6):
                _hold(rng, org, Kind.COMMITTEE, month.replace(day=5 + i % 3), None, away, absent_rate=0.05)
                n += 1
            if month.month in (3, 6, 9, 12):
                if habit != "rare":
                    _hold(rng, org, Kind.GENERAL, month.replace(day=20), venue, away)
                    n += 1
                if habit in ("model", "good") or (habit == "patchy" and rng.random() < 0.5):
                    _hold(rng, org, Kind.LECTURE, month.replace(day=25), venue, away)
                    n += 1
            if month.month == 1 and habit != "rare":
                _hold(rng, org, Kind.LIFE_MEETING, month.replace(day=18), venue, away)
                _hold(rng, org, Kind.APPRAISAL, month.replace(day=22), venue, away)
                n += 2
    # shuji's branch: an upcoming 主题党日 at the city centre and a committee meeting this month.
    shuji_branch = Org.objects.filter(name=SHUJI_BRANCH, status=OrgStatus.ACTIVE).first()
    if shuji_branch is not None and venues:
        nxt = today + dt.timedelta(days=7)
        services.meeting_schedule(
            actor=None,
            org=shuji_branch,
            kind=Kind.THEME_DAY,
            topic="主题党日：“暖蜂”志愿服务进社区",
            starts_at=_at(nxt, 15),
            venue=venues[0],
            mode=Mode.HYBRID,
            online_url="https://meet.xinhe.gov.cn/room/fengxing",
        )
        n += 1
    ctx.progress(f"组织生活：{n}次会议，{Attendance.objects.count()}条参会记录")
