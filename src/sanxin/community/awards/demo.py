"""The demo of community awards, through the services (real audit rows, the ``community.award_won``
events, notices, certificates):

- a completed selection: 快递外卖行业党委's 2025年度“最美红骑手” — five riders nominated by their
  secretaries, approved, a fortnight of votes (one shared phone among them: refused, flagged, voided by
  the organiser), closed, published with three awardees and their certificates, the first one's story
  submitted to the learning library as a 先锋故事;
- a running one: the city's 2026年度“最美货车司机” in its vote window today, with votes of the last
  days and of today, one nomination rejected with a reason;
- 四亮 records of the demo branches: 亮旗帜 per branch, 亮身份 / 亮标识 (with a photo) / 亮承诺 of their
  members, some pledges made by the members themselves.

All names are the demo's invented people; seeded, so every build is the same."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sanxin.accounts.models import Grant
from sanxin.core.errors import ServiceError
from sanxin.demo.registry import DemoContext, step
from sanxin.members.models import Employment, Member, MemberStatus, WorkKind
from sanxin.orgs.models import BRANCH_TYPES, Org

from . import services
from .models import AwardSelection, SiliangKind

RIDER_DEEDS = [
    "连续五年零差评，暴雨天坚持为独居老人送药送餐，多次主动垫付小额费用后不收回。",
    "在城关驿站义务值守两百多小时，组织骑手成立“暖蜂”志愿小队，帮助新骑手熟悉片区道路。",
    "送餐途中发现居民楼冒烟，第一时间报警并协助疏散住户，被街道授予“见义勇为好骑手”。",
    "带头亮明党员身份，餐箱贴上党员标识，三年来拾金不昧十余次，归还手机、钱包等财物。",
    "疫情期间报名保供配送，每天跑单十二小时以上，把生活物资送到封控小区每一户门口。",
    "熟悉片区每一条小巷，主动为站点绘制送餐地图，带教新骑手三十余人，站点超时率明显下降。",
]
DRIVER_DEEDS = [
    "跑运输十五年安全行驶一百二十万公里无事故，货运途中多次救助高速公路上的故障车辆。",
    "在驾驶员驿站组织“货车司机之家”互助群，帮助外地司机解决停车、就医、子女入学等难题。",
    "冰雪天气主动参加抢险物资运输，连续三天三夜往返于物资仓库和受灾乡镇之间。",
    "带头遵守超限超载治理规定，劝导身边司机规范装载，所在车队连续三年零违章。",
    "利用返程空车为山区学校免费运送图书和冬衣，累计运送物资二十余吨。",
]
FLAG_NOTES = [
    "驿站活动阵地悬挂党旗，设置党员示范岗",
    "站点门口设立党员先锋岗标牌，活动室悬挂党旗",
    "支部活动室悬挂党旗、张贴入党誓词",
]
IDENTITY_NOTES = ["佩戴党员徽章上岗", "骑手App中亮明党员身份", "工牌标注“共产党员”", "驾驶室放置党员示范标牌"]
MARK_NOTES = ["餐箱贴党员标识", "电动车车头挂党员先锋牌", "货车车门喷涂党员示范车标识"]
PLEDGES = [
    "遵守交通规则，文明配送，遇到困难群众主动帮一把。",
    "不闯红灯、不逆行，按时足额交纳党费，积极参加支部活动。",
    "亮身份、作表率，带动身边骑手安全出行、诚信服务。",
    "做平台规则的明白人，帮助新同事熟悉路线，守护城市烟火气。",
]


def _png(rgb: tuple[int, int, int], size: int = 16) -> bytes:
    """A small one-colour PNG (the demo's photo of a marked box or vehicle)."""
    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    head = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def _photo(name: str, rng: random.Random) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _png((200, rng.randint(20, 60), rng.randint(20, 60))), "image/png")


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _org_of(username: str) -> Org | None:
    g = Grant.objects.filter(user__username=username, anchor="org").select_related("org").first()
    return g.org if g else None


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    t = dt.time(rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59))
    return timezone.make_aware(dt.datetime.combine(day, t))


def _voters(org: Org, limit: int) -> list:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            person__org__path__startswith=org.path, is_active=True, person__member__status="active"
        )
        .order_by("pk")[:limit]
    )


def _vote_days(selection, voters, candidates, days, weights, rng, *, now=None) -> int:
    cast = 0
    for day in days:
        for user in voters:
            if rng.random() > 0.55:
                continue
            c = rng.choices(candidates, weights=weights)[0]
            when = now if (now is not None and day == timezone.localdate(now)) else _at(day, rng)
            try:
                services.vote_cast(
                    actor=user,
                    selection=selection,
                    candidate_id=c.pk,
                    device_id=f"demo-{user.pk}",
                    ip=f"10.8.{user.pk % 250}.{rng.randint(2, 250)}",
                    user_agent="Mozilla/5.0 (Linux; Android 13) 三新党建",
                    now=when,
                )
                cast += 1
            except ServiceError:
                pass
    return cast


def _shared_phone(selection, voters, candidate, day, rng) -> None:
    """Four accounts on one phone on one day: the fourth is refused, the three earlier votes flagged."""
    for user in voters[:4]:
        try:
            services.vote_cast(
                actor=user,
                selection=selection,
                candidate_id=candidate.pk,
                device_id="demo-shared-phone",
                ip="10.9.0.8",
                user_agent="Mozilla/5.0 (Linux; Android 12) 三新党建",
                now=_at(day, rng) + dt.timedelta(hours=1),
            )
        except ServiceError:
            pass


def _eligible(selection, people, today, n) -> list:
    from . import selectors

    return [p for p in people if not selectors.eligibility(selection, p, today)][:n]


def _red_riders(ctx, kd: Org, office, shuji, m1, rng) -> AwardSelection:
    s = services.selection_create(
        actor=office,
        org=kd,
        title="2025年度“最美红骑手”",
        year=2025,
        awardees=3,
        work_kinds=[WorkKind.RIDER],
        members_only=True,
        min_job_years=2,
        description="在全行业党员骑手中评选爱岗敬业、热心公益、亮身份作表率的“最美红骑手”，经提名、资格审核、网上投票产生。",
        nominate_from=dt.date(2025, 9, 1),
        nominate_until=dt.date(2025, 9, 20),
        vote_from=dt.date(2025, 10, 8),
        vote_until=dt.date(2025, 10, 21),
    )
    day = dt.date(2025, 9, 10)
    people = [
        m.person
        for m in Member.objects.filter(person__org__path__startswith=kd.path, status=MemberStatus.ACTIVE)
        .select_related("person__org")
        .order_by("pk")
    ]
    chosen = _eligible(s, [p for p in people if p.org_id == m1.pk], day, 2) if m1 else []
    chosen += _eligible(
        s, [p for p in people if p.org_id != getattr(m1, "pk", None)][::7], day, 5 - len(chosen)
    )
    candidates = []
    for i, person in enumerate(chosen):
        nominator = shuji if (m1 is not None and person.org_id == m1.pk and shuji is not None) else office
        c = services.candidate_nominate(
            actor=nominator, selection=s, person=person, reasons=RIDER_DEEDS[i % len(RIDER_DEEDS)], today=day
        )
        services.candidate_review(actor=office, candidate=c, decision="approve", today=dt.date(2025, 9, 28))
        candidates.append(c)
    if not candidates:
        return s
    voters = _voters(kd, 80)
    days = [s.vote_from + dt.timedelta(days=i) for i in range((s.vote_until - s.vote_from).days + 1)]
    weights = [len(candidates) - i + 2 for i in range(len(candidates))]
    _shared_phone(s, voters[-4:], candidates[-1], days[3], rng)
    cast = _vote_days(s, voters, candidates, days, weights, rng)
    services.selection_close(actor=office, selection=s, now=timezone.make_aware(dt.datetime(2025, 10, 22, 9)))
    flagged = list(s.votes.filter(flagged=True).values_list("pk", flat=True))
    if flagged:
        services.votes_review(actor=office, selection=s, vote_ids=flagged, keep=False)
    services.selection_publish(
        actor=office, selection=s, now=timezone.make_aware(dt.datetime(2025, 10, 25, 10))
    )
    first = s.candidates.filter(rank=1).select_related("person").first()
    if first is not None:
        try:
            services.story_publish(
                actor=office,
                candidate=first,
                title=f"风雨无阻的红骑手——{first.person.name}",
                body=(
                    f"{first.person.name}是{first.org.name}的一名党员骑手。{first.reasons}"
                    "他常说：“党员就要亮出身份，群众有困难时第一个冲上去。”在他的带动下，站点越来越多的骑手"
                    "加入志愿服务队，雨雪天为老人送药、深夜为加班的医护人员送餐，成了片区里一道温暖的风景。"
                ),
            )
        except ServiceError:
            pass
    ctx.progress(f"评选：{s.title} 已公布，{len(candidates)} 名候选人，{cast} 票，{s.awardees} 人当选并发证")
    return s


def _truck_drivers(ctx, city: Org, jt: Org | None, office, nominator, rng) -> AwardSelection | None:
    today = timezone.localdate()
    s = services.selection_create(
        actor=office,
        org=city,
        title=f"{today.year}年度“最美货车司机”",
        year=today.year,
        awardees=3,
        work_kinds=[WorkKind.TRUCK],
        members_only=False,
        min_job_years=3,
        description="面向全市货车司机（党员和群众均可），评选安全驾驶、诚信经营、热心公益的“最美货车司机”。",
        nominate_from=today - dt.timedelta(days=30),
        nominate_until=today - dt.timedelta(days=15),
        vote_from=today - dt.timedelta(days=6),
        vote_until=today + dt.timedelta(days=8),
    )
    base = jt or city
    members = list(
        Member.objects.filter(person__org__path__startswith=base.path, status=MemberStatus.ACTIVE)
        .exclude(person__org__org_type="mobile_branch")
        .select_related("person__org")
        .order_by("pk")[:5]
    )
    day = today - dt.timedelta(days=20)
    for m in members:  # the demo registry has no truck-driver members: these drive for a freight company
        if not Employment.objects.filter(person=m.person, kind=WorkKind.TRUCK).exists():
            from sanxin.members import services as member_services

            member_services.employment_record(
                actor=None,
                person=m.person,
                kind=WorkKind.TRUCK,
                since=dt.date(2016 + rng.randint(0, 4), rng.randint(1, 12), 1),
                employer_name=rng.choice(["顺路货运", "通途城配", "河港速运"]),
                work_region=m.person.org.region,
            )
    candidates = []
    for i, m in enumerate(members):
        try:
            c = services.candidate_nominate(
                actor=nominator,
                selection=s,
                person=m.person,
                reasons=DRIVER_DEEDS[i % len(DRIVER_DEEDS)],
                today=day,
            )
        except ServiceError:
            continue
        review_day = today - dt.timedelta(days=10)
        if i == len(members) - 1 and len(members) > 3:
            services.candidate_review(
                actor=office, candidate=c, decision="reject", reason="事迹材料缺少所在单位证明，请补充后参加下一届评选",
                today=review_day,
            )  # fmt: skip
        else:
            services.candidate_review(actor=office, candidate=c, decision="approve", today=review_day)
            candidates.append(c)
    cast = 0
    if candidates:
        voters = _voters(city, 90)
        days = [s.vote_from + dt.timedelta(days=i) for i in range((today - s.vote_from).days + 1)]
        weights = [3 + (i * 2) % 5 for i in range(len(candidates))]
        cast = _vote_days(s, voters, candidates, days, weights, rng, now=timezone.now())
    ctx.progress(f"评选：{s.title} 投票中，{len(candidates)} 名候选人，已投 {cast} 票")
    return s


def _siliang(ctx, office, shuji, m1, rng) -> None:
    branches = list(
        Org.objects.filter(org_type__in=BRANCH_TYPES, status="active", people__member__status="active")
        .distinct()
        .order_by("path")[:16]
    )
    today = timezone.localdate()
    marks = 0
    for b_i, org in enumerate(branches):
        actor = shuji if (m1 is not None and org.pk == m1.pk and shuji is not None) else office
        services.siliang_record(
            actor=actor,
            kind=SiliangKind.FLAG,
            org=org,
            note=FLAG_NOTES[b_i % len(FLAG_NOTES)],
            on=today - dt.timedelta(days=rng.randint(30, 300)),
        )
        members = list(
            Member.objects.filter(person__org=org, status=MemberStatus.ACTIVE)
            .select_related("person")
            .order_by("pk")
        )
        for m in members:
            on = today - dt.timedelta(days=rng.randint(1, 200))
            if rng.random() < 0.7:
                services.siliang_record(
                    actor=actor,
                    kind=SiliangKind.IDENTITY,
                    org=org,
                    person=m.person,
                    note=rng.choice(IDENTITY_NOTES),
                    on=on,
                )
            if rng.random() < 0.35 and marks < 60:
                services.siliang_record(
                    actor=actor,
                    kind=SiliangKind.MARK,
                    org=org,
                    person=m.person,
                    note=rng.choice(MARK_NOTES),
                    on=on,
                    photo=_photo(f"标识{m.pk}.png", rng),
                )
                marks += 1
            if rng.random() < 0.5:
                if m.person.user_id:
                    services.pledge_make(actor=m.person.user, pledge=rng.choice(PLEDGES))
                else:
                    services.siliang_record(
                        actor=actor,
                        kind=SiliangKind.PLEDGE,
                        org=org,
                        person=m.person,
                        pledge=rng.choice(PLEDGES),
                        on=on,
                    )
    ctx.progress(f"四亮：{len(branches)} 个党支部的亮旗帜、亮身份、亮标识、亮承诺记录")


@step(order=90, name="community_awards")
def build_awards(ctx: DemoContext) -> None:
    if AwardSelection.objects.exists():
        return
    city, kd, jt, m1 = _org_of("zzb"), _org_of("kuaidi"), _org_of("jiaotong"), _org_of("shuji")
    zzb, kuaidi, jiaotong, shuji = _user("zzb"), _user("kuaidi"), _user("jiaotong"), _user("shuji")
    if city is None or kd is None or zzb is None or kuaidi is None:
        return
    rng = random.Random(20261209)
    _red_riders(ctx, kd, kuaidi, shuji, m1, rng)
    _truck_drivers(ctx, city, jt, zzb, jiaotong or zzb, rng)
    _siliang(ctx, zzb, shuji, m1, rng)
