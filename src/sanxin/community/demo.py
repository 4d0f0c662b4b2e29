"""The community part of the 新河市 demo, through the services (so notifications, audit rows and the
adoption event are real): a board for each branch whose members have accounts, for the three industry
committees and for the whole city; threads about riders' and drivers' working days and party life with
replies, mentions and likes, spread over the last weeks; the city's word list and one post held for
review by it; a pinned and a locked thread; letters to the secretary's mailbox (one anonymous, one
overdue, some replied); suggestions in every state (waiting with seconds, answered, adopted, not
adopted, forwarded). A forum moderator login (``banzhu``) over the whole city. All names are invented."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from sanxin.accounts.matrix import Role
from sanxin.accounts.models import Grant
from sanxin.accounts.services import grant_create
from sanxin.demo.builtin import ensure_user
from sanxin.demo.registry import DemoContext, register_login, step
from sanxin.members.models import Member
from sanxin.orgs.models import Org

from . import services
from .models import Board, Letter, Post, Suggestion, Thread

register_login("banzhu", "论坛版主（全市党员论坛）")

WORDS = ["刷单返利", "抢单外挂", "出租骑手账号", "网络赌博", "高息网贷", "代考驾照"]

# (title, first post, replies); "{name}" in a reply becomes another member's name (a mention).
THREADS = [
    (
        "暴雨天送单，大家注意安全",
        "今天下午雷阵雨，城关一带好几个路口积水到脚踝。宁可超时也别抢那几分钟，电动车进水了先别急着通电。",
        [
            "收到！城关驿站有雨衣可以借，出门前去拿一件。",
            "积水路段我绕了两公里，平台那边超时申诉已经通过了。",
            "@{name} 你上次说的那个地下通道今天又淹了，别走。",
        ],
    ),
    (
        "午间一刻钟：今天学的是急救知识",
        "中午在驿站看了十五分钟的心肺复苏课，按压深度五到六厘米，每分钟一百到一百二十次。大家有空也学学，说不定哪天就用上了。",
        ["我也看了，课后题第二题一开始选错了。", "建议支部组织一次线下实操，驿站有假人模型就更好了。"],
    ),
    (
        "电瓶续航不够的，来交流一下",
        "晚高峰跑到八点多电就不够了，有没有换电柜比较多的地方推荐？",
        [
            "河东那边加油站旁边新装了换电柜，排队不长。",
            "城关驿站可以充电，就是插座只有六个，得早点去。",
            "我买了第二块电池轮换，一天跑下来刚好。",
        ],
    ),
    (
        "本月主题党日：走进老党员家中",
        "这个月的主题党日安排在周六上午，去看望咱们支部的老党员陈师傅，听他讲当年跑运输的故事。跑单的同志可以错峰来，签到二维码现场扫。",
        [
            "报名！我上午送完早餐单就过去。",
            "能带孩子一起去吗？想让他也听听。",
            "@{name} 记得带上上次的慰问品清单。",
        ],
    ),
    (
        "小区不让电动车进，送餐太难了",
        "锦绣花园物业不让外卖电动车进，每单都要走七八百米，超时罚款谁来出？",
        ["上周已经通过诉求反映了，街道说在协调。", "可以先把车停在东门的临时停车点，物业说那里可以放。"],
    ),
    (
        "分享一下我的学习心得",
        "这周学了《新就业群体权益保障》那一课，才知道平台调整派单规则要听取劳动者意见。以后遇到不合理的规则，可以通过支部和工会反映。",
        ["讲得好，这课我也推荐给站里的兄弟了。", "学习积分能换书，我上个月换了一本《平凡的世界》。"],
    ),
    (
        "跑长途的师傅们，服务区哪家热水最方便？",
        "这周跑新河到省城，驾驶员驿站的热水和微波炉太方便了，晚上还能洗个热水澡。大家还知道哪些好的驿站？",
        ["港区那个驾驶员驿站有免费体检，每月第一个周三。", "物流园驿站晚上十点以后也开，停车位多。"],
    ),
    (
        "新来的骑手师傅，怎么找到组织？",
        "站里新来了一位师傅，说老家是党员，组织关系还在村里。该怎么帮他接上组织关系？",
        [
            "让他在平台上申请组织关系转接，我们支部可以接收。",
            "先让他到流动党员党支部报到，办流动党员活动证。",
        ],
    ),
    (
        "周末志愿服务：驿站值守报名",
        "本周六周日城关暖蜂驿站需要志愿值守，每班两小时，帮忙给路过的师傅倒热水、登记到站。",
        ["周六下午我可以。", "周日上午算我一个，顺便把驿站的药箱整理一下。"],
    ),
    (
        "夜班送单，安全第一",
        "最近晚上十点以后单子多，但是路灯坏的路段也多。大家夜里骑车一定打开车灯，穿反光背心。",
        ["反光背心支部还有几件，找书记领。", "河东大桥下面那段路灯修好了。"],
    ),
]

LETTERS = [
    # (subject, body, anonymous, days ago, reply or None)
    (
        "站点排班不公平",
        "我们站这两个月的早班一直排给固定几个人，新来的师傅总是被排到深夜班。不想实名，怕站长知道是我反映的，希望书记能了解一下。",
        True,
        2,
        None,
    ),
    (
        "雨天补贴迟迟没发",
        "上个月下了十几天雨，平台说好的雨天补贴到现在还没到账，问了站长说在走流程。能不能帮忙问问平台？",
        False,
        12,
        None,
    ),
    (
        "想申请入党，该准备什么",
        "我在站里干了三年了，看到支部的同志们帮了很多人，我也想申请入党。请问需要写什么材料，交给谁？",
        False,
        9,
        "欢迎！先写一份入党申请书交给支部，下周四晚上支部活动时我当面跟你聊，也可以先看看学习教育里的《入党须知》。",
    ),
    (
        "家里老人住院，想请几天假",
        "家里老人住院了，这个月的主题党日可能去不了，能不能线上补学？另外想问问有没有困难帮扶。",
        True,
        5,
        "已收到，家里的事要紧。主题党日可以在平台上补学。困难帮扶的事，我会请联络员跟你联系（你可以在回信里留下方便的时间）。",
    ),
]

SUGGESTIONS = [
    # (title, body, category, outcome, text)
    (
        "在城关驿站增设电池充电柜",
        "晚高峰很多骑手电池不够用，城关驿站只有六个插座，建议增设一台换电柜或充电柜。",
        "service",
        "adopt",
        "采纳。已与驿站所在的加油站商定，下月安装两台充电柜，费用由行业党委协调解决。",
    ),
    (
        "支部活动时间改到晚上九点后",
        "白天送单高峰走不开，建议支部的线下活动放在晚上九点以后，或者周二下午单量少的时候。",
        "organization",
        "answer",
        "收到。下个月起主题党日分两场：周二下午一场、周六晚上一场，大家任选。",
    ),
    (
        "学习课程加一些电动车维修的内容",
        "很多师傅车坏在路上不会修，建议技能培训里加一些电动车简单维修的课程。",
        "learning",
        "submitted",
        "",
    ),
    (
        "给每个骑手发一张驿站地图",
        "很多新来的师傅不知道附近哪里有驿站，建议做一张纸质地图贴在站点。",
        "service",
        "reject",
        "驿站位置已经可以在平台“附近驿站”里实时查找，纸质地图更新不及时，暂不印制；我们会在站点张贴二维码。",
    ),
    (
        "协调小区统一外卖停车点",
        "很多小区不让电动车进，建议街道和物业协调，每个小区设一个外卖停车点。",
        "rights",
        "forward",
        "涉及多个小区和物业，需要行业党委和街道协调，转交行业党委。",
    ),
]


def _branch_members(org: Org) -> list:
    return [
        m.person.user
        for m in Member.objects.filter(person__org=org, person__user__isnull=False, status="active")
        .select_related("person__user")
        .order_by("pk")
    ]


def _org_of(username: str) -> Org | None:
    g = Grant.objects.filter(user__username=username, anchor="org").select_related("org").first()
    return g.org if g else None


def _backdate(thread: Thread, when: dt.datetime, step_minutes: int) -> None:
    for i, post in enumerate(thread.posts.order_by("pk")):
        Post.objects.filter(pk=post.pk).update(created_at=when + dt.timedelta(minutes=step_minutes * i))
    last = when + dt.timedelta(minutes=step_minutes * max(thread.posts.count() - 1, 0))
    Thread.objects.filter(pk=thread.pk).update(created_at=when, last_post_at=last)


@step(order=88, name="community")
def build_community(ctx: DemoContext) -> None:
    """After the members have their accounts (the appeals step)."""
    if Board.objects.exists():
        return
    city, kd, m1 = _org_of("zzb"), _org_of("kuaidi"), _org_of("shuji")
    if city is None or m1 is None:
        return
    rng = random.Random(20261208)
    moderator, _ = ensure_user("banzhu", display_name="全市党员论坛版主·许敏")
    if not moderator.grants.exists():
        grant_create(
            actor=None, user=moderator, role=Role.MODERATOR, org=city, valid_from=dt.date(2020, 1, 1)
        )
    services.words_add(actor=None, org=city, words=WORDS, note="全市通用词表")
    boards = [
        services.board_create(
            actor=None, org=city, name="新河市党员论坛", description="全市新就业群体党员的交流园地"
        )
    ]
    for key in ("kuaidi", "jiaotong", "wanghong"):
        org = _org_of(key)
        if org is not None:
            boards.append(services.board_create(actor=None, org=org, name=f"{org.name}论坛"))
    branches = [
        org
        for org in Org.objects.filter(org_type__in=["mobile_branch", "branch"], status="active").order_by(
            "path"
        )
        if len(_branch_members(org)) >= 3
    ]
    now = timezone.now()
    threads = 0
    for b_i, org in enumerate(branches):
        board = services.board_create(
            actor=None, org=org, name="支部交流区", description=f"{org.name}党员交流"
        )
        people = _branch_members(org)
        for t_i in range(3):
            title, body, replies = THREADS[(b_i * 3 + t_i) % len(THREADS)]
            author = people[(t_i * 5) % len(people)]
            if org == m1 and t_i == 0:
                dangyuan = next((u for u in people if u.username == "dangyuan"), None)
                author = dangyuan or author
            thread = services.thread_create(actor=author, board=board, title=title, body=body)
            for r_i, text in enumerate(replies):
                writer = people[(t_i * 5 + r_i + 1) % len(people)]
                other = people[(t_i * 5 + r_i + 2) % len(people)]
                services.reply_create(
                    actor=writer,
                    thread=thread,
                    body=text.replace("{name}", getattr(other.person, "name", "")),
                )
            for liker in rng.sample(people, k=min(len(people), rng.randint(1, 6))):
                if liker.pk != author.pk:
                    services.post_like(actor=liker, post=thread.posts.get(first=True))
            _backdate(
                thread,
                now - dt.timedelta(days=rng.randint(1, 28), hours=rng.randint(0, 10)),
                rng.randint(7, 90),
            )
            threads += 1
    # m1: the secretary's pinned notice, an old locked thread, a post held by the word list
    shuji = _org_user("shuji")
    board_m1 = Board.objects.filter(org=m1).first()
    if board_m1 is not None and shuji is not None:
        notice = services.thread_create(
            actor=shuji, board=board_m1, title="【置顶】本月组织生活安排和学习要求",
            body="本月主题党日定在第三个周六上午，地点城关暖蜂驿站；党员大会本季度最后一次，请大家安排好时间。学习教育本年度要求32学时，还差的同志抓紧。",
        )  # fmt: skip
        services.thread_set(actor=shuji, thread=notice, pinned=True)
        old = Thread.objects.filter(board=board_m1).exclude(pk=notice.pk).order_by("created_at").first()
        if old is not None:
            services.thread_set(actor=shuji, thread=old, locked=True)
        people = _branch_members(m1)
        services.thread_create(
            actor=people[-1], board=board_m1, title="有人收骑手账号吗",
            body="有个老乡说可以出租骑手账号，一个月给八百，靠谱吗？大家有没有遇到过？",
        )  # held: 出租骑手账号  # fmt: skip
    ctx.progress(
        f"党员论坛：{len(boards) + len(branches)} 个版块，{threads + 2} 个主题，待审核 {Post.objects.filter(status='held').count()} 条"
    )
    _letters(m1, kd, now)
    _suggestions(branches, m1, kd, rng)
    ctx.progress(f"书记信箱：{Letter.objects.count()} 封来信；建言献策：{Suggestion.objects.count()} 条")


def _org_user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _letters(m1: Org, kd: Org | None, now) -> None:
    people = _branch_members(m1)
    shuji = _org_user("shuji")
    if len(people) < 4:
        return
    for i, (subject, body, anonymous, days, reply) in enumerate(LETTERS):
        letter = services.letter_send(
            actor=people[i + 1], org=m1, subject=subject, body=body, anonymous=anonymous
        )
        sent = now - dt.timedelta(days=days, hours=i)
        Letter.objects.filter(pk=letter.pk).update(sent_at=sent, waiting_since=sent)
        if reply and shuji is not None:
            services.letter_open(actor=shuji, letter=letter)
            services.letter_reply(actor=shuji, letter=letter, body=reply)
    if kd is not None:
        services.letter_send(
            actor=people[-2], org=kd, subject="建议行业党委关心一下夜班骑手",
            body="夜班骑手很多是兼职的年轻人，对平台规则不熟悉，遇到纠纷不知道找谁。建议行业党委在驿站设一个夜间咨询点。",
        )  # fmt: skip


def _suggestions(branches: list[Org], m1: Org, kd: Org | None, rng: random.Random) -> None:
    shuji = _org_user("shuji")
    kuaidi = _org_user("kuaidi")
    people = _branch_members(m1)
    for i, (title, body, category, outcome, text) in enumerate(SUGGESTIONS):
        author = people[(i * 3 + 2) % len(people)]
        s = services.suggestion_propose(actor=author, org=m1, title=title, body=body, category=category)
        for seconder in rng.sample(people, k=min(len(people), rng.randint(2, 9))):
            if seconder.pk != author.pk:
                services.suggestion_second(actor=seconder, suggestion=s)
        if outcome in ("adopt", "answer", "reject"):
            services.suggestion_decide(actor=shuji, suggestion=s, action=outcome, text=text)
        elif outcome == "forward" and kd is not None:
            services.suggestion_forward(actor=shuji, suggestion=s, to_org=kd, note=text)
            services.suggestion_decide(
                actor=kuaidi, suggestion=s, action="answer",
                text="已收到，下周与城关街道、几家物业公司开协调会，结果会在这里答复。",
            )  # fmt: skip
    # other branches: one waiting suggestion each, so every branch's list has something of its own
    for org in branches[1:6]:
        members = _branch_members(org)
        if org == m1 or len(members) < 2:
            continue
        s = services.suggestion_propose(
            actor=members[0], org=org, title="支部学习资料做成语音版",
            body="跑单时看不了文字，建议把支部的学习资料做成语音，边骑车边听（注意安全，等红灯时听）。", category="learning",
        )  # fmt: skip
        services.suggestion_second(actor=members[1], suggestion=s)
