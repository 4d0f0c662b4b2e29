"""Demo training for 新河市: the six online training rounds of the demo numbers (开展网上技能培训 6 期) as
programmes built on the 12 demo courses — a rider round in two cohorts, truck and ride-hailing drivers',
the streamers', the 书记示范培训 by tier (省级/市级/县级) and the 新生代企业家“红色接力” by growth stage
(初创期/接班期/成熟期) — with their members enrolled; offline trainings with attendance (credited
through the services, one attendance corrected); about 1,500 lesson views spread over the year (every
credited lesson was opened that day, and others were looked at without finishing); and the reminders a secretary sent to
members behind. Deterministic (a fixed seed) and fast (the views go in as one batch)."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sanxin.core import events
from sanxin.demo.registry import DemoContext, step
from sanxin.members.models import Member, MemberStatus
from sanxin.orgs.models import Org, Post

VIEWS_TARGET = 1500
EXTRA_LOOKS = 150


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _org(name: str) -> Org | None:
    return Org.objects.filter(name=name).order_by("path").first()


def _courses(*titles: str) -> list[int]:
    from ..models import Course

    found = dict(Course.objects.filter(title__in=titles, status="published").values_list("title", "pk"))
    return [found[t] for t in titles if t in found]


def _members_under(org: Org, *, limit: int, mobile_only: bool = False) -> list[Member]:
    from sanxin.core.query import prefix_q

    qs = Member.objects.filter(prefix_q("person__org__path", org.path), status=MemberStatus.ACTIVE)
    if mobile_only:
        qs = qs.filter(person__org__name__contains="流动党员党支部")
    return list(qs.select_related("person__org").order_by("pk")[:limit])


# (key, organiser, login, title, audience, mode, required hours, course titles, summary)
ROUNDS = [
    ("rider", "中共新河市快递外卖行业委员会", "kuaidi", "外卖骑手安全与权益网上培训", "general", "online", "1.5",
     ("电动车安全骑行与交通法规", "遇到欠薪怎么办", "心肺复苏与AED使用", "送餐路上的“红骑手”"),
     "围绕安全骑行、劳动权益和急救知识，利用班前班后五分钟、午间一刻钟在手机上学习。"),
    ("truck", "中共新河市交通运输行业委员会", "jiaotong", "货车司机网上技能培训", "general", "online", "1",
     ("货车司机老黄的二十万公里", "职工互助保障怎么参加、怎么理赔", "灵活就业人员怎样参加医保"),
     "跑长途也不掉队：互助保障、医保参保和先进事迹。"),
    ("ride", "中共新河市交通运输行业委员会", "jiaotong", "网约车司机服务规范网上培训", "general", "online", "1.5",
     ("新就业形态劳动者权益保障政策解读", "遇到欠薪怎么办", "心肺复苏与AED使用"),
     "权益保障政策、欠薪维权和车内突发情况的急救处置。"),
    ("stream", "中共新河市网络名人行业委员会", "wanghong", "主播助农与网络文明网上培训", "general", "online", "2",
     ("直播间里的助农主播", "新就业群体党员的使命与担当"),
     "直播带货守规矩、助农增收作表率。"),
    ("secretary", None, "zzb", "“两新”党组织书记示范培训班", "secretary", "hybrid", "6",
     ("党章党规天天学", "学习贯彻全会精神专题党课", "新就业群体党员的使命与担当"),
     "省市县三级阶梯式培训：线上学党章党规和全会精神，线下集中面授、交流“领雁擂台赛”经验。"),
    ("heirs", None, "zzb", "新生代企业家“红色接力”培训班", "entrepreneur", "hybrid", "3",
     ("新就业形态劳动者权益保障政策解读", "学习贯彻全会精神专题党课"),
     "按初创期、接班期、成熟期分班，围绕党性教育、创新发展开展跟踪式培养。"),
]  # fmt: skip


@step(order=79, name="learning_training")
def build_training(ctx: DemoContext) -> None:
    from .models import Programme

    if Programme.objects.exists():
        ctx.progress("学习教育·培训：已存在，跳过")
        return
    city = Org.objects.filter(depth=1).order_by("path").first()
    if city is None or not _courses("党章党规天天学"):
        ctx.progress("学习教育·培训：没有组织或课程，跳过")
        return
    rng = random.Random(20261208)
    now = timezone.now()
    today = timezone.localdate(now)
    year_start = dt.date(today.year, 1, 1)
    start = min(year_start, today - dt.timedelta(days=90))
    programmes, enrolled = _programmes(city, start, today, rng)
    with events.dispatched_together():  # the credits' events delivered in one batch after the step
        trainings, present = _offline(city, programmes, today)
    views = _views(now, start, rng)
    reminded = _reminders(now)
    ctx.progress(
        f"学习教育·培训：培训班 {len(programmes)} 个（学员 {enrolled} 人次），线下培训 {trainings} 次（出席 {present} 人次），"
        f"课时浏览 {views} 人次，学时提醒 {reminded} 人"
    )


def _programmes(city: Org, start: dt.date, today: dt.date, rng: random.Random) -> tuple[dict, int]:
    from . import services

    out = {}
    count = 0
    for key, org_name, login, title, audience, mode, hours, course_titles, summary in ROUNDS:
        org = _org(org_name) if org_name else city
        if org is None:
            continue
        actor = _user(login)
        ends = max(today, min(today + dt.timedelta(days=45), start + dt.timedelta(days=365)))
        p = services.programme_create(
            actor=actor, org=org, title=f"{today.year}年{title}", mode=mode, audience=audience,
            starts_on=start, ends_on=ends, required_hours=hours, summary=summary,
            course_ids=_courses(*course_titles),
        )  # fmt: skip
        cohorts = _cohorts(p, key, start, ends, actor)
        members = _audience(key, org, rng)
        for i, c in enumerate(cohorts):
            if key == "rider":
                half = len(members) // 2
                group = members[:half] if i == 0 else members[half:]
            else:
                group = members[i :: len(cohorts)]
            if group:
                services.enrol(actor=actor, cohort=c, members=group)
                count += len(group)
        out[key] = (p, cohorts, members)
    return out, count


def _cohorts(p, key: str, start: dt.date, ends: dt.date, actor) -> list:
    from . import services

    if key == "secretary":
        spec = [("省级示范班", "province"), ("市级示范班", "city"), ("县级示范班", "county")]
    elif key == "heirs":
        spec = [("初创期班", "startup"), ("接班期班", "succession"), ("成熟期班", "mature")]
    elif key == "rider":
        middle = start + (ends - start) / 2
        return [
            services.cohort_add(actor=actor, programme=p, name="第一期", starts_on=start, ends_on=middle),
            services.cohort_add(
                actor=actor, programme=p, name="第二期", starts_on=middle + dt.timedelta(days=1), ends_on=ends
            ),
        ]
    else:
        spec = [("第一期", "")]
    return [services.cohort_add(actor=actor, programme=p, name=name, track=track) for name, track in spec]


def _audience(key: str, org: Org, rng: random.Random) -> list[Member]:
    from ..models import Credit

    today = timezone.localdate()
    if key == "secretary":
        holders = Post.objects.filter(
            Q(end_on__isnull=True) | Q(end_on__gte=today.replace(month=1, day=1)),
            title__in=settings.LEARNING_CADRE_TITLES,
        ).values("person_id")
        return list(
            Member.objects.filter(pk__in=holders, status=MemberStatus.ACTIVE)
            .select_related("person__org")
            .order_by("pk")[:24]
        )
    if key == "heirs":
        # members of the enterprises' own branches (not the mobile branches of riders and drivers)
        return list(
            Member.objects.filter(status=MemberStatus.ACTIVE, person__org__name__contains="公司")
            .exclude(person__org__name__contains="流动")
            .select_related("person__org")
            .order_by("pk")[:18]
        )
    wanted = {"rider": 60, "truck": 20, "ride": 20, "stream": 16}[key]
    members = _members_under(org, limit=400)
    if key == "ride":
        members = [
            m for m in members if "网约车" in m.person.org.name or "出行" in m.person.org.name
        ] or members
    rng.shuffle(members)
    # those who already learn on the phone first: the round was run for them
    learned = set(
        Credit.objects.filter(member__in=[m.pk for m in members], lesson__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    members.sort(key=lambda m: m.pk not in learned)
    return sorted(members[:wanted], key=lambda m: m.pk)


def _offline(city: Org, programmes: dict, today: dt.date) -> tuple[int, int]:
    """A few offline sessions on past days, attendance by the organisers (one corrected)."""
    from . import services

    made = present = 0
    plan = []
    if "secretary" in programmes:
        p, cohorts, members = programmes["secretary"]
        plan.append(("市级示范班集中面授：党章党规与组织生活规范", city, "zzb", "市委党校报告厅", "4", p, cohorts[1],
                     [m for i, m in enumerate(members) if i % 3 == 1], 20))  # fmt: skip
        plan.append(("县级示范班现场教学：流动党员党支部规范化建设", city, "zzb", "城关暖蜂驿站", "3", p, cohorts[2],
                     [m for i, m in enumerate(members) if i % 3 == 2], 12))  # fmt: skip
    if "heirs" in programmes:
        p, cohorts, members = programmes["heirs"]
        plan.append(("初创期企业家沙龙：党建引领企业发展", city, "zzb", "电商产业园党群服务中心", "2", p, cohorts[0],
                     [m for i, m in enumerate(members) if i % 3 == 0], 30))  # fmt: skip
    rider_branch = Org.objects.filter(name__contains="城关站流动党员党支部").order_by("path").first()
    if rider_branch is not None:
        plan.append(("骑手安全骑行与应急救护现场教学", rider_branch, "shuji", "城关暖蜂驿站", "1.5", None, None,
                     _members_under(rider_branch, limit=14), 8))  # fmt: skip
    for title, org, login, place, hours, p, cohort, members, days_ago in plan:
        if not members:
            continue
        actor = _user(login)
        held = today - dt.timedelta(days=days_ago)
        if p is not None:
            held = max(held, (cohort or p).starts_on)
        t = services.training_create(
            actor=actor, org=org, title=title, held_on=held, place=place, hours=hours, programme=p, cohort=cohort,
            summary="签到表已录入；出席者记入本次学时。",
        )  # fmt: skip
        services.attendance_add(actor=actor, training=t, members=members)
        made += 1
        present += len(members)
        if p is None and len(members) > 3:
            # the secretary entered one rider who had signed up but did not come, and corrected it
            services.attendance_remove(
                actor=actor, training=t, member=members[-1], reason="报名后因送单未到场，签到表误录"
            )
            present -= 1
    return made, present


def _views(now, start: dt.date, rng: random.Random) -> int:
    """Every credited lesson was opened on its day; more looks spread over the year until ~1,500."""
    from ..models import Credit, Lesson
    from ..selectors import _ancestor_paths
    from .models import LessonView

    rows: dict[tuple, LessonView] = {}
    credited = Credit.objects.filter(lesson__isnull=False).select_related("lesson__course", "member__person")
    for c in credited.order_by("pk"):
        key = (c.member_id, c.lesson_id, c.on)
        rows[key] = LessonView(member_id=c.member_id, lesson_id=c.lesson_id, on=c.on,
                               org_id=c.member.person.org_id, column=c.lesson.course.column)  # fmt: skip
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, person__org__name__contains="流动党员党支部")
        .select_related("person__org")
        .order_by("pk")
    )
    lessons_by_path: dict[str, list] = {}
    today = timezone.localdate(now)
    span = max(1, (today - start).days)
    tries = 0
    # the seed's "累计收看收听 1500 余人次": at least that many, and some looks that did not end in a credit
    target = max(VIEWS_TARGET, len(rows)) + EXTRA_LOOKS
    while members and len(rows) < target and tries < target * 4:
        tries += 1
        m = rng.choice(members)
        path = m.person.org.path
        if path not in lessons_by_path:
            lessons_by_path[path] = list(
                Lesson.objects.filter(
                    course__status="published", course__publisher__path__in=_ancestor_paths(path)
                )
                .select_related("course")
                .order_by("pk")
            )
        options = lessons_by_path[path]
        if not options:
            continue
        lesson = rng.choice(options)
        on = start + dt.timedelta(days=rng.randint(0, span))
        rows.setdefault(
            (m.pk, lesson.pk, on),
            LessonView(
                member_id=m.pk,
                lesson_id=lesson.pk,
                on=on,
                org_id=m.person.org_id,
                column=lesson.course.column,
            ),
        )
    LessonView.objects.bulk_create(list(rows.values()), batch_size=500, ignore_conflicts=True)
    return LessonView.objects.count()


def _reminders(now) -> int:
    """The rider branch's secretary reminded those furthest behind five days ago (so the list shows it)."""
    from sanxin.core.scope import scope_for

    from .. import selectors as learning_selectors
    from . import services

    secretary = _user("shuji")
    branch = Org.objects.filter(name__contains="城关站流动党员党支部").order_by("path").first()
    if secretary is None or branch is None:
        return 0
    scope = scope_for(secretary, "learning", "change")
    if scope.is_empty:
        return 0
    year = timezone.localdate(now).year
    behind = list(learning_selectors.behind(scope, year, org=branch).filter(person__user__isnull=False)[:5])
    if not behind:
        return 0
    result = services.reminders_send(
        actor=secretary, members=behind, year=year, now=now - dt.timedelta(days=5), explain_one=False
    )
    return len(result["sent"])
