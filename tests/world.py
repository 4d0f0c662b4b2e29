"""A small two-sided world for scope tests: everything on side A has a twin on side B that side A's
users must never see. B-side names carry ``LEAK_MARKER`` so a leak is visible in any response body."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone

from sanxin.accounts.services import grant_create
from sanxin.core.models import Industry, Region
from sanxin.orgs import services
from sanxin.orgs.models import Org, OrgType, PostTitle
from tests.factories import UserFactory

LEAK_MARKER = "越界标记"
D = dt.date


def regions() -> dict[str, Region]:
    rows = [
        ("390000000000", "东江省", 1, None),
        ("390100000000", "新河市", 2, "390000000000"),
        ("390102000000", "新城区", 3, "390100000000"),
        ("390103000000", "河东区", 3, "390100000000"),
        ("390102001000", "城关街道", 4, "390102000000"),
        ("390103001000", "河东街道", 4, "390103000000"),
    ]
    out = {}
    for code, name, level, parent in rows:
        out[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent}
        )
    return out


@dataclasses.dataclass
class World:
    city: Org
    committee_x: Org
    committee_y: Org
    branch_a: Org
    branch_b: Org
    branch_c: Org  # under committee_y, located in street S
    street_s: Org
    street_t: Org
    secretary_a: object
    secretary_b: object
    industry_x: object
    industry_y: object
    street_s_user: object
    street_t_user: object
    instructor_1: object
    instructor_2: object
    office: object
    enterprise_a: object = None  # registry: covered by branch_a, located in street S, industry X
    enterprise_b: object = None  # registry: covered by branch_b, located in street T, industry Y
    campaign_a: object = None
    campaign_b: object = None
    extract_a: object = None
    extract_b: object = None
    review_a: object = None
    review_b: object = None
    member_a: object = None  # member registry: formal org branch_a, registered away (外出)
    member_b: object = None  # formal org branch_b
    mobility_a: object = None
    mobility_b: object = None
    finding_a: object = None  # 双找: a 找新就业 finding of member_a, list of street S / industry X
    finding_b: object = None
    case_a: object = None  # 发展党员: an applicant of branch_a
    case_b: object = None
    quota_a: object = None  # committee_x's development quota
    quota_b: object = None
    transfer_a: object = None  # 组织关系转接: member_a from branch_a to branch_c (crosses committees)
    transfer_b: object = None  # member_b from branch_b out of the platform
    meeting_a: object = None  # 组织生活: a 主题党日 of branch_a next month, member_a invited
    meeting_b: object = None
    attendance_a: object = None
    attendance_b: object = None
    series_a: object = None  # a monthly 主题党日 series of branch_a, two occurrences
    series_b: object = None
    catalogue_a: object = None  # 积分: committee_x's catalogue; a submitted claim and a credit of member_a
    catalogue_b: object = None
    claim_a: object = None
    claim_b: object = None
    entry_a: object = None
    entry_b: object = None
    partner_a: object = None  # committee_x's reading partner with an offer
    partner_b: object = None
    offer_a: object = None
    offer_b: object = None
    appeal_a: object = None  # 诉求: member_a's appeal at branch_a's liaison (and a second one of theirs)
    appeal_a2: object = None
    appeal_b: object = None
    extension_a: object = None  # a pending extension of each
    extension_b: object = None
    hardship_a: object = None  # 困难帮扶: member_a's entry at branch_a, member_b's at branch_b
    hardship_b: object = None
    coordination_a: object = None  # 协调会 at each branch over its appeal
    coordination_b: object = None
    station_a: object = None  # 服务阵地 managed by each branch
    station_b: object = None
    station_review_a: object = None  # a visitor's pending review of each
    station_review_b: object = None
    course_a: object = None  # 学习教育: a published course of committee_x with a lesson; B's of committee_y
    course_b: object = None
    lesson_a: object = None
    lesson_b: object = None
    bank_a: object = None  # 知识竞赛: committee_x's question bank (one question of each kind), B's of Y
    bank_b: object = None
    question_a: object = None
    question_b: object = None
    quiz_a: object = None  # lesson_a's 课后测验 from bank_a
    quiz_b: object = None
    contest_a: object = None  # a published contest of committee_x, open now; B's of committee_y
    contest_b: object = None
    station_shift_a: object = None  # a volunteer's ended shift at each, for its keeper to decide
    station_shift_b: object = None
    board_a: object = None  # 互动交流: a forum board of each branch with a thread (its first post), a listed
    board_b: object = None  # word of each branch, a letter to each branch's mailbox (B's anonymous), a
    thread_a: object = None  # suggestion to each branch; B's carry the leak marker
    thread_b: object = None
    post_a: object = None
    post_b: object = None
    word_a: object = None
    word_b: object = None
    letter_a: object = None
    letter_b: object = None
    suggestion_a: object = None
    suggestion_b: object = None
    programme_a: object = None  # 培训: committee_x's programme with a cohort holding member_a; B's of Y
    programme_b: object = None
    cohort_a: object = None
    cohort_b: object = None
    training_a: object = None  # an offline training of each branch yesterday, its member present
    training_b: object = None
    # The later parts of a module (tests/world_parts/<part>.py) add their objects by name; they read as
    # attributes like the fields above (``world.activity_a``). They are built on first use, so the many
    # tests that count a branch's people or notices in a bare world do not see them.
    parts: dict | None = None

    def ensure_parts(self) -> dict:
        if self.parts is None:
            from tests import world_parts

            self.parts = {}
            self.parts = world_parts.build(self)
        return self.parts

    def __getattr__(self, name: str):
        if name.startswith("__") or "parts" not in self.__dict__:
            raise AttributeError(name)
        parts = self.ensure_parts()
        if name in parts:
            return parts[name]
        raise AttributeError(name)

    def a_side(self):
        """(user, object it may see, twin object it must not see)."""
        return [
            (self.secretary_a, self.branch_a, self.branch_b),
            (self.industry_x, self.branch_a, self.branch_b),
            (self.street_s_user, self.branch_c, self.branch_b),
            (self.instructor_1, self.branch_a, self.branch_b),
        ]


def build_world() -> World:
    r = regions()
    x, _ = Industry.objects.get_or_create(code="express", defaults={"name": "快递外卖"})
    y, _ = Industry.objects.get_or_create(code="transport", defaults={"name": "交通运输"})
    city = services.org_create(
        actor=None,
        parent=None,
        name="中共新河市委员会",
        org_type=OrgType.PARTY_COMMITTEE,
        region=r["390100000000"],
        founded_on=D(2000, 1, 1),
    )
    cx = services.org_create(
        actor=None,
        parent=city,
        name="快递外卖行业党委",
        org_type=OrgType.INDUSTRY_COMMITTEE,
        region=r["390100000000"],
        industry=x,
        founded_on=D(2020, 1, 1),
    )
    cy = services.org_create(
        actor=None,
        parent=city,
        name=f"交通运输行业党委{LEAK_MARKER}",
        org_type=OrgType.INDUSTRY_COMMITTEE,
        region=r["390100000000"],
        industry=y,
        founded_on=D(2020, 1, 1),
    )
    ba = services.org_create(
        actor=None,
        parent=cx,
        name="骑手流动党员党支部",
        org_type=OrgType.MOBILE_BRANCH,
        region=r["390102001000"],
        industry=x,
        founded_on=D(2021, 1, 1),
    )
    bb = services.org_create(
        actor=None,
        parent=cy,
        name=f"货车司机党支部{LEAK_MARKER}",
        org_type=OrgType.BRANCH,
        region=r["390103001000"],
        industry=y,
        founded_on=D(2021, 1, 1),
    )
    bc = services.org_create(
        actor=None,
        parent=cy,
        name="网约车司机党支部",
        org_type=OrgType.BRANCH,
        region=r["390102001000"],
        industry=y,
        founded_on=D(2021, 1, 1),
    )
    ss = services.org_create(
        actor=None,
        parent=city,
        name="城关街道党工委",
        org_type=OrgType.WORKING_COMMITTEE,
        region=r["390102001000"],
        founded_on=D(2001, 1, 1),
    )
    st = services.org_create(
        actor=None,
        parent=city,
        name=f"河东街道党工委{LEAK_MARKER}",
        org_type=OrgType.WORKING_COMMITTEE,
        region=r["390103001000"],
        founded_on=D(2001, 1, 1),
    )
    for org, name in [(ba, "张骑手"), (bb, f"李司机{LEAK_MARKER}")]:
        person, _ = services.person_create(actor=None, name=name, org=org)
        services.post_assign(
            actor=None, org=org, person=person, title=PostTitle.SECRETARY, start_on=D(2021, 2, 1)
        )

    def user(**grants):
        u = UserFactory()
        for g in grants.pop("_list"):
            grant_create(actor=None, user=u, **g)
        return u

    from sanxin.registry import services as registry_services
    from sanxin.registry.models import CoverageKind, Kind

    def enterprise(name, region, industry, party_org):
        e = registry_services.organization_create(
            actor=None,
            name=name,
            region=region,
            industry=industry,
            kind=Kind.OUTLET,
            registered_on=D(2020, 1, 1),
        )
        registry_services.coverage_add(
            actor=None, org=e, party_org=party_org, kind=CoverageKind.OWN, start_on=D(2021, 6, 1)
        )
        return e

    ea = enterprise("蜂鸟速递城关站", r["390102001000"], x, ba)
    eb = enterprise(f"货运物流河东站{LEAK_MARKER}", r["390103001000"], y, bb)
    from sanxin.orgs.models import Person

    for e, org in ((ea, ba), (eb, bb)):
        registry_services.contact_assign(
            actor=None,
            org=e,
            person=Person.objects.filter(org=org).first(),
            role="instructor",
            start_on=D(2022, 1, 1),
        )

    from sanxin.registry.campaigns import campaign_create

    ca = campaign_create(
        actor=None,
        name="城关攻坚",
        owner_org=cx,
        start_on=D(2026, 1, 1),
        deadline=D(2026, 12, 31),
        organizations=[ea],
    )
    cb = campaign_create(
        actor=None,
        name=f"河东攻坚{LEAK_MARKER}",
        owner_org=cy,
        start_on=D(2026, 1, 1),
        deadline=D(2026, 12, 31),
        organizations=[eb],
    )

    from sanxin.registry.models import Extract, MatchReview

    xa = Extract.objects.create(source="market", region=r["390102001000"], industry=x, as_of=D(2026, 1, 1))
    xb = Extract.objects.create(source="market", region=r["390103001000"], industry=y, as_of=D(2026, 1, 1))
    rva = MatchReview.objects.create(
        extract=xa, line=2, data={"name": "蜂鸟速递城关站点", "credit_code": ""}, candidate=ea, score=90
    )
    rvb = MatchReview.objects.create(
        extract=xb,
        line=2,
        data={"name": f"货运物流河东站点{LEAK_MARKER}", "credit_code": ""},
        candidate=eb,
        score=90,
    )

    from sanxin.members import services as member_services

    members, mobilities = [], []
    for org, name, phone, rid in [
        (ba, "刘骑手党员", "13800000001", "390102199001010013"),
        (bb, f"陈司机党员{LEAK_MARKER}", "13800000002", "390103199001010028"),
    ]:
        p, _ = services.person_create(actor=None, name=name, org=org, phone=phone, resident_id=rid)
        m = member_services.member_register(
            actor=None, person=p, org=org, joined_on=D(2015, 7, 1), since=D(2021, 3, 1)
        )
        members.append(m)
        mobilities.append(
            member_services.mobile_out(actor=None, member=m, on=D(2024, 3, 1), destination="广东省深圳市")
        )

    from sanxin.members.pipeline import services as pipeline_services

    cases, quotas = [], []
    for org, committee, name in [(ba, cx, "周申请"), (bb, cy, f"吴申请{LEAK_MARKER}")]:
        p, _ = services.person_create(actor=None, name=name, org=org, birth_date=D(1996, 5, 1))
        cases.append(pipeline_services.case_create(actor=None, person=p, org=org, applied_on=D(2024, 1, 8)))
        quotas.append(
            pipeline_services.quota_set(actor=None, committee=committee, year=2026, total=6, reserved=2)
        )

    from sanxin.members.findings.models import Finding, FindingBatch

    findings = []
    for m, e in ((members[0], ea), (members[1], eb)):
        batch = FindingBatch.objects.create(
            platform=e, region_id=e.region_id, industry_id=e.industry_id, work_kind="rider"
        )
        findings.append(
            Finding.objects.create(
                batch=batch,
                person=m.person,
                kind="work",
                platform=e,
                work_kind="rider",
                matched_by="resident_id",
                listed_status="中共党员",
                reason="党员，本库未登记其在该平台的从业情况",
            )
        )

    from sanxin.transfers import services as transfer_services

    transfers = [
        transfer_services.transfer_apply(
            actor=None, member=members[0], kind="out", to_org=bc, reason="换站点送单", on=D(2024, 6, 1)
        ),
        transfer_services.transfer_apply(
            actor=None,
            member=members[1],
            kind="external",
            to_name=f"外省货运党支部{LEAK_MARKER}",
            reason=f"回乡{LEAK_MARKER}",
            on=D(2024, 6, 1),
        ),
    ]

    from sanxin.meetings import services as meeting_services

    meetings = []
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)
    for org, topic, m in ((ba, "骑手主题党日", members[0]), (bb, f"司机主题党日{LEAK_MARKER}", members[1])):
        meeting = meeting_services.meeting_schedule(
            actor=None,
            org=org,
            kind="theme_day",
            topic=topic,
            starts_at=starts,
            mode="online",
            online_url="https://meet.example.cn/world",
        )
        meeting_services.meeting_invite(actor=None, meeting=meeting, members=[m])
        meetings.append(meeting)
    series = []
    for org, topic in ((ba, "骑手每月主题党日"), (bb, f"司机每月主题党日{LEAK_MARKER}")):
        first = timezone.localdate().replace(day=1) + dt.timedelta(days=62)
        series.append(
            meeting_services.series_create(
                actor=None,
                org=org,
                kind="theme_day",
                topic=topic,
                rrule="FREQ=MONTHLY;BYMONTHDAY=10",
                first_on=first.replace(day=10),
                local_time=dt.time(9),
                mode="online",
                online_url="https://meet.example.cn/series",
                horizon=first.replace(day=10) + dt.timedelta(days=40),
            )
        )

    points = _points(cx, cy, members)
    appeals = _appeals(ba, bb, members)
    stations = _stations(ba, bb)
    learning = _learning(cx, cy)
    training = _training(cx, cy, ba, bb, members)
    community = _community(ba, bb)
    quiz = _quiz(cx, cy, learning)

    world = World(
        **points,
        **appeals,
        **stations,
        **learning,
        **training,
        **community,
        **quiz,
        series_a=series[0],
        series_b=series[1],
        meeting_a=meetings[0],
        meeting_b=meetings[1],
        attendance_a=meetings[0].attendances.get(member=members[0]),
        attendance_b=meetings[1].attendances.get(member=members[1]),
        transfer_a=transfers[0],
        transfer_b=transfers[1],
        finding_a=findings[0],
        finding_b=findings[1],
        case_a=cases[0],
        case_b=cases[1],
        quota_a=quotas[0],
        quota_b=quotas[1],
        member_a=members[0],
        member_b=members[1],
        mobility_a=mobilities[0],
        mobility_b=mobilities[1],
        extract_a=xa,
        extract_b=xb,
        review_a=rva,
        review_b=rvb,
        campaign_a=ca,
        campaign_b=cb,
        enterprise_a=ea,
        enterprise_b=eb,
        city=city,
        committee_x=cx,
        committee_y=cy,
        branch_a=ba,
        branch_b=bb,
        branch_c=bc,
        street_s=ss,
        street_t=st,
        secretary_a=user(_list=[{"role": "branch_secretary", "org": ba}]),
        secretary_b=user(_list=[{"role": "branch_secretary", "org": bb}]),
        industry_x=user(
            _list=[{"role": "industry_committee", "org": cx}, {"role": "industry_committee", "industry": x}]
        ),
        industry_y=user(
            _list=[{"role": "industry_committee", "org": cy}, {"role": "industry_committee", "industry": y}]
        ),
        street_s_user=user(
            _list=[{"role": "street", "org": ss}, {"role": "street", "region": r["390102001000"]}]
        ),
        street_t_user=user(
            _list=[{"role": "street", "org": st}, {"role": "street", "region": r["390103001000"]}]
        ),
        instructor_1=user(
            _list=[
                {"role": "instructor", "assignment_kind": "orgs", "object_ids": [ba.pk]},
                {"role": "instructor", "assignment_kind": "organizations", "object_ids": [ea.pk]},
            ]
        ),
        instructor_2=user(
            _list=[
                {"role": "instructor", "assignment_kind": "orgs", "object_ids": [bb.pk]},
                {"role": "instructor", "assignment_kind": "organizations", "object_ids": [eb.pk]},
            ]
        ),
        office=user(_list=[{"role": "org_department", "region": r["390100000000"]}]),
    )
    return world


def _points(cx, cy, members) -> dict:
    from django.db import transaction

    from sanxin.points import ledger
    from sanxin.points import services as points_services

    out: dict = {}
    today = timezone.localdate()
    for side, committee, m, mark in (("a", cx, members[0], ""), ("b", cy, members[1], LEAK_MARKER)):
        catalogue = points_services.catalogue_publish(
            actor=None,
            org=committee,
            title=f"党员积分细则{mark}",
            start_on=D(2020, 1, 1),
            items=[
                {
                    "code": "V01",
                    "name": f"志愿服务{mark}",
                    "category": "volunteer",
                    "tier": "basic",
                    "points": 5,
                },
                {
                    "code": "G01",
                    "name": f"社区治理{mark}",
                    "category": "governance",
                    "tier": "basic",
                    "points": 3,
                },
            ],
        )
        item = catalogue.items.get(code="V01")
        claim = points_services.claim_declare(
            actor=None, member=m, item=item, deed_on=today, description=f"参加志愿服务两小时{mark}"
        )
        with transaction.atomic():
            entry = ledger.award(
                member=m,
                item=catalogue.items.get(code="G01"),
                on=today,
                reason=f"参与社区治理{mark}",
                source_key=f"world:{side}",
            )
        partner = points_services.partner_save(
            actor=None, org=committee, name=f"新河书城{mark}", kind="reading", address="人民路8号"
        )
        offer = points_services.offer_save(
            actor=None,
            partner=partner,
            title=f"图书兑换券{mark}",
            price=3,
            stock=5,
            valid_from=today,
            valid_to=today + dt.timedelta(days=60),
        )
        out |= {
            f"catalogue_{side}": catalogue,
            f"claim_{side}": claim,
            f"entry_{side}": entry,
            f"partner_{side}": partner,
            f"offer_{side}": offer,
        }
    return out


def _appeals(ba, bb, members) -> dict:
    """Appeals written straight into the table (no routing needed): A's at branch_a, B's at branch_b
    with the leak marker in its text and its author's name."""
    from django.utils import timezone

    from sanxin.appeals.models import Appeal, Extension, Step

    now = timezone.now()
    out: dict = {}
    rows = [("a", ba, members[0], ""), ("a2", ba, members[0], "再次"), ("b", bb, members[1], LEAK_MARKER)]
    for side, org, m, mark in rows:
        appeal = Appeal.objects.create(
            number=f"SQW{side}",
            kind="help",
            text=f"小区不让电动车进，送餐很难{mark}",
            category_id="traffic",
            category_source="model",
            region_id=org.region_id,
            industry_id=org.industry_id,
            person=m.person,
            contact_name=f"{m.person.name}{mark}",
            contact_phone="13800000009",
            phone_index="world-phone" if side != "b" else "world-phone-b",
            needs_contact=True,
            level="liaison",
            branch=org,
            received_at=now,
            respond_due=now + dt.timedelta(hours=24),
            stage_due=now + dt.timedelta(hours=24),
            resolve_due=now + dt.timedelta(days=5),
        )
        Step.objects.create(appeal=appeal, action="submit", at=now, unit=org.name)
        out[f"appeal_{side}"] = appeal
        if side != "a2":
            user = UserFactory()
            out[f"extension_{side}"] = Extension.objects.create(
                appeal=appeal, days=2, reason=f"需要核实{mark}", requested_by=user, requested_at=now
            )
    from sanxin.appeals.models import Coordination, CoordinationItem, Hardship

    for side, org, m, mark in (("a", ba, members[0], ""), ("b", bb, members[1], LEAK_MARKER)):
        out[f"hardship_{side}"] = Hardship.objects.create(
            person=m.person,
            org=org,
            kind="illness",
            situation=f"骑手摔伤住院，家中老人无人照顾{mark}",
            consented_at=now,
        )
        meeting = Coordination.objects.create(org=org, title=f"电动车进小区协调会{mark}", held_on=now.date())
        CoordinationItem.objects.create(
            meeting=meeting, appeal=out[f"appeal_{side}"], decision=f"物业放行{mark}"
        )
        out[f"coordination_{side}"] = meeting
    return out


def _stations(ba, bb) -> dict:
    """A station of each branch; B's carries the leak marker in its name and address."""
    import datetime as dt

    from sanxin.stations import services
    from sanxin.stations.hours import Interval

    week = [Interval(d, dt.time(0), dt.time(0)) for d in range(7)]
    out = {}
    for side, org, mark, lat in (("a", ba, "", 30.58), ("b", bb, LEAK_MARKER, 30.62)):
        out[f"station_{side}"] = services.station_create(
            actor=None, org=org, name=f"暖蜂驿站{mark}", kind="nuanfeng", address=f"江汉路{mark}",
            lat=lat, lng=114.3, amenities=["water"], hours=week,
        )  # fmt: skip
        visitor = UserFactory()
        services.check_in(actor=visitor, station=out[f"station_{side}"], method="qr",
                          token=out[f"station_{side}"].checkin_token)  # fmt: skip
        out[f"station_review_{side}"] = services.review_submit(
            actor=visitor, station=out[f"station_{side}"], stars=4, comment=f"热水很方便{mark}"
        )
        # a volunteer's shift there, ended and waiting for the keeper
        from django.utils import timezone

        from sanxin.orgs.services import person_create

        person_create(actor=None, name=f"志愿者{mark}", user=visitor)  # a worker, in no org
        start = timezone.now() - dt.timedelta(hours=3)
        shift = services.shift_start(actor=visitor, station=out[f"station_{side}"], duty=f"站点值守{mark}",
                                     method="qr", token=out[f"station_{side}"].checkin_token, now=start)  # fmt: skip
        out[f"station_shift_{side}"] = services.shift_end(
            actor=visitor, shift=shift, now=start + dt.timedelta(hours=2)
        )
    return out


def _learning(cx, cy) -> dict:
    """A published course of each committee (for its subtree) with one article lesson; B's carries the
    leak marker in its titles."""
    from sanxin.learning import services

    out = {}
    for side, org, mark in (("a", cx, ""), ("b", cy, LEAK_MARKER)):
        course = services.course_create(
            actor=None, publisher=org, title=f"新就业群体党员应知应会{mark}", column="theory"
        )
        out[f"lesson_{side}"] = services.lesson_add(
            actor=None, course=course, title=f"党章学习{mark}", kind="article", credit_hours="0.5",
            body=f"党员要认真学习党章，自觉遵守党章。{mark}",
        )  # fmt: skip
        services.course_submit(actor=None, course=course)
        out[f"course_{side}"] = services.course_review(actor=None, course=course, approve=True)
    return out


def _quiz(cx, cy, learning: dict) -> dict:
    """知识竞赛: a bank of each committee with a question of each kind (B's carry the leak marker), a
    quiz on each side's lesson and a published contest of each committee, open now."""
    from sanxin.learning.quiz import services

    out = {}
    now = timezone.now()
    for side, org, mark in (("a", cx, ""), ("b", cy, LEAK_MARKER)):
        bank = services.bank_create(actor=None, owner=org, name=f"应知应会题库{mark}")
        out[f"question_{side}"] = services.question_add(
            actor=None, bank=bank, kind="single", stem=f"党的最高理想是什么？{mark}",
            options=["实现共产主义", "实现小康"], answer="A", explanation=f"党章总纲{mark}",
        )  # fmt: skip
        services.question_add(actor=None, bank=bank, kind="multiple", stem=f"“三会”包括？{mark}",
                              options=["支部党员大会", "支部委员会", "党小组会"], answer="ABC")  # fmt: skip
        services.question_add(actor=None, bank=bank, kind="judge", stem=f"预备期为一年。{mark}", answer="对")
        services.question_add(actor=None, bank=bank, kind="fill", stem=f"党的组织原则是____。{mark}",
                              answer="民主集中制")  # fmt: skip
        out[f"bank_{side}"] = bank
        out[f"quiz_{side}"] = services.quiz_set(
            actor=None, lesson=learning[f"lesson_{side}"], bank=bank, count=2, pass_percent=50
        )
        contest = services.contest_create(
            actor=None, organiser=org, bank=bank, title=f"党建知识竞赛{mark}", opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30), time_limit_s=600, draw={"single": 1, "judge": 1},
            points={"single": 50, "judge": 50}, pass_score=60,
        )  # fmt: skip
        out[f"contest_{side}"] = services.contest_publish(
            actor=None, contest=contest, now=now - dt.timedelta(days=2)
        )
    return out


def _community(ba, bb) -> dict:
    """A board, thread, word, letter and suggestion of each branch, written straight into the tables (their
    authors are accounts without a person, so they change no org's people); B's carry the leak marker."""
    from sanxin.community.models import Board, Letter, Post, SensitiveWord, Suggestion, Thread

    out = {}
    for side, org, mark in (("a", ba, ""), ("b", bb, LEAK_MARKER)):
        author = UserFactory()
        board = Board.objects.create(org=org, name=f"支部交流区{mark}")
        thread = Thread.objects.create(board=board, author=author, title=f"暴雨天送单注意安全{mark}")
        out |= {
            f"board_{side}": board,
            f"thread_{side}": thread,
            f"post_{side}": Post.objects.create(thread=thread, author=author, first=True, body=f"大家慢点骑{mark}"),
            f"word_{side}": SensitiveWord.objects.create(org=org, word=f"刷单{mark}", normalized=f"刷单{mark}"),
            f"letter_{side}": Letter.objects.create(
                org=org, subject=f"站点排班不公平{mark}", body=f"希望书记帮忙反映{mark}",
                anonymous=side == "b", author=None if side == "b" else author,
                sealed=f'{{"user_id": {author.pk}, "name": "匿名者{mark}"}}' if side == "b" else "",
            ),
            f"suggestion_{side}": Suggestion.objects.create(
                org=org, author=author, title=f"驿站增设充电柜{mark}", body=f"很多骑手电池不够用{mark}",
                category="service",
            ),
        }  # fmt: skip
    return out


def _training(cx, cy, ba, bb, members) -> dict:
    """培训: a programme of each committee with a cohort holding that side's member, and an offline training
    of each branch held yesterday, of that cohort, with the member present; B's carry the leak marker."""
    from sanxin.learning.training import services

    out = {}
    today = timezone.localdate()
    for side, committee, branch, m, mark in (
        ("a", cx, ba, members[0], ""),
        ("b", cy, bb, members[1], LEAK_MARKER),
    ):
        p = services.programme_create(
            actor=None, org=committee, title=f"党员骨干培训班{mark}", mode="offline", required_hours="2",
            starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=30),
        )  # fmt: skip
        cohort = services.cohort_add(actor=None, programme=p, name=f"第一期{mark}")
        services.enrol(actor=None, cohort=cohort, members=[m])
        t = services.training_create(
            actor=None, org=branch, title=f"支部集中学习{mark}", held_on=today - dt.timedelta(days=1),
            place=f"党员活动室{mark}", hours="2", programme=p, cohort=cohort,
        )  # fmt: skip
        services.attendance_add(actor=None, training=t, members=[m])
        out |= {f"programme_{side}": p, f"cohort_{side}": cohort, f"training_{side}": t}
    return out
