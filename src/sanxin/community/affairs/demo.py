"""The demo of community affairs, through the services (real audit rows, notifications, 公示 and events):

- 党务公开: notices in each demo branch (主题党日 arrangements, the quarter's 党费 collection, a branch
  meeting's decision) and in the industry committees and the city; in 蜂行快送城关站 branch (``shuji``) a
  发展党员公示 whose objection period is running with one objection waiting, a 评选结果 公示 that ended
  without objection, and a withdrawn notice; members' read receipts spread over them;
- 协商议事: in 蜂行快送城关站 branch the consultation in progress on 派单算法与高温天休息 with the
  enterprise, the riders' representatives, the union and the party org — one offline meeting held with
  minutes and attendance, the workers' opinions, the agreement and follow-ups (one done, one overdue,
  one due later); a committee's consultation proposed with an online meeting (云议事) next week; a closed
  one in another branch;
- 示范岗 and 责任区 in the demo branches with deeds over the last weeks, one post having changed holder.

All names and texts are invented; the random choices are seeded."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from sanxin.accounts.models import Grant
from sanxin.core import notices as core_notices
from sanxin.demo.registry import DemoContext, step
from sanxin.members.models import Member
from sanxin.orgs.models import Org, Person

from . import services
from .models import AffairsNotice, Consultation, Designation

BRANCH_NOTICES = [
    (
        "notice",
        "关于本月主题党日活动安排的通知",
        "本月主题党日定于第三个周六上午九点举行，地点在就近的党群服务驿站。内容：重温入党誓词、学习新就业群体权益保障相关规定、"
        "交流跑单中的安全经验。跑单的同志可错峰到场，签到二维码现场扫描。不能参加的同志请提前向支部书记请假。",
        20,
    ),
    (
        "dues",
        "第三季度党费收缴情况公开",
        "本支部第三季度应交党费党员全部按时足额交纳。按照党费收缴使用管理规定，现将收缴情况公开如下：应交人数、实交人数、"
        "收缴金额已在附表中列明，党费已全额上缴上级党委。对收缴情况有疑问的同志，可向支部书记或组织委员询问。",
        40,
    ),
    (
        "decision",
        "支部党员大会决议：设立党员示范岗和责任区",
        "经支部党员大会讨论通过：在驿站设立党员示范岗，在主要配送片区划分党员责任区，由党员骑手亮身份、作表率，"
        "帮助新骑手熟悉路线、劝导文明骑行、反映骑手诉求。示范岗和责任区名单在本页面公开，欢迎大家监督。",
        55,
    ),
]

COMMITTEE_NOTICES = [
    (
        "decision",
        "关于开展“夏季送清凉”关爱新就业群体活动的决定",
        "经党委会研究决定，七月至九月在全行业开展“夏季送清凉”活动：各驿站延长开放时间，备齐饮用水、防暑药品；"
        "各支部结合实际组织党员志愿服务。请各党组织认真落实，活动情况按月报送。",
        30,
    ),
    (
        "other",
        "新就业群体党员“亮身份”工作情况通报",
        "上半年，各支部党员骑手、快递员、货车司机主动亮明党员身份，佩戴党员徽章、车辆张贴党员标识。现将各支部工作情况予以通报，"
        "请进展较慢的支部抓紧落实。",
        12,
    ),
]

POSTS = [
    ("驿站党员示范岗", "城关暖蜂驿站", "亮身份、作表率：帮助新骑手熟悉路线，协助驿站做好饮水、充电服务"),
    ("安全骑行党员示范岗", "解放路与人民路交叉口", "带头遵守交通规则，劝导不戴头盔、逆行等不安全行为"),
]
AREAS = [
    (
        "解放路片区党员责任区",
        "城关街道解放路、人民路、建设路三条街及沿线小区",
        "收集骑手诉求，协调小区进出和停车问题",
    ),
    ("滨江片区党员责任区", "滨江街道江滨路至新河大桥沿线", "巡查片区积水、施工路段，在骑手群里及时提醒"),
]
DEEDS = [
    "带两位新骑手熟悉片区路线，讲解几个小区的进出规矩。",
    "暴雨天在驿站值守，借出雨衣八件，帮三位骑手处理电瓶进水。",
    "劝导片区内三名骑手戴好头盔，提醒逆行风险。",
    "协调锦绣花园物业在东门设置外卖临时停车点。",
    "在骑手群里发布施工路段绕行提醒，当天无人误入。",
    "为一名中暑的骑手送水送药，陪同到驿站休息。",
    "参加驿站“午间一刻钟”学习，并带动五名骑手一起学。",
]


def _members(org: Org) -> list[Person]:
    return [
        m.person
        for m in Member.objects.filter(person__org=org, person__user__isnull=False, status="active")
        .select_related("person__user")
        .order_by("pk")
    ]


def _grant_org(username: str) -> Org | None:
    g = Grant.objects.filter(user__username=username, anchor="org").select_related("org").first()
    return g.org if g else None


def _secretary(org: Org):
    g = (
        Grant.objects.filter(role="branch_secretary", anchor="org", org=org)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return g.user if g else None


@step(order=91, name="community_affairs")
def build_affairs(ctx: DemoContext) -> None:
    """After the community step (the members have accounts)."""
    if AffairsNotice.objects.exists():
        return
    m1 = _grant_org("shuji")
    if m1 is None:
        return
    rng = random.Random(20261207)
    today = timezone.localdate()
    branches = [
        org
        for org in Org.objects.filter(org_type__in=["mobile_branch", "branch"], status="active").order_by(
            "path"
        )
        if len(_members(org)) >= 3
    ][:12]
    if m1 not in branches:
        branches.insert(0, m1)
    for org in branches:
        _notices(org, _secretary(org), rng, today)
    committees = [o for o in (_grant_org("kuaidi"), _grant_org("jiaotong"), _grant_org("wanghong")) if o]
    for org in committees:
        for kind, title, body, days in COMMITTEE_NOTICES:
            services.notice_publish(
                actor=None, org=org, kind=kind, title=title, body=body,
                published_on=today - dt.timedelta(days=days + rng.randint(0, 5)),
            )  # fmt: skip
    city = _grant_org("zzb")
    if city is not None:
        services.notice_publish(
            actor=None, org=city, kind="notice", title="关于做好新就业群体高温天气劳动保护工作的通知",
            body="入夏以来持续高温，请各级党组织会同行业主管部门、工会，督促平台企业落实高温津贴、调整午间派单，"
            "各党群服务驿站全天开放饮水、休息点。", published_on=today - dt.timedelta(days=8), pinned=True,
        )  # fmt: skip
    _m1_notices(m1, rng, today)
    _read_receipts(branches, rng)
    ctx.progress(
        f"党务公开：{AffairsNotice.objects.count()} 条（公示 {AffairsNotice.objects.filter(public_notice__isnull=False).count()} 条）"
    )
    _consultations(m1, branches, committees, rng, today)
    ctx.progress(f"协商议事：{Consultation.objects.count()} 项")
    _designations(branches, m1, rng, today)
    ctx.progress(f"示范岗与责任区：{Designation.objects.count()} 个")


def _notices(org: Org, secretary, rng: random.Random, today: dt.date) -> None:
    for kind, title, body, days in BRANCH_NOTICES:
        services.notice_publish(
            actor=secretary, org=org, kind=kind, title=title, body=body,
            published_on=today - dt.timedelta(days=days + rng.randint(0, 6)), pinned=kind == "notice",
        )  # fmt: skip


def _m1_notices(m1: Org, rng: random.Random, today: dt.date) -> None:
    shuji = _secretary(m1)
    people = _members(m1)
    if len(people) < 4:
        return
    candidate = people[-1]
    running = services.notice_publish(
        actor=shuji, org=m1, kind="development", window_days=5,
        title=f"发展对象公示：{candidate.name}同志",
        body=f"经支部委员会研究、征求党员和群众意见，拟将{candidate.name}同志列为发展对象。现予公示，公示期五个工作日。"
        "对公示对象有意见的，可在公示期内通过本页面实名或匿名反映，支部将认真核实。",
    )  # fmt: skip
    services.notice_read(user=people[1].user, notice=running)
    services.notice_object(
        actor=people[1].user, notice=running, reason="该同志上个月两次主题党日都没有参加，也没有请假。"
    )
    ended = services.notice_publish(
        actor=shuji, org=m1, kind="selection", window_days=5, published_on=today - dt.timedelta(days=30),
        title="“最美红骑手”支部推荐人选评选结果公示",
        body=f"经支部党员大会投票，推荐{people[2].name}同志为“最美红骑手”候选人。现予公示五个工作日。",
    )  # fmt: skip
    core_notices.notice_close(actor=None, notice=ended.public_notice)
    wrong = services.notice_publish(
        actor=shuji, org=m1, kind="notice", published_on=today - dt.timedelta(days=6),
        title="关于调整支部委员分工的通知", body="根据工作需要，支部委员分工调整如下：组织委员负责党费收缴，宣传委员负责驿站学习。",
    )  # fmt: skip
    services.notice_withdraw(
        actor=shuji, notice=wrong, reason="分工尚未经支委会研究，先行撤回，研究后重新公开"
    )


def _read_receipts(branches: list[Org], rng: random.Random) -> None:
    for org in branches:
        people = _members(org)
        for n in AffairsNotice.objects.filter(org=org, withdrawn=False).order_by("pk"):
            for p in rng.sample(people, k=rng.randint(len(people) // 3, max(len(people) * 4 // 5, 1))):
                services.notice_read(user=p.user, notice=n)


def _enterprise(name_part: str, actor):
    from sanxin.core.scope import scope_for
    from sanxin.registry.models import Organization

    qs = Organization.objects.filter(name__contains=name_part).order_by("pk")
    if actor is not None:
        mine = scope_for(actor, "community", "affairs").filter(qs).first()
        if mine is not None:
            return mine, actor
    return qs.first(), None


def _consultations(m1: Org, branches: list[Org], committees: list[Org], rng: random.Random, today) -> None:
    shuji = _secretary(m1)
    people = _members(m1)
    if len(people) < 6:
        return
    enterprise, actor = _enterprise("蜂行快送城关", shuji)
    if enterprise is None:
        enterprise, actor = _enterprise("蜂行快送", shuji)
    rep = people[3]
    c = services.consultation_create(
        actor=actor, org=m1, enterprise=enterprise, topic="派单算法与高温天休息",
        background="入夏以来城关片区午间气温多次超过三十七度。骑手反映：午间派单间隔短、超远单多，"
        "系统预计送达时间没有考虑高温和积水路段，超时扣款多；驿站午休位置不够。支部收集意见后，提请平台、工会共同协商。",
        parties=[
            ("enterprise", "蜂行快送城关站站长 周立新", None),
            ("workers", f"骑手代表 {rep.name}", rep.user_id),
            ("workers", f"骑手代表 {people[4].name}", people[4].user_id),
            ("union", "城关街道快递行业工会联合会", None),
            ("party", m1.name, None),
        ],
    )  # fmt: skip
    for p, text in zip(
        people[-4:],
        [
            "中午十二点到两点能不能少派三公里以上的远单。",
            "下暴雨积水的时候，系统的送达时间应该自动放宽。",
            "驿站午休的椅子不够，希望再加几张折叠床。",
            "高温津贴希望按天发放，写进骑手协议里。",
        ],
        strict=False,
    ):
        services.opinion_submit(actor=p.user, consultation=c, text=text)
    services.meeting_add(
        actor=actor or shuji, consultation=c, held_at=timezone.now() - dt.timedelta(days=12, hours=3),
        mode="offline", place="城关暖蜂驿站二楼会议室",
        minutes="会议由支部书记主持。企业方介绍了现行派单规则；骑手代表反映午间远单多、积水路段超时扣款问题；工会提出"
        "高温津贴按天发放的建议。经协商：一、高温橙色预警时段，城关片区暂停派发五公里以上订单；二、积水路段由骑手在应用内"
        "报备后，送达时限自动延长十五分钟，不计超时；三、站点在驿站增设午休床位十张。",
        attended_ids=list(c.parties.values_list("pk", flat=True)),
    )  # fmt: skip
    services.consultation_advance(
        actor=actor or shuji, consultation=c, to="agreed",
        outcome="一、高温橙色及以上预警时段，城关片区暂停派发五公里以上订单；二、积水路段报备后送达时限延长十五分钟，不计超时；"
        "三、驿站增设午休床位十张；四、高温津贴按天核发，由工会跟踪落实。",
    )  # fmt: skip
    f1 = services.followup_add(
        actor=actor or shuji, consultation=c, what="上线高温时段远单暂停规则", who="蜂行快送城关站",
        due_on=today - dt.timedelta(days=5),
    )  # fmt: skip
    services.followup_done(
        actor=actor or shuji, consultation=c, followup_id=f1.pk, note="规则已上线，骑手应用已推送说明。",
        done_on=today - dt.timedelta(days=6),
    )  # fmt: skip
    services.followup_add(
        actor=actor or shuji, consultation=c, what="驿站增设午休床位十张", who="蜂行快送城关站",
        due_on=today - dt.timedelta(days=2),
    )  # fmt: skip
    services.followup_add(
        actor=actor or shuji, consultation=c, what="高温津贴按天核发情况核查", who="城关街道快递行业工会联合会",
        due_on=today + dt.timedelta(days=18),
    )  # fmt: skip
    services.consultation_advance(actor=actor or shuji, consultation=c, to="following")
    # a committee's consultation proposed, its online meeting next week
    if committees:
        kd = committees[0]
        p = services.consultation_create(
            actor=None, org=kd, topic="快递员末端派费与休息日安排",
            background="多个站点快递员反映末端派费下调、旺季连续上班无休。行业党委拟组织企业、工会和快递员代表协商。",
            parties=[("enterprise", "新河市快递协会", None), ("union", "市快递行业工会", None),
                     ("workers", "快递员代表（各站推选）", None), ("party", kd.name, None)],
        )  # fmt: skip
        services.meeting_add(
            actor=None, consultation=p, held_at=timezone.now() + dt.timedelta(days=6), mode="online",
            link="https://meeting.example.cn/yiyishi/2026-kd-01",
        )  # fmt: skip
    # a closed consultation in another branch
    other = next((b for b in branches if b != m1 and len(_members(b)) >= 3), None)
    if other is not None:
        sec = _secretary(other)
        closed = services.consultation_create(
            actor=sec, org=other, topic="恶劣天气配送超时免责",
            background="雨雪冰冻天气下，骑手因路况超时被扣款、差评，希望平台明确恶劣天气免责规则。",
            parties=[("enterprise", "站点负责人", None), ("workers", "骑手代表", None), ("union", "街道工会", None),
                     ("party", other.name, None)],
        )  # fmt: skip
        services.meeting_add(
            actor=sec, consultation=closed, held_at=timezone.now() - dt.timedelta(days=70), mode="online",
            link="https://meeting.example.cn/yiyishi/2026-07", minutes="三方同意：气象部门发布黄色及以上预警时，超时不扣款、差评不计入考核。",
            attended_ids=list(closed.parties.values_list("pk", flat=True)),
        )  # fmt: skip
        services.consultation_advance(
            actor=sec, consultation=closed, to="agreed",
            outcome="气象部门发布黄色及以上预警期间，订单超时不扣款，差评不计入骑手考核；平台在应用内标注恶劣天气时段。",
        )  # fmt: skip
        f = services.followup_add(
            actor=sec, consultation=closed, what="平台更新骑手服务协议相关条款", who="站点负责人",
            due_on=today - dt.timedelta(days=40),
        )  # fmt: skip
        services.followup_done(
            actor=sec, consultation=closed, followup_id=f.pk, note="协议已更新并在应用内公示。",
            done_on=today - dt.timedelta(days=45),
        )  # fmt: skip
        services.consultation_advance(actor=sec, consultation=closed, to="closed")


def _designations(branches: list[Org], m1: Org, rng: random.Random, today: dt.date) -> None:
    for b_i, org in enumerate(branches[:8]):
        people = _members(org)
        if len(people) < 4:
            continue
        sec = _secretary(org)
        picks = rng.sample(people, k=4)
        made = []
        for (name, place, stands), person in zip(
            [POSTS[b_i % len(POSTS)], AREAS[b_i % len(AREAS)]], picks[:2], strict=True
        ):
            kind = "post" if name.endswith("示范岗") else "area"
            start = today - dt.timedelta(days=rng.randint(60, 200))
            made.append(
                services.designation_create(
                    actor=sec,
                    org=org,
                    kind=kind,
                    name=name,
                    place=place,
                    stands_for=stands,
                    person=person,
                    start_on=start,
                )
            )
        if org == m1:  # a change of holder: the history keeps the first
            services.designation_assign(
                actor=sec, designation=made[0], person=picks[2], start_on=today - dt.timedelta(days=25)
            )
        for d in made:
            holder = d.holdings.filter(end_on__isnull=True).select_related("person").first()
            for k in range(rng.randint(2, 4)):
                done_on = today - dt.timedelta(days=rng.randint(1, 24))
                if done_on < holder.start_on:
                    continue
                services.deed_record(
                    actor=holder.person.user if k % 2 == 0 else sec, designation=d, done_on=done_on,
                    text=DEEDS[(b_i + k) % len(DEEDS)],
                )  # fmt: skip
