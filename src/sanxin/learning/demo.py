"""Demo learning for 新河市: the 12 courses of the demo numbers in the four columns (理论课堂, 先锋故事,
政策解读, 技能培训 with its four sub-columns), published by the city committee to every member and by
the industry committees to their own, each written for the demo (people and places invented); video
lessons play a six-second clip (``data/demo-video.mp4``), audio lessons WAV tones generated here; short
lessons for 班前班后五分钟 and 午间一刻钟; a live class with its replay and one still to come; one more
course waiting for review. Members of the mobile branches learned through the year, by heartbeats
through the services (so every credit is audited and announced), and the demo member ``dangyuan`` has a
lesson half done."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from sanxin.core import events, uploads
from sanxin.demo.registry import DemoContext, step
from sanxin.orgs.models import Org

from . import services
from .media import silent_wav
from .models import Course, Lesson, LessonKind

VIDEO = Path(__file__).parent / "data" / "demo-video.mp4"

A, V, AU, L = LessonKind.ARTICLE, LessonKind.VIDEO, LessonKind.AUDIO, LessonKind.LIVE

# (publisher key, column, sub-column, title, summary, tags, occupations, lessons); a lesson is a dict:
# kind, title, hours, and body / seconds (an audio's length) / short / question (text, choices, answer)
COURSES = [
    (
        "city",
        "theory",
        "",
        "党章党规天天学",
        "每天十分钟，读懂党章里的义务和权利。",
        ["党章", "党规"],
        [],
        [
            {
                "kind": A,
                "title": "入党誓词里的初心",
                "hours": "1",
                "body": (
                    "“我志愿加入中国共产党……”入党誓词只有八十个字，却是每名党员对组织的郑重承诺。\n"
                    "城关站的骑手党员每周一早会都会一起重温誓词。支部书记郭鹏说：“跑单再忙，誓词不能忘。"
                    "群众遇到难处，我们亮出党员身份，就要冲在前面。”\n"
                    "重温誓词，不是背诵，而是对照：这一周，我有没有做到对党忠诚、积极工作、为群众服务？"
                ),
            },
            {
                "kind": V,
                "title": "党员的八项义务",
                "hours": "1.5",
                "question": (
                    "下列哪一项是党章规定的党员义务？",
                    ["按时交纳党费", "每天在线满十小时", "只参加线上学习"],
                    0,
                ),
            },
            {"kind": AU, "title": "党员的八项权利", "hours": "1", "seconds": 40},
        ],
    ),
    (
        "city",
        "theory",
        "",
        "新就业群体党员的使命与担当",
        "平台经济中的党员，怎样在岗位上发挥作用。",
        ["先锋作用"],
        ["rider", "courier", "ride_hailing"],
        [
            {"kind": V, "title": "新业态里的党员身份", "hours": "2"},
            {
                "kind": A,
                "title": "亮身份、作表率",
                "hours": "0.5",
                "body": (
                    "亮身份不是挂个徽章就完事。新河市开展“四亮”活动以来，越来越多的骑手、快递员在头盔、工服上"
                    "佩戴党员标识。群众说：“看见这个标识，问路、求助心里就踏实。”\n"
                    "亮出身份，意味着接受监督：送餐不抢道、不闯红灯，遇到有人摔倒先停车帮忙，这就是作表率。"
                ),
            },
        ],
    ),
    (
        "kd",
        "stories",
        "",
        "送餐路上的“红骑手”",
        "骑手党员周小军雨夜救助老人的故事。",
        ["红骑手", "身边榜样"],
        ["rider"],
        [
            {"kind": AU, "title": "雨夜里的那一单", "hours": "1", "seconds": 45},
            {
                "kind": A,
                "title": "我为什么要停车",
                "hours": "0.5",
                "body": (
                    "那天晚上九点多，雨下得很大。周小军送完最后一单，在解放路口看见一位老人坐在路边，衣服全湿了。"
                    "他停下车，给老人披上雨衣，又打电话联系社区。超时的那一单被投诉了，站点知道原委后帮他申诉撤销。\n"
                    "有人问他值不值。周小军说：“我是党员，这时候不停车，心里过不去。”"
                ),
            },
        ],
    ),
    (
        "jt",
        "stories",
        "",
        "货车司机老黄的二十万公里",
        "党员货车司机黄建国安全行车二十万公里无事故。",
        ["安全行车", "身边榜样"],
        ["truck"],
        [
            {"kind": AU, "title": "出车前的三分钟检查", "hours": "1", "seconds": 35},
            {
                "kind": A,
                "title": "驾驶员驿站里的党小组",
                "hours": "0.5",
                "body": (
                    "临港驾驶员驿站的党小组每月在驿站里过一次组织生活。老黄带着年轻司机学习防疲劳驾驶，"
                    "也把大家反映的停车难、如厕难问题整理好，通过党员联络员反映上去。\n"
                    "去年，港区新增了两处夜间停车点。司机们说：“党小组真给我们办了实事。”"
                ),
            },
        ],
    ),
    (
        "wl",
        "stories",
        "",
        "直播间里的助农主播",
        "网络主播党员把清水县的桃子卖出了大山。",
        ["助农", "网络正能量"],
        ["streamer"],
        [
            {"kind": V, "title": "一场直播卖出三万斤桃", "hours": "1"},
        ],
    ),
    (
        "city",
        "policy",
        "",
        "新就业形态劳动者权益保障政策解读",
        "休息、报酬、算法规则——权益保障要点逐条讲。",
        ["权益保障", "算法规则"],
        [],
        [
            {
                "kind": A,
                "title": "平台算法不能“算计”劳动者",
                "hours": "1",
                "body": (
                    "有关指导意见明确，平台企业制定或调整订单分配、计件单价、抽成比例、报酬构成、工作时间、奖惩等"
                    "直接涉及劳动者权益的制度规则和平台算法，应当充分听取劳动者和工会等方面的意见建议。\n"
                    "新河市已有三家平台企业与骑手代表开展协商议事，把“最严算法”调整为“合理时长”。"
                ),
            },
            {
                "kind": AU,
                "title": "休息和报酬有哪些保障",
                "hours": "1",
                "seconds": 30,
                "question": (
                    "平台调整计件单价等直接涉及劳动者权益的规则时，应当怎样做？",
                    ["平台自行决定即可", "充分听取劳动者和工会等方面的意见", "只需在手机上弹窗通知"],
                    1,
                ),
            },
        ],
    ),
    (
        "city",
        "policy",
        "",
        "灵活就业人员怎样参加医保",
        "以灵活就业人员身份参加职工医保的条件和办理流程。",
        ["医保", "社保"],
        [],
        [
            {
                "kind": A,
                "title": "参保条件和缴费方式",
                "hours": "1",
                "body": (
                    "在新河市从事新就业形态工作的劳动者，可以灵活就业人员身份参加职工基本医疗保险，按月或按年缴费。"
                    "办理时携带身份证件，到街道便民服务中心或通过线上平台申请即可。\n"
                    "断缴后补缴有时限要求，建议设置自动扣费，避免影响待遇。"
                ),
            },
            {"kind": V, "title": "线上办理演示", "hours": "1"},
        ],
    ),
    (
        "city",
        "skills",
        "insurance",
        "职工互助保障怎么参加、怎么理赔",
        "工会职工互助保障：参加方式、保障范围和理赔材料。",
        ["互助保障", "工会"],
        [],
        [
            {
                "kind": A,
                "title": "保障范围一图读懂",
                "hours": "0.5",
                "body": (
                    "职工互助保障由工会组织开展，新就业形态劳动者加入工会后可以参加。保障项目包括住院医疗、"
                    "意外伤害和重大疾病等。\n"
                    "理赔时准备好身份证件、诊断证明和费用票据，通过工会服务平台提交，一般二十个工作日内办结。"
                ),
            },
            {
                "kind": AU,
                "title": "班前五分钟：理赔材料清单",
                "hours": "0.2",
                "seconds": 20,
                "short": "shift",
            },
        ],
    ),
    (
        "city",
        "skills",
        "legal",
        "遇到欠薪怎么办",
        "法律援助律师讲：欠薪维权的步骤和证据。",
        ["法律援助", "欠薪"],
        [],
        [
            {
                "kind": AU,
                "title": "午间一刻钟：保存好这三样证据",
                "hours": "0.25",
                "seconds": 25,
                "short": "noon",
                "question": (
                    "遇到欠薪，下列哪项证据最需要保存？",
                    ["接单和收入记录截图", "朋友圈点赞记录", "天气预报"],
                    0,
                ),
            },
            {
                "kind": A,
                "title": "维权的四条途径",
                "hours": "1",
                "body": (
                    "一是与平台或用工单位协商；二是向工会或党员联络员反映，通过连心桥提交诉求；"
                    "三是向劳动保障监察机构投诉；四是申请劳动人事争议仲裁。\n"
                    "经济困难的劳动者可以向法律援助中心申请免费法律服务，新河市新就业群体服务中心每周三有律师值班。"
                ),
            },
        ],
    ),
    (
        "kd",
        "skills",
        "business",
        "电动车安全骑行与交通法规",
        "头盔、车速、路口——骑手每天用得上的安全常识。",
        ["安全骑行"],
        ["rider", "courier"],
        [
            {
                "kind": V,
                "title": "班前五分钟：路口不抢行",
                "hours": "0.2",
                "short": "shift",
                "question": (
                    "电动自行车通过没有信号灯的路口时应当怎样做？",
                    ["加速通过", "减速观察、让行", "鸣笛后直接通过"],
                    1,
                ),
            },
            {
                "kind": A,
                "title": "佩戴头盔的正确方法",
                "hours": "0.5",
                "body": (
                    "头盔要选用有3C认证的产品，戴正、戴稳，系好下颌带，松紧以能伸进一指为宜。"
                    "头盔受过剧烈撞击后要及时更换。\n"
                    "统计显示，佩戴头盔可以大幅降低交通事故中头部受伤的风险。"
                ),
            },
        ],
    ),
    (
        "city",
        "skills",
        "first_aid",
        "心肺复苏与AED使用",
        "急救员示范：胸外按压、人工呼吸和AED操作。",
        ["急救"],
        [],
        [
            {
                "kind": V,
                "title": "胸外按压的要领",
                "hours": "1",
                "question": (
                    "成人胸外按压的频率应为每分钟多少次？",
                    ["60—80次", "100—120次", "150—180次"],
                    1,
                ),
            },
            {
                "kind": AU,
                "title": "午间一刻钟：中暑了怎么办",
                "hours": "0.25",
                "seconds": 30,
                "short": "noon",
            },
        ],
    ),
    (
        "city",
        "theory",
        "",
        "学习贯彻全会精神专题党课",
        "市委党校教师主讲，直播授课，提供回放。",
        ["专题党课"],
        [],
        [
            {"kind": L, "title": "专题党课（第一讲）", "hours": "2", "live": -20},
            {"kind": L, "title": "专题党课（第二讲）", "hours": "2", "live": 7},
        ],
    ),
]
WAITING = ("kd", "skills", "business", "冬季送餐防滑指南", "雨雪天气骑行和配送的注意事项。", ["安全骑行"], ["rider"], [
    {"kind": A, "title": "雨雪天怎样骑车", "hours": "0.5", "body": (
        "雨雪天路面湿滑，要降低车速、加大车距，转弯提前减速，避免急刹。"
        "遇到结冰路段，宁可推行一段，也不要冒险骑行。订单超时可以在应用内报备恶劣天气。")},
])  # fmt: skip

PUBLISHERS = {  # the industry committees of the orgs demo
    "kd": "中共新河市快递外卖行业委员会",
    "jt": "中共新河市交通运输行业委员会",
    "wl": "中共新河市网络名人行业委员会",
}


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _org(key: str) -> Org | None:
    if key == "city":
        return Org.objects.filter(depth=1).order_by("path").first()
    return Org.objects.filter(name=PUBLISHERS[key]).order_by("path").first()


class _Media:
    """The demo's files: the video stored once, a WAV per audio length (a different tone each)."""

    def __init__(self, owner):
        self.owner = owner
        self.video = None
        self.audio: dict[int, object] = {}

    def clip(self):
        if self.video is None:
            self.video = uploads.store(
                actor=self.owner,
                purpose_name="learning.media",
                name="演示视频.mp4",
                chunks=VIDEO.read_bytes(),
            )
        return self.video

    def tone(self, seconds: int):
        if seconds not in self.audio:
            self.audio[seconds] = uploads.store(
                actor=self.owner,
                purpose_name="learning.media",
                name=f"演示音频{seconds}秒.wav",
                chunks=silent_wav(seconds, tone_hz=220 + 10 * seconds),
            )
        return self.audio[seconds]


def _build(spec, media: _Media, author, now) -> Course:
    key, column, sub, title, summary, tags, occupations, lessons = spec
    course = services.course_create(
        actor=author, publisher=_org(key), title=title, column=column, summary=summary, sub_column=sub,
        tags=tags, occupations=occupations,
    )  # fmt: skip
    for lesson in lessons:
        data = {"title": lesson["title"], "kind": lesson["kind"], "credit_hours": Decimal(lesson["hours"])}
        data["short"] = lesson.get("short", "")
        data["occupations"] = occupations
        if lesson["kind"] == A:
            data["body"] = lesson["body"]
        elif lesson["kind"] == V:
            data["media"] = media.clip()
            data["body"] = summary
        elif lesson["kind"] == AU:
            data["media"] = media.tone(lesson["seconds"])
            data["body"] = summary
        else:
            starts = (now + dt.timedelta(days=lesson["live"])).replace(
                hour=19, minute=30, second=0, microsecond=0
            )
            data["starts_at"] = starts
            data["live_url"] = "https://live.xinhe.example.cn/dangke"
            if lesson["live"] < 0:
                data["replay"] = media.clip()
        if "question" in lesson:
            data["question"], data["choices"], data["answer"] = lesson["question"]
        services.lesson_add(actor=author, course=course, **data)
    return course


@step(order=78, name="learning")
def build_learning(ctx: DemoContext) -> None:
    if Course.objects.exists():
        ctx.progress("学习教育：已存在，跳过")
        return
    if any(_org(key) is None for key in ("city", *PUBLISHERS)):
        ctx.progress("学习教育：没有组织，跳过")
        return
    now = timezone.now()
    office, kuaidi = _user("zzb"), _user("kuaidi")
    media = _Media(office)
    courses = []
    for spec in COURSES:
        author = kuaidi if spec[0] == "kd" else office
        course = _build(spec, media, author, now)
        services.course_submit(actor=author, course=course)
        # four eyes: the organization department reviews the committees' courses, and the industry
        # committee's login the city's (the system when a login is missing)
        reviewer = office if author is not office else None
        courses.append(services.course_review(actor=reviewer, course=course, approve=True))
    waiting = _build(WAITING, media, kuaidi, now)
    services.course_submit(actor=kuaidi, course=waiting)
    with events.dispatched_together():
        credits = _learn(now)
    ctx.progress(f"学习教育：课程 {len(courses)} 门（另有 1 门待审核），学员完成课时 {credits} 次")


def _learn(now) -> int:
    """Members of the mobile branches learn through the year: each a share of the lessons they may open,
    watched honestly by heartbeats dated on the day; the demo member ``dangyuan`` also has a lesson
    half done."""
    from sanxin.members.models import Member, MemberStatus

    from . import selectors

    rng = random.Random(20261207)
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, person__org__name__contains="流动党员党支部")
        .select_related("person__org")
        .order_by("pk")
    )
    year_start = now.replace(month=1, day=1, hour=8, minute=0, second=0, microsecond=0)
    start = min(year_start, now - dt.timedelta(days=90))
    span = int((now - start).total_seconds()) - 3600
    done = 0
    for m in members:
        lessons = [le for le in _lessons_for(m) if le.kind != L or le.replay_id]
        rng.shuffle(lessons)
        diligence = rng.random()
        count = len(lessons) if diligence > 0.9 else int(len(lessons) * diligence * 0.7)
        for lesson in lessons[:count]:
            done += _complete(m, lesson, start + dt.timedelta(seconds=rng.randint(0, span)))
    demo = Member.objects.filter(person__user__username="dangyuan").first()
    if demo is not None:
        open_lessons = [
            le for le in _lessons_for(demo) if le.kind in (V, AU) and not selectors.progress_of(demo, [le])
        ]
        for lesson in open_lessons[:1]:
            at = now - dt.timedelta(hours=5)
            half = lesson.duration_s / 2
            services.heartbeat(actor=None, member=demo, lesson=lesson, position=0, playing=False, now=at)
            services.heartbeat(
                actor=None, member=demo, lesson=lesson, position=half, now=at + dt.timedelta(seconds=half)
            )
    return done


def _lessons_for(member) -> list[Lesson]:
    from .selectors import _ancestor_paths

    paths = _ancestor_paths(member.person.org.path) if member.person.org_id else []
    return list(
        Lesson.objects.filter(course__status="published", course__publisher__path__in=paths).select_related(
            "course"
        )
    )


def _complete(member, lesson: Lesson, at) -> int:
    """Answer ``lesson``'s question and watch (or read) it honestly from ``at``, a heartbeat a minute at
    most: one credit, on that day."""
    from .models import Credit

    if lesson.question:
        services.answer_submit(actor=None, member=member, lesson=lesson, choice=lesson.answer, now=at)
    services.heartbeat(actor=None, member=member, lesson=lesson, position=0, playing=False, now=at)
    length, position = lesson.duration_s or 0, 0
    while position < length:
        position = min(position + 60, length)
        services.heartbeat(
            actor=None,
            member=member,
            lesson=lesson,
            position=position,
            now=at + dt.timedelta(seconds=position),
        )
    return int(Credit.objects.filter(member=member, lesson=lesson).exists())
