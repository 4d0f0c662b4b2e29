"""Demo points: each industry committee's 积分细则 from seed 004's five categories (党的生活, 学习培训,
志愿服务, 基层治理, 工作好评; 基础分 + 先锋分), a first version from thirteen months ago and a second
from three months ago (the volunteer item raised); the automatic credits of the demo's meetings
(attendance, make-up, absence without leave, lectures) applied through the one subscriber; a year of
claims through the services in every state (most credited after their 公示, some rejected, returned,
withdrawn, one objected to and settled, some still waiting at each step); the partners' catalogue
(阅读, 诊疗, 文旅, 托幼, 学历提升) with purchases, redemptions, a cancellation and an expiry; and the
partner login ``shudian`` (新河书城)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from sanxin.accounts.matrix import Role
from sanxin.accounts.models import User
from sanxin.accounts.services import grant_create
from sanxin.core import notices
from sanxin.core.errors import ServiceError
from sanxin.core.models import Event, PublicNotice
from sanxin.demo.builtin import DEMO_PASSWORD
from sanxin.demo.registry import DemoContext, register_login, step
from sanxin.members.models import Member
from sanxin.orgs.models import Org, OrgStatus, OrgType, Person

from . import services
from .models import Catalogue, Claim, ClaimStatus, Entry, Mode, Offer, Partner
from .sources import SOURCES

register_login("shudian", "服务合作方：新河书城（核销积分兑换券）")

MEETINGS = ["general", "group", "lecture", "theme_day", "committee", "life_meeting", "appraisal"]


def items(volunteer_points: int) -> list[dict]:
    """The catalogue of the 新业态新就业党员积分管理手册 (seed 004), one version."""
    return [
        {
            "code": "L01",
            "name": "参加“三会一课”、主题党日等组织生活",
            "category": "life",
            "tier": "basic",
            "points": 2,
            "month_cap": 8,
            "mode": "automatic",
            "evidence": "record",
            "description": "按会议签到记录自动计分，每次2分，每月最多8分",
            "auto": [{"event": "meetings.attended", "conditions": {"kind": MEETINGS}}],
        },
        {
            "code": "L02",
            "name": "缺席组织生活后完成补学",
            "category": "life",
            "tier": "basic",
            "points": 1,
            "month_cap": 2,
            "mode": "automatic",
            "evidence": "record",
            "auto": [{"event": "meetings.made_up", "conditions": {}}],
        },
        {
            "code": "L03",
            "name": "无故缺席组织生活",
            "category": "life",
            "tier": "basic",
            "points": -2,
            "mode": "automatic",
            "evidence": "record",
            "description": "未请假缺席，每次扣2分",
            "auto": [{"event": "meetings.absent", "conditions": {"excused": False}}],
        },
        {
            "code": "L04",
            "name": "亮身份：佩戴党员徽章、车辆亮标识上岗",
            "category": "life",
            "tier": "basic",
            "points": 1,
            "month_cap": 2,
            "evidence": "photo",
        },
        {
            "code": "S01",
            "name": "参加集中学习、专题培训",
            "category": "study",
            "tier": "basic",
            "points": 2,
            "month_cap": 6,
            "evidence": "document",
        },
        {
            "code": "S02",
            "name": "讲授党课",
            "category": "study",
            "tier": "pioneer",
            "points": 5,
            "mode": "automatic",
            "evidence": "record",
            "auto": [{"event": "meetings.lecture_given", "conditions": {}, "member_key": "person_id"}],
        },
        {
            "code": "S04",
            "name": "完成线上学习课时（学习教育）",
            "category": "study",
            "tier": "basic",
            "points": 1,
            "month_cap": 4,
            "mode": "automatic",
            "evidence": "record",
            "description": "每完成一个课时计1分，每月最多4分",
            "auto": [{"event": "learning.credited", "conditions": {"source": "lesson"}}],
        },
        {
            "code": "S03",
            "name": "知识竞赛、技能比武获奖",
            "category": "study",
            "tier": "pioneer",
            "points": 5,
            "year_cap": 20,
            "evidence": "document",
        },
        {
            "code": "V01",
            "name": "参加志愿服务活动",
            "category": "volunteer",
            "tier": "basic",
            "points": volunteer_points,
            "month_cap": 3 * volunteer_points,
            "year_cap": 60,
            "evidence": "photo",
            "description": "“小哥暖心”、文明交通劝导、助老助困等，每次计分",
        },
        {
            "code": "V03",
            "name": "在驿站志愿值守",
            "category": "volunteer",
            "tier": "basic",
            "points": 2,
            "month_cap": 8,
            "mode": "automatic",
            "evidence": "record",
            "description": "站点管理员确认的值守，每次2分，每月最多8分",
            "auto": [{"event": "stations.volunteered", "conditions": {}, "member_key": "person_id"}],
        },
        {
            "code": "V02",
            "name": "担任志愿服务队骨干（水乡红骑手等）",
            "category": "volunteer",
            "tier": "pioneer",
            "points": 10,
            "year_cap": 10,
            "evidence": "document",
        },
        {
            "code": "G01",
            "name": "随手拍：上报安全隐患、占道等问题并被采纳",
            "category": "governance",
            "tier": "basic",
            "points": 2,
            "month_cap": 6,
            "evidence": "photo",
        },
        {
            "code": "G02",
            "name": "协助化解矛盾纠纷、参与社区议事",
            "category": "governance",
            "tier": "basic",
            "points": 3,
            "month_cap": 6,
            "evidence": "none",
        },
        {
            "code": "P01",
            "name": "获得平台、客户表扬",
            "category": "praise",
            "tier": "basic",
            "points": 2,
            "month_cap": 4,
            "evidence": "record",
        },
        {
            "code": "P02",
            "name": "获得区级以上表彰",
            "category": "praise",
            "tier": "pioneer",
            "points": 10,
            "evidence": "document",
        },
        {
            "code": "P03",
            "name": "见义勇为、拾金不昧等先进事迹",
            "category": "praise",
            "tier": "pioneer",
            "points": 15,
            "evidence": "document",
        },
    ]


DEEDS = {
    "L04": ["佩戴党员徽章送单，车辆张贴党员标识", "在站点亮身份上岗"],
    "S01": ["参加行业党委组织的新就业群体党员培训班", "参加交通安全专题培训"],
    "S03": ["在全市快递外卖行业知识竞赛中获三等奖", "在技能比武中获得优秀奖"],
    "V01": [
        "参加“小哥暖心”助老送餐志愿服务",
        "在路口开展文明交通劝导",
        "为社区独居老人代买药品",
        "参加暖蜂驿站值守志愿服务",
    ],
    "V02": ["担任“水乡红骑手”志愿服务队小队长"],
    "G01": ["随手拍上报井盖缺失隐患，已被街道采纳", "上报小区消防通道被占用问题"],
    "G02": ["协助调解顾客与商家的配送纠纷", "参加社区协商议事会，反映骑手停车难"],
    "P01": ["收到顾客书面表扬", "获平台“月度服务之星”"],
    "P02": ["获评区级优秀共产党员", "获评“最美红骑手”提名"],
    "P03": ["送单途中救起落水儿童", "拾得顾客钱包并归还"],
}


def _committees() -> list[Org]:
    return list(
        Org.objects.filter(org_type=OrgType.INDUSTRY_COMMITTEE, status=OrgStatus.ACTIVE).order_by("path")
    )


def _catalogues(committees: list[Org], today: dt.date) -> None:
    first = (today.replace(day=1) - dt.timedelta(days=370)).replace(day=1)
    second = (today.replace(day=1) - dt.timedelta(days=80)).replace(day=1)
    for org in committees:
        if Catalogue.objects.filter(org=org).exists():
            continue
        services.catalogue_publish(
            actor=None,
            org=org,
            title=f"{org.name}党员积分细则",
            start_on=first,
            items=items(3),
            note="依据《新业态新就业党员积分管理手册》制定：党的生活、学习培训、志愿服务、基层治理、工作好评五类指标，"
            "实行“基础分+先锋分”；个人申报、党支部审核、党委认定、积分公示后计入。",
        )
        services.catalogue_publish(
            actor=None,
            org=org,
            title=f"{org.name}党员积分细则",
            start_on=second,
            items=items(5),
            note="修订：志愿服务每次由3分调整为5分。",
        )


def _auto_credits() -> int:
    return services.backfill(
        Event.objects.filter(name__in=list(SOURCES)).order_by("pk").iterator(chunk_size=2000)
    )


def _close(notice: PublicNotice) -> None:
    notice = notices.notice_close(actor=None, notice=notice, on=notice.ends_on + dt.timedelta(days=1))
    services.notice_closed(Event.objects.get(key=f"notice_closed:{notice.pk}"))


def _claims(rng: random.Random, committees: list[Org], today: dt.date, users: dict) -> int:
    n = 0
    for committee in committees:
        members = list(
            Member.objects.filter(person__org__path__startswith=committee.path, status="active")
            .select_related("person__org")
            .order_by("pk")
        )
        confirmer = users.get(committee.industry.code if committee.industry_id else "")
        for member in members:
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                deed_on = today - dt.timedelta(days=rng.randint(3, 360))
                n += _one_claim(rng, member, deed_on, today, confirmer, users.get("shuji"))
    return n


def _one_claim(rng, member, deed_on, today, confirmer, shuji) -> int:
    from . import ledger

    branch = ledger.branch_of(member, deed_on)
    catalogue = ledger.catalogue_for(branch, deed_on) if branch else None
    if catalogue is None:
        return 0
    choices = [i for i in catalogue.items.all() if i.mode == Mode.DECLARED and i.code in DEEDS]
    item = rng.choice(choices)
    declared = deed_on + dt.timedelta(days=rng.randint(0, 5))
    if declared > today:
        declared = today
    reviewer = shuji if shuji is not None and member.person.org.name == SHUJI_BRANCH else None
    if reviewer is not None and reviewer.pk == member.person.user_id:
        reviewer = None
    try:
        claim = services.claim_declare(
            actor=None,
            member=member,
            item=item,
            deed_on=deed_on,
            on=declared,
            description=rng.choice(DEEDS[item.code]),
            record_ref="平台表扬记录" if item.evidence == "record" else "",
            evidence=[] if item.evidence not in ("photo", "document") else [_evidence_file()],
        )
    except ServiceError:  # a cap reached: the member would not have declared it
        return 0
    fate = rng.random()
    recent = (today - deed_on).days < 12
    reviewed_on = min(today, declared + dt.timedelta(days=rng.randint(1, 4)))
    if recent and fate < 0.3:
        return 1  # still waiting for the branch
    if fate < 0.05:
        services.claim_withdraw(actor=None, claim=claim)
        return 1
    if fate < 0.1:
        services.claim_review(
            actor=reviewer, claim=claim, decision="return", reason="请补充活动现场照片", on=reviewed_on
        )
        return 1
    if fate < 0.15:
        services.claim_review(
            actor=reviewer, claim=claim, decision="reject", reason="该事项不属于积分范围", on=reviewed_on
        )
        return 1
    services.claim_review(actor=reviewer, claim=claim, decision="approve", on=reviewed_on)
    if recent and fate < 0.5:
        return 1  # waiting for the committee
    confirmed_on = min(today, reviewed_on + dt.timedelta(days=rng.randint(1, 5)))
    try:
        services.claim_confirm(actor=confirmer, claim=claim, on=confirmed_on)
    except ServiceError:
        services.claim_confirm(
            actor=confirmer, claim=claim, decision="reject", reason="超过本项积分上限", on=confirmed_on
        )
        return 1
    claim.refresh_from_db()
    notice = claim.notice
    if notice.ends_on >= today:
        return 1  # in its 公示 now
    objector = (
        Person.objects.filter(org=claim.branch, user__isnull=False)
        .exclude(pk=member.pk)
        .select_related("user")
        .first()
    )
    if fate > 0.985 and objector is not None:
        notices.objection_raise(
            actor=objector.user,
            notice=notice,
            reason="当天该同志在外区送单，未参加此项活动",
            on=notice.starts_on,
        )
        _close(notice)
        services.claim_settle(
            actor=confirmer, claim=claim, credit=rng.random() < 0.5, resolution="经向活动组织方核实"
        )
        return 1
    _close(notice)
    return 1


_EVIDENCE: dict = {}  # the one demo photo, stored once per build


def _evidence_file():
    """One small photo stored once for the demo's claims (their evidence)."""
    from sanxin.core import uploads

    if "photo" not in _EVIDENCE:
        _EVIDENCE["photo"] = uploads.store(
            actor=None, purpose_name="points.evidence", name="志愿服务现场.png", chunks=_png()
        )
    return _EVIDENCE["photo"]


def _png() -> bytes:
    import io

    import segno

    buf = io.BytesIO()
    segno.make("新河市志愿服务").save(buf, kind="png", scale=4, dark="#b91c1c")
    return buf.getvalue()


PARTNERS = [
    # (committee industry code or "" for the city, name, kind, address, offers: (title, price, stock, days))
    (
        "express",
        "新河书城",
        "reading",
        "新城区人民路8号",
        [("图书兑换券（50元）", 30, 200, 60), ("电子书阅读月卡", 10, 500, 30)],
    ),
    (
        "express",
        "新河市第一人民医院",
        "medical",
        "新城区健康路1号",
        [("新就业群体免费体检一次", 80, 100, 90)],
    ),
    ("", "新河文旅集团", "travel", "河东区滨江路66号", [("水乡古镇景区门票", 40, 300, 90)]),
    ("express", "阳光托育中心", "childcare", "城关街道育才路12号", [("暑期托管一周", 100, 30, 60)]),
    ("", "新河开放大学", "education", "新城区学府路3号", [("学历提升学费减免500元", 200, 50, 180)]),
    ("transport", "司机之家维修站", "medical", "河东区物流园", [("货车免费安全检测一次", 30, 200, 60)]),
]


def _partners(today: dt.date) -> list[Offer]:
    city = Org.objects.filter(depth=1).order_by("path").first()
    by_industry = {c.industry.code: c for c in _committees() if c.industry_id}
    offers = []
    for code, name, kind, address, rows in PARTNERS:
        org = by_industry.get(code) if code else city
        if org is None:
            continue
        partner = Partner.objects.filter(name=name).first() or services.partner_save(
            actor=None,
            org=org,
            name=name,
            kind=kind,
            address=address,
            contact_name="服务专员",
            contact_phone="0571-8800" + str(1000 + len(offers)),
        )
        for title, price, stock, days in rows:
            offer = Offer.objects.filter(partner=partner, title=title).first() or services.offer_save(
                actor=None,
                partner=partner,
                title=title,
                price=price,
                stock=stock,
                valid_from=today - dt.timedelta(days=200),
                valid_to=today + dt.timedelta(days=365),
                voucher_days=days,
                description=f"凭积分兑换券到{name}使用",
            )
            offers.append(offer)
    bookshop = Partner.objects.filter(name="新河书城").first()
    if bookshop is not None and not User.objects.filter(username="shudian").exists():
        user = User.objects.create_user(
            username="shudian", password=DEMO_PASSWORD, display_name="新河书城 周店长"
        )
        grant_create(
            actor=None,
            user=user,
            role=Role.PARTNER,
            assignment_kind="points_partners",
            object_ids=[str(bookshop.pk)],
        )
    return offers


def _purchases(rng: random.Random, offers: list[Offer], today: dt.date) -> int:
    from . import selectors

    n = 0
    rich = list(
        Member.objects.filter(point_balance__spendable__gte=30).select_related("person").order_by("pk")[:120]
    )
    for member in rich:
        if rng.random() < 0.5:
            continue
        open_offers = [o for o in selectors.offers_for(member) if o.price <= member.point_balance.spendable]
        if not open_offers:
            continue
        offer = rng.choice(open_offers)
        bought = today - dt.timedelta(days=rng.randint(1, 120))
        try:
            voucher = services.voucher_buy(actor=None, member=member, offer=offer, on=bought)
        except ServiceError:
            continue
        n += 1
        roll = rng.random()
        if roll < 0.6 and voucher.expires_on >= today:
            at = dt.datetime.combine(
                bought + dt.timedelta(days=3), dt.time(15), tzinfo=timezone.get_current_timezone()
            )
            services.voucher_redeem(actor=None, code=voucher.code, at=min(at, timezone.now()))
        elif roll < 0.65:
            services.voucher_cancel(actor=None, voucher=voucher, on=bought + dt.timedelta(days=1))
    services.vouchers_expire(today)
    return n


SHUJI_BRANCH = "蜂行快送城关站流动党员党支部"


@step(order=70, name="points")
def build_points(ctx: DemoContext) -> None:
    if Entry.objects.exists() or Claim.objects.exists():
        return
    rng = random.Random(20261204)
    today = timezone.localdate()
    _EVIDENCE.clear()  # a photo stored by an earlier build (rolled back) is gone
    committees = _committees()
    _catalogues(committees, today)
    credits = _auto_credits()
    users = {
        u.username: u for u in User.objects.filter(username__in=["kuaidi", "jiaotong", "wanghong", "shuji"])
    }
    users = {
        "express": users.get("kuaidi"),
        "transport": users.get("jiaotong"),
        "influencer": users.get("wanghong"),
        "shuji": users.get("shuji"),
    }
    claims = _claims(rng, committees, today, users)
    offers = _partners(today)
    bought = _purchases(rng, offers, today)
    ctx.progress(
        f"积分：{len(committees)}套细则，自动计分{credits}条，申报{claims}件"
        f"（已计入{Claim.objects.filter(status=ClaimStatus.CREDITED).count()}件），兑换{bought}次"
    )
