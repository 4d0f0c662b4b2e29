"""Demo quizzes and contests for 新河市: the city committee's bank of 42 questions written for the demo
(党章党规, traffic safety for riders, labour rights and social insurance, first aid), the 课后测验 of four
demo lessons, one finished contest of the city committee — “红骑手”党建知识竞赛, taken by a hundred
members of the mobile branches, ranked, with its certificates — and one contest of the express industry
committee open now. Deterministic (a seeded draw and seeded answers), through the services, so every
paper is marked on the server and every write audited."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from sanxin.core import events
from sanxin.demo.registry import DemoContext, step
from sanxin.orgs.models import Org

from . import services
from .models import Bank, Contest

PARTY, TRAFFIC, LABOUR, AID = "党章党规", "交通安全", "劳动权益", "急救知识"
S, M, J, F = "single", "multiple", "judge", "fill"

# (kind, tag, stem, options, answer, explanation)
QUESTIONS = [
    (S, PARTY, "中国共产党的最高理想和最终目标是（ ）。",
     ["实现共产主义", "全面建成小康社会", "基本实现社会主义现代化", "消除绝对贫困"], "A",
     "党章总纲：党的最高理想和最终目标是实现共产主义。"),
    (S, PARTY, "预备党员的预备期为（ ）。", ["半年", "一年", "两年", "三年"], "B",
     "党章第七条：预备党员的预备期为一年。"),
    (S, PARTY, "凡是有正式党员（ ）人以上的单位，都应当成立党的基层组织。", ["三", "五", "七", "十"], "A",
     "党章第三十条：企业、农村、机关、学校、科研院所、街道社区、社会组织等，凡是有正式党员三人以上的，都应当成立党的基层组织。"),
    (S, PARTY, "按照党费交纳规定，税后月收入在3000元以下（含3000元）的在职党员，每月按（ ）交纳党费。",
     ["0.5%", "1%", "1.5%", "2%"], "A",
     "3000元以下（含）交0.5%，3000元以上至5000元（含）交1%，5000元以上至10000元（含）交1.5%，10000元以上交2%。"),
    (M, PARTY, "下列属于党章规定的党员义务的有（ ）。",
     ["贯彻执行党的基本路线和各项方针、政策", "维护党的团结和统一", "切实开展批评和自我批评",
      "在党的会议上参加关于党的政策问题的讨论"], "ABC",
     "D项是党员的权利（党章第四条），不是义务。"),
    (M, PARTY, "“三会一课”中的“三会”是指（ ）。", ["支部党员大会", "支部委员会", "党小组会", "民主生活会"], "ABC",
     "“三会”指支部党员大会、支部委员会、党小组会，“一课”指党课。民主生活会是党员领导干部的制度。"),
    (J, PARTY, "党员如果没有正当理由，连续六个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为是自行脱党。",
     [], "对", "党章第九条。"),
    (J, PARTY, "预备党员和正式党员一样享有表决权、选举权和被选举权。", [], "错",
     "党章第七条：预备党员的义务同正式党员一样；除了没有表决权、选举权和被选举权以外，也同正式党员一样享有权利。"),
    (J, PARTY, "党员有权向党的上级组织直至中央提出请求、申诉和控告，并要求有关组织给以负责的答复。", [], "对",
     "党章第四条规定的党员权利。"),
    (F, PARTY, "中国共产党党员必须全心全意为人民服务，不惜牺牲个人的一切，为实现（ ）奋斗终身。", [], "共产主义",
     "党章第二条。"),
    (F, PARTY, "党是根据自己的纲领和章程，按照（ ）组织起来的统一整体。", [], "民主集中制",
     "党章第十条：党是根据自己的纲领和章程，按照民主集中制组织起来的统一整体。"),
    (S, TRAFFIC, "驾驶电动自行车在非机动车道内行驶时，最高时速不得超过（ ）。",
     ["15公里", "20公里", "25公里", "30公里"], "A", "《道路交通安全法实施条例》第七十二条。"),
    (S, TRAFFIC, "按照电动自行车安全技术规范（GB 17761—2018），电动自行车的最高设计车速不超过（ ）。",
     ["20 km/h", "25 km/h", "30 km/h", "40 km/h"], "B", "新国标规定最高设计车速不超过25 km/h，超过即应断电。"),
    (S, TRAFFIC, "送餐途中发生交通事故，骑手首先应当（ ）。",
     ["立即停车，保护现场，抢救伤员并报警", "先把餐送到再回来处理", "驾车离开现场", "与对方争吵分清责任"], "A",
     "《道路交通安全法》第七十条：发生交通事故应立即停车，保护现场；造成人身伤亡的，应立即抢救受伤人员并迅速报警。"),
    (S, TRAFFIC, "关于电动自行车电池充电，下列做法正确的是（ ）。",
     ["推车进楼道里充电", "在卧室里过夜充电", "到集中充电点充电，充满及时断电", "换装大容量改装电池提高续航"], "C",
     "楼道、室内充电和改装电池是电动自行车火灾的主要原因。"),
    (S, TRAFFIC, "骑电动自行车通过没有交通信号灯的路口时，应当（ ）。",
     ["加速抢先通过", "减速慢行，注意观察，让行人和优先通行的车辆先行", "鸣喇叭后直接通过", "逆行抄近路"], "B",
     "《道路交通安全法》第四十四条：通过没有交通信号灯的路口应当减速慢行，并让行人和优先通行的车辆先行。"),
    (M, TRAFFIC, "骑手在送单途中，下列做法正确的有（ ）。",
     ["遇红灯停车等候", "边骑车边看手机抢单", "全程佩戴安全头盔", "不逆行、不走机动车道"], "ACD",
     "骑行时看手机会分散注意力，是骑手事故的常见原因。"),
    (M, TRAFFIC, "雨雪天气骑行，应当（ ）。",
     ["降低车速", "与前车保持更大距离", "遇情况急刹车尽快停下", "穿着醒目的雨衣"], "ABD",
     "湿滑路面急刹容易侧滑摔倒，应提前减速、轻刹缓停。"),
    (J, TRAFFIC, "驾驶电动自行车必须年满16周岁。", [], "对", "《道路交通安全法实施条例》第七十二条。"),
    (J, TRAFFIC, "为了避开拥堵，可以骑电动自行车在人行道上行驶。", [], "错", "非机动车不得在人行道上骑行。"),
    (J, TRAFFIC, "骑电动自行车佩戴安全头盔，可以显著降低事故中头部受伤的风险。", [], "对",
     "头部受伤是电动自行车事故致死的主要原因，正确佩戴头盔可大幅降低风险。"),
    (F, TRAFFIC, "全国统一的道路交通事故报警电话是（ ）。", [], "122", "交通事故可拨打122，有人员伤亡同时拨打120。"),
    (S, LABOUR, "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付（ ）的工资。",
     ["一倍", "二倍", "三倍", "无须额外支付"], "B", "《劳动合同法》第八十二条。"),
    (S, LABOUR, "劳动合同期限三个月以上不满一年的，试用期不得超过（ ）。", ["一个月", "二个月", "三个月", "六个月"], "A",
     "《劳动合同法》第十九条。"),
    (S, LABOUR, "遇到被拖欠工资，下列做法中不可取的是（ ）。",
     ["向劳动保障监察机构投诉", "申请劳动争议仲裁", "通过“连心桥”诉求渠道反映", "聚众堵路讨薪"], "D",
     "应依法理性维权；堵路可能违法，反而损害自身权益。"),
    (M, LABOUR, "下列属于我国社会保险的有（ ）。", ["基本养老保险", "基本医疗保险", "工伤保险", "商业意外险"], "ABC",
     "社会保险包括养老、医疗、工伤、失业和生育保险；商业意外险是商业保险。"),
    (M, LABOUR, "新就业形态劳动者可以参加的保障有（ ）。",
     ["以灵活就业人员身份参加基本养老保险", "职业伤害保障（试点地区）", "基本医疗保险", "由平台扣押押金代替保险"],
     "ABC", "扣押押金不是保险，也不符合规定。"),
    (J, LABOUR, "同一用人单位与同一劳动者只能约定一次试用期。", [], "对", "《劳动合同法》第十九条。"),
    (J, LABOUR, "劳动者在试用期内提前三日通知用人单位，可以解除劳动合同。", [], "对", "《劳动合同法》第三十七条。"),
    (J, LABOUR, "劳动争议申请仲裁的时效期间为一年。", [], "对",
     "《劳动争议调解仲裁法》第二十七条；拖欠劳动报酬的争议，劳动关系存续期间不受该时效限制。"),
    (F, LABOUR, "劳动者提前（ ）日以书面形式通知用人单位，可以解除劳动合同。", [], "三十｜30",
     "《劳动合同法》第三十七条。"),
    (F, LABOUR, "全国统一的人力资源和社会保障服务热线是（ ）。", [], "12333", "可咨询社保、就业、劳动关系等问题。"),
    (S, AID, "成人心肺复苏时，胸外按压的频率为每分钟（ ）次。", ["60–80", "80–100", "100–120", "120–140"], "C",
     "按压频率100–120次/分，深度5–6厘米，每次按压后让胸廓充分回弹。"),
    (S, AID, "成人胸外按压的深度为（ ）。", ["2–3厘米", "3–4厘米", "5–6厘米", "7–8厘米"], "C", "过浅无效，过深易造成损伤。"),
    (S, AID, "发现有人中暑，首先应当（ ）。",
     ["让其继续在阳光下休息", "迅速转移到阴凉通风处，松开衣物，补充淡盐水", "大量饮用冰镇饮料", "立即洗冷水澡"], "B",
     "重症中暑（高热、意识不清）应立即拨打120。"),
    (S, AID, "自动体外除颤器的英文缩写是（ ）。", ["ICU", "AED", "CPR", "ECG"], "B",
     "AED 可自动分析心律并提示操作，地铁站、商场等公共场所多有配置。"),
    (M, AID, "遇到外伤出血，正确的做法有（ ）。",
     ["用干净的布或纱布直接压迫伤口止血", "用泥土或草木灰覆盖伤口", "抬高受伤的肢体", "出血多时及时拨打120"], "ACD",
     "泥土、草木灰会引起感染。"),
    (M, AID, "海姆立克急救法适用于（ ）。",
     ["气道异物梗阻", "溺水后心跳停止", "进食时被食物卡住、不能说话和咳嗽", "四肢骨折固定"], "AC",
     "心跳停止应立即进行心肺复苏；海姆立克法用于排出气道异物。"),
    (J, AID, "发现有人倒地，应先确认现场环境安全，再上前施救。", [], "对", "施救者自身安全是第一位的，如在车流中应先示意来车。"),
    (J, AID, "怀疑骨折时，应立即尝试把断骨复位。", [], "错", "应就地固定、避免移动，等待专业人员处理。"),
    (F, AID, "单人心肺复苏时，胸外按压与人工呼吸的比例为（ ）。", [], "30:2｜30比2", "每按压30次，给予2次人工呼吸。"),
    (F, AID, "全国统一的医疗急救电话是（ ）。", [], "120", "说清地点、病人情况和联系电话。"),
]  # fmt: skip

QUIZZES = [  # (lesson title, tag, count)
    ("党员的八项义务", PARTY, 5),
    ("维权的四条途径", LABOUR, 5),
    ("班前五分钟：路口不抢行", TRAFFIC, 5),
    ("胸外按压的要领", AID, 5),
]

FINISHED = "新河市“红骑手”党建知识竞赛"
OPEN = "“安全骑行·守护你我”知识竞赛"
DRAW = {S: 10, M: 5, J: 6, F: 3}
POINTS = {S: 4, M: 6, J: 3, F: 4}  # 40 + 30 + 18 + 12 = 100


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


@step(order=79, name="learning_quiz")
def build_quiz(ctx: DemoContext) -> None:
    from sanxin.learning.models import Lesson

    if Bank.objects.exists():
        ctx.progress("知识竞赛：已存在，跳过")
        return
    city = Org.objects.filter(depth=1).order_by("path").first()
    kd = Org.objects.filter(name="中共新河市快递外卖行业委员会").order_by("path").first()
    if city is None:
        ctx.progress("知识竞赛：没有组织，跳过")
        return
    office = _user("zzb")
    bank = services.bank_create(
        actor=office, owner=city, name="新就业群体党员应知应会题库",
        description="党章党规、交通安全、劳动权益与社保、急救知识",
    )  # fmt: skip
    for kind, tag, stem, options, answer, explanation in QUESTIONS:
        services.question_add(
            actor=office, bank=bank, kind=kind, stem=stem, options=options, answer=answer,
            explanation=explanation, tags=[tag],
        )  # fmt: skip
    quizzes = 0
    for title, tag, count in QUIZZES:
        lesson = Lesson.objects.filter(title=title, course__status="published").first()
        if lesson is not None:
            services.quiz_set(actor=office, lesson=lesson, bank=bank, count=count, pass_percent=60, tag=tag)
            quizzes += 1
    now = timezone.now()
    with events.dispatched_together():
        papers = _finished_contest(city, bank, office, now)
    opened = 0
    if kd is not None:
        _open_contest(kd, bank, _user("kuaidi") or office, now)
        opened = 1
    ctx.progress(
        f"知识竞赛：题库 {len(QUESTIONS)} 题，课后测验 {quizzes} 个，竞赛 {1 + opened} 场"
        f"（已结束的一场 {papers} 份答卷）"
    )


def _finished_contest(city: Org, bank: Bank, office, now) -> int:
    from sanxin.members.models import Member, MemberStatus

    opens = (now - dt.timedelta(days=20)).replace(hour=8, minute=0, second=0, microsecond=0)
    closes = opens + dt.timedelta(days=14)
    contest = services.contest_create(
        actor=office, organiser=city, bank=bank, title=FINISHED,
        description="面向全市新就业群体党员，每人随机抽题，限时20分钟，每人一次机会。前10名颁发获奖证书，60分及以上颁发参赛证书。",
        opens_at=opens, closes_at=closes, time_limit_s=20 * 60, draw=DRAW, points=POINTS, pass_score=60,
        award_top=10,
    )  # fmt: skip
    services.contest_publish(actor=office, contest=contest, now=opens - dt.timedelta(days=3))
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, person__org__name__contains="流动党员党支部")
        .select_related("person__org")
        .order_by("pk")
    )
    rng = random.Random(20260701)
    takers = rng.sample(members, min(100, len(members)))
    papers = 0
    for member in sorted(takers, key=lambda m: m.pk):
        start = opens + dt.timedelta(seconds=rng.randint(3600, int((closes - opens).total_seconds()) - 3600))
        attempt = services.contest_start(actor=None, contest=contest, member=member, now=start, rng=rng)
        papers += 1
        if rng.random() < 0.04:  # closed the page and never came back: expired without a score
            continue
        skill = rng.uniform(0.45, 0.97)
        answers = {}
        for i, q in enumerate(attempt.questions):
            key = attempt.key[i]["answer"]
            if rng.random() < skill:
                answers[q["id"]] = key[:1] if q["kind"] == F else key
            elif q["kind"] in (S, M):
                answers[q["id"]] = [rng.choice("ABCD"[: len(q["options"])])]
            elif q["kind"] == J:
                answers[q["id"]] = "错" if key == ["对"] else "对"
            else:
                answers[q["id"]] = "不清楚"
        used = rng.randint(280, 1150)
        services.attempt_submit(
            actor=None,
            attempt=attempt,
            member=member,
            answers=answers,
            now=start + dt.timedelta(seconds=used),
        )
    services.certificates_issue(actor=office, contest=contest, now=closes + dt.timedelta(days=1))
    return papers


def _open_contest(kd: Org, bank: Bank, author, now) -> Contest:
    opens = (now - dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    contest = services.contest_create(
        actor=author, organiser=kd, bank=bank, title=OPEN,
        description="快递外卖行业党委主办：交通安全与急救常识，限时15分钟，每人一次机会。",
        opens_at=opens, closes_at=opens + dt.timedelta(days=15), time_limit_s=15 * 60,
        draw={S: 5, M: 3, J: 4, F: 2}, points={S: 5, M: 10, J: 5, F: 10}, pass_score=60, award_top=3,
    )  # fmt: skip
    services.contest_publish(actor=None, contest=contest, now=opens - dt.timedelta(hours=1))
    return contest
