"""/api/v1/community/affairs: 党务公开, 协商议事, 党员示范岗 and 责任区.

Members and workers read the notices and consultations of the orgs on their chain, object to a 公示,
give their opinion on a consultation and record what they did at the post or in the area they hold — on
routes of their own. The org (its secretary) and the offices above publish, withdraw, run
consultations and designate under ``/manage`` (``community.affairs``). Every write goes through
``affairs.services``."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import FileIn, PageNumber, decode_files
from sanxin.core.errors import InvalidInput, NotFound
from sanxin.core.models import Objection
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org, Person

from . import selectors, services
from .models import (
    AffairsNotice,
    Consultation,
    ConsultationStatus,
    Designation,
    DesignationKind,
    MeetingMode,
    NoticeKind,
    PartySide,
)

router = Router(tags=["党务公开与协商议事"])

KINDS = Literal[tuple(NoticeKind.values)]  # type: ignore[valid-type]
SIDES = Literal[tuple(PartySide.values)]  # type: ignore[valid-type]
MODES = Literal[tuple(MeetingMode.values)]  # type: ignore[valid-type]
DKINDS = Literal[tuple(DesignationKind.values)]  # type: ignore[valid-type]
MOVES = Literal[tuple(str(s) for s in services.MOVES)]  # type: ignore[valid-type]


def _org(org_id: int) -> Org:
    org = Org.objects.filter(pk=org_id).first()
    if org is None:
        raise NotFound("没有这个党组织")
    return org


# --- schemas ------------------------------------------------------------------------------------------


class FileOut(Schema):
    id: str
    name: str
    url: str


class NoticeBase(Schema):
    id: int
    org_id: int
    org_name: str
    kind: str
    kind_label: str
    title: str
    published_on: dt.date
    expires_on: dt.date | None
    pinned: bool
    withdrawn: bool
    read: bool
    objection_open: bool = Field(description="公示期内，可提出异议")
    notice_ends_on: dt.date | None = Field(description="公示截止日期")


class AffairsNoticeOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    kind: str
    kind_label: str
    title: str
    published_on: dt.date
    expires_on: dt.date | None
    pinned: bool
    withdrawn: bool
    read: bool
    objection_open: bool = Field(description="公示期内，可提出异议")
    notice_ends_on: dt.date | None = Field(description="公示截止日期")

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_read(obj):
        return bool(getattr(obj, "is_read", False))

    @staticmethod
    def resolve_objection_open(obj):
        return _objection_open(obj)

    @staticmethod
    def resolve_notice_ends_on(obj):
        return obj.public_notice.ends_on if obj.public_notice_id else None


class AffairsObjectionOut(Schema):
    id: int
    author: str
    reason: str
    status: str
    status_label: str
    resolution: str
    created_at: dt.datetime


class NoticeDetailOut(NoticeBase):
    body: str
    withdrawn_reason: str
    attachments: list[FileOut]
    notice_status: str | None
    my_objections: list[AffairsObjectionOut] = []


def _objection_open(n: AffairsNotice) -> bool:
    pn = n.public_notice
    return bool(
        pn is not None
        and not n.withdrawn
        and pn.status == "open"
        and pn.starts_on <= timezone.localdate() <= pn.ends_on
    )


def _notice_out(n: AffairsNotice) -> dict:
    return {
        "id": n.pk,
        "org_id": n.org_id,
        "org_name": n.org.name,
        "kind": n.kind,
        "kind_label": n.get_kind_display(),
        "title": n.title,
        "published_on": n.published_on,
        "expires_on": n.expires_on,
        "pinned": n.pinned,
        "withdrawn": n.withdrawn,
        "read": bool(getattr(n, "is_read", False)),
        "objection_open": _objection_open(n),
        "notice_ends_on": n.public_notice.ends_on if n.public_notice_id else None,
    }


def _objection_out(o: Objection, *, reveal: bool) -> dict:
    return {
        "id": o.pk,
        "author": "匿名" if o.anonymous and not reveal else selectors.display_name(o.author),
        "reason": o.reason,
        "status": o.status,
        "status_label": o.get_status_display(),
        "resolution": o.resolution,
        "created_at": o.created_at,
    }


def _notice_detail(n: AffairsNotice, user) -> dict:
    mine = []
    if n.public_notice_id:
        mine = [
            _objection_out(o, reveal=True)
            for o in n.public_notice.objections.filter(author=user).select_related("author__person")
        ]
    return _notice_out(n) | {
        "body": n.body,
        "withdrawn_reason": n.withdrawn_reason,
        "attachments": [
            {"id": str(f.pk), "name": f.original_name, "url": f"/files/{f.pk}/"} for f in n.attachments.all()
        ],
        "notice_status": n.public_notice.status if n.public_notice_id else None,
        "my_objections": mine,
    }


class AffairsObjectionIn(Schema):
    reason: str = Field(max_length=2000)
    anonymous: bool = False


# --- members: 党务公开 -----------------------------------------------------------------------------------


@router.get("/notices", response=list[AffairsNoticeOut], summary="党务公开（本人所在组织链）")
@permission.own()
@paginate(PageNumber)
def notices(request, kind: str = "", unread: bool = False):
    qs = selectors.notices_for(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    if unread:
        qs = qs.filter(is_read=False)
    return qs


@router.get("/notices/{notice_id}", response=NoticeDetailOut, summary="一条党务公开（记录阅读回执）")
@permission.own()
def notice(request, notice_id: int):
    n = selectors.notice_get(request.auth, notice_id)
    services.notice_read(user=request.auth, notice=n)
    n.is_read = True
    return _notice_detail(n, request.auth)


@router.post("/notices/{notice_id}/objections", response={201: AffairsObjectionOut}, summary="对公示提出异议")
@permission.own()
def notice_object(request, notice_id: int, payload: AffairsObjectionIn):
    n = selectors.notice_get(request.auth, notice_id)
    o = services.notice_object(
        actor=request.auth, notice=n, reason=payload.reason, anonymous=payload.anonymous
    )
    return Status(201, _objection_out(o, reveal=True))


# --- members: 协商议事 -----------------------------------------------------------------------------------


class ConsultationOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    topic: str
    enterprise: str | None
    status: str
    status_label: str
    followups_total: int
    followups_done: int
    followups_overdue: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_enterprise(obj):
        return obj.enterprise.name if obj.enterprise_id else None

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class PartyOut(Schema):
    id: int
    side: str
    side_label: str
    name: str


class ConsultationMeetingOut(Schema):
    id: int
    held_at: dt.datetime
    mode: str
    mode_label: str
    link: str
    place: str
    minutes: str
    attended: list[str]


class OpinionOut(Schema):
    id: int
    author: str
    text: str
    created_at: dt.datetime


class FollowUpOut(Schema):
    id: int
    what: str
    who: str
    due_on: dt.date
    done_on: dt.date | None
    note: str
    overdue: bool


class ConsultationDetailOut(Schema):
    id: int
    org_id: int
    org_name: str
    topic: str
    background: str
    enterprise: str | None
    status: str
    status_label: str
    outcome: str
    decided_at: dt.datetime | None
    parties: list[PartyOut]
    meetings: list[ConsultationMeetingOut]
    opinions: list[OpinionOut]
    followups: list[FollowUpOut]
    overdue: int


def _consultation_detail(c: Consultation, user, *, manager: bool) -> dict:
    d = selectors.consultation_detail(c)
    opinions = d["opinions"] if manager else [o for o in d["opinions"] if o.author_id == user.pk]
    return {
        "id": c.pk,
        "org_id": c.org_id,
        "org_name": c.org.name,
        "topic": c.topic,
        "background": c.background,
        "enterprise": c.enterprise.name if c.enterprise_id else None,
        "status": c.status,
        "status_label": c.get_status_display(),
        "outcome": c.outcome,
        "decided_at": c.decided_at,
        "parties": [
            {"id": p.pk, "side": p.side, "side_label": p.get_side_display(), "name": p.name}
            for p in d["parties"]
        ],
        "meetings": [
            {
                "id": m.pk,
                "held_at": m.held_at,
                "mode": m.mode,
                "mode_label": m.get_mode_display(),
                "link": m.link,
                "place": m.place,
                "minutes": m.minutes,
                "attended": [p.name for p in m.attended.all()],
            }
            for m in d["meetings"]
        ],
        "opinions": [
            {
                "id": o.pk,
                "author": selectors.display_name(o.author),
                "text": o.text,
                "created_at": o.created_at,
            }
            for o in opinions
        ],
        "followups": [
            {
                "id": f.pk,
                "what": f.what,
                "who": f.who,
                "due_on": f.due_on,
                "done_on": f.done_on,
                "note": f.note,
                "overdue": f.overdue,
            }
            for f in d["followups"]
        ],
        "overdue": d["overdue"],
    }


class OpinionIn(Schema):
    text: str = Field(max_length=2000)


@router.get("/consultations", response=list[ConsultationOut], summary="协商议事（本人所在组织链）")
@permission.own()
@paginate(PageNumber)
def consultations(request, status: str = ""):
    qs = selectors.consultations_for(request.auth)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get(
    "/consultations/{consultation_id}",
    response=ConsultationDetailOut,
    summary="一项协商：参与方、会议、结果与落实",
)
@permission.own()
def consultation(request, consultation_id: int):
    c = selectors.consultation_get(request.auth, consultation_id)
    return _consultation_detail(c, request.auth, manager=False)


@router.post(
    "/consultations/{consultation_id}/opinions", response={201: OpinionOut}, summary="提出意见（协商结束前）"
)
@permission.own()
def opinion_submit(request, consultation_id: int, payload: OpinionIn):
    c = selectors.consultation_get(request.auth, consultation_id)
    o = services.opinion_submit(actor=request.auth, consultation=c, text=payload.text)
    return Status(
        201,
        {"id": o.pk, "author": selectors.display_name(o.author), "text": o.text, "created_at": o.created_at},
    )


# --- members: 示范岗 and 责任区 ----------------------------------------------------------------------------


class HoldingOut(Schema):
    person_id: int
    person: str
    start_on: dt.date
    end_on: dt.date | None


class DesignationBase(Schema):
    id: int
    org_id: int
    org_name: str
    kind: str
    kind_label: str
    name: str
    place: str
    stands_for: str
    holder: HoldingOut | None
    deeds: int
    ended_on: dt.date | None


class DesignationOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    kind: str
    kind_label: str
    name: str
    place: str
    stands_for: str
    holder: HoldingOut | None
    deeds: int = Field(0, validation_alias="deed_count")
    ended_on: dt.date | None

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_holder(obj):
        return _holding_out(selectors.holder_of(obj))


def _holding_out(h) -> dict | None:
    if h is None:
        return None
    return {"person_id": h.person_id, "person": h.person.name, "start_on": h.start_on, "end_on": h.end_on}


def _designation_out(d: Designation) -> dict:
    return {
        "id": d.pk,
        "org_id": d.org_id,
        "org_name": d.org.name,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "name": d.name,
        "place": d.place,
        "stands_for": d.stands_for,
        "holder": _holding_out(selectors.holder_of(d)),
        "deeds": getattr(d, "deed_count", 0),
        "ended_on": d.ended_on,
    }


class DeedOut(Schema):
    id: int
    person: str
    done_on: dt.date
    text: str
    photo_url: str | None


def _deed_out(x) -> dict:
    return {
        "id": x.pk,
        "person": x.person.name,
        "done_on": x.done_on,
        "text": x.text,
        "photo_url": f"/files/{x.photo_id}/" if x.photo_id else None,
    }


class DeedIn(Schema):
    done_on: dt.date
    text: str = Field(max_length=2000)
    photo: FileIn | None = None


@router.get("/designations/mine", response=list[DesignationOut], summary="我的示范岗与责任区")
@permission.own()
def designations_mine(request):
    return selectors.designations_mine(request.auth)


@router.post(
    "/designations/mine/{designation_id}/deeds", response={201: DeedOut}, summary="记录履职（在岗党员）"
)
@permission.own()
def deed_mine(request, designation_id: int, payload: DeedIn):
    d = selectors.designation_mine(request.auth, designation_id)
    photo = decode_files([payload.photo], field="photo")[0] if payload.photo else None
    x = services.deed_record(
        actor=request.auth, designation=d, done_on=payload.done_on, text=payload.text, photo=photo
    )
    return Status(201, _deed_out(x))


# --- the org and the offices: 党务公开 --------------------------------------------------------------------


class NoticeManagedOut(AffairsNoticeOut):
    reads: int = Field(validation_alias="read_count")


class AffairsNoticeIn(Schema):
    org_id: int
    kind: KINDS
    title: str = Field(max_length=100)
    body: str = Field(max_length=20000)
    published_on: dt.date | None = None
    expires_on: dt.date | None = None
    pinned: bool = False
    window_days: int = Field(5, description="公示期（工作日），仅发展党员公示、评选结果")
    attachments: list[FileIn] = []


class ReceiptOut(Schema):
    name: str
    read_at: dt.datetime
    in_audience: bool


class UnreadOut(Schema):
    name: str
    org: str


class NoticeManageOut(NoticeDetailOut):
    audience: int
    read_count: int
    receipts: list[ReceiptOut]
    unread: list[UnreadOut]
    objections: list[AffairsObjectionOut]


def _notice_manage(n: AffairsNotice, user) -> dict:
    r = selectors.receipts(n)
    objections = []
    if n.public_notice_id:
        objections = [
            _objection_out(o, reveal=False)
            for o in n.public_notice.objections.select_related("author__person")
        ]
    return _notice_detail(n, user) | {
        "audience": r["audience"],
        "read_count": r["read"],
        "receipts": r["reads"],
        "unread": r["unread"],
        "objections": objections,
    }


class WithdrawIn(Schema):
    reason: str = Field(max_length=300)


class PinIn(Schema):
    pinned: bool


class ResolveIn(Schema):
    objection_id: int
    upheld: bool
    resolution: str = Field(max_length=2000)


@router.get("/manage/notices", response=list[NoticeManagedOut], summary="管辖范围内的党务公开")
@permission("community", "affairs")
@paginate(PageNumber)
def notices_manage(request, kind: str = ""):
    return selectors.notices_managed(request.scope, kind=kind)


@router.post("/manage/notices", response={201: NoticeManageOut}, summary="发布党务公开（公示类开启异议期）")
@permission("community", "affairs")
def notice_publish(request, payload: AffairsNoticeIn):
    files = decode_files(payload.attachments, field="attachments")
    n = services.notice_publish(
        actor=request.auth, org=_org(payload.org_id), kind=payload.kind, title=payload.title, body=payload.body,
        published_on=payload.published_on, expires_on=payload.expires_on, pinned=payload.pinned,
        window_days=payload.window_days, attachments=files,
    )  # fmt: skip
    return Status(201, _notice_manage(selectors.notice_get(request.auth, n.pk), request.auth))


@router.get("/manage/notices/{notice_id}", response=NoticeManageOut, summary="党务公开的阅读回执与异议")
@permission("community", "affairs", model=AffairsNotice, lookup="notice_id")
def notice_manage(request, notice_id: int):
    request.scope.get(AffairsNotice, pk=notice_id)
    return _notice_manage(selectors.notice_get(request.auth, notice_id), request.auth)


@router.post("/manage/notices/{notice_id}/withdraw", response=NoticeManageOut, summary="撤回（写明原因）")
@permission("community", "affairs", model=AffairsNotice, lookup="notice_id")
def notice_withdraw(request, notice_id: int, payload: WithdrawIn):
    n = request.scope.get(AffairsNotice, pk=notice_id)
    services.notice_withdraw(actor=request.auth, notice=n, reason=payload.reason)
    return _notice_manage(selectors.notice_get(request.auth, notice_id), request.auth)


@router.post("/manage/notices/{notice_id}/pin", response=NoticeManageOut, summary="置顶或取消置顶")
@permission("community", "affairs", model=AffairsNotice, lookup="notice_id")
def notice_pin(request, notice_id: int, payload: PinIn):
    n = request.scope.get(AffairsNotice, pk=notice_id)
    services.notice_pin(actor=request.auth, notice=n, pinned=payload.pinned)
    return _notice_manage(selectors.notice_get(request.auth, notice_id), request.auth)


@router.post(
    "/manage/notices/{notice_id}/objections/resolve", response=AffairsObjectionOut, summary="核实公示异议"
)
@permission("community", "affairs", model=AffairsNotice, lookup="notice_id")
def objection_resolve(request, notice_id: int, payload: ResolveIn):
    n = request.scope.get(AffairsNotice, pk=notice_id)
    o = services.objection_resolve(
        actor=request.auth, notice=n, objection_id=payload.objection_id, upheld=payload.upheld,
        resolution=payload.resolution,
    )  # fmt: skip
    return _objection_out(o, reveal=False)


# --- the org and the offices: 协商议事 --------------------------------------------------------------------


class PartyIn(Schema):
    side: SIDES
    name: str = Field(max_length=60)
    user_id: int | None = None


class ConsultationIn(Schema):
    org_id: int
    topic: str = Field(max_length=100)
    background: str = Field(max_length=10000)
    enterprise_id: int | None = None
    parties: list[PartyIn] = []


class MeetingIn(Schema):
    held_at: dt.datetime
    mode: MODES
    link: str = Field("", max_length=200)
    place: str = Field("", max_length=120)
    minutes: str = Field("", max_length=20000)
    attended: list[int] = Field([], description="出席的参与方 id")


class ConsultationAdvanceIn(Schema):
    to: MOVES
    outcome: str = Field(
        "", max_length=20000, description="达成一致时为协议内容，未达成一致时为协商情况及分歧"
    )


class FollowUpIn(Schema):
    what: str = Field(max_length=200)
    who: str = Field(max_length=60)
    due_on: dt.date


class FollowUpDoneIn(Schema):
    followup_id: int
    note: str = Field(max_length=500)
    done_on: dt.date | None = None


def _enterprise(enterprise_id: int | None):
    if not enterprise_id:
        return None
    from sanxin.registry.models import Organization

    e = Organization.objects.filter(pk=enterprise_id).first()
    if e is None:
        raise NotFound("没有这个企业")
    return e


def _manage_detail(request, consultation_id: int) -> dict:
    c = request.scope.get(Consultation, pk=consultation_id)
    c = selectors.consultations_managed(request.scope).get(pk=c.pk)
    return _consultation_detail(c, request.auth, manager=True)


@router.get("/manage/consultations", response=list[ConsultationOut], summary="管辖范围内的协商议事")
@permission("community", "affairs")
@paginate(PageNumber)
def consultations_manage(request, status: str = "", overdue: bool = False):
    return selectors.consultations_managed(request.scope, status=status, overdue=overdue)


@router.post("/manage/consultations", response={201: ConsultationDetailOut}, summary="发起协商议事")
@permission("community", "affairs")
def consultation_create(request, payload: ConsultationIn):
    org = _org(payload.org_id)
    c = services.consultation_create(
        actor=request.auth, org=org, topic=payload.topic, background=payload.background,
        enterprise=_enterprise(payload.enterprise_id),
        parties=[(p.side, p.name, p.user_id) for p in payload.parties],
    )  # fmt: skip
    return Status(201, _manage_detail(request, c.pk))


@router.get(
    "/manage/consultations/{consultation_id}",
    response=ConsultationDetailOut,
    summary="协商议事详情（含全部意见）",
)
@permission("community", "affairs", model=Consultation, lookup="consultation_id")
def consultation_manage(request, consultation_id: int):
    return _manage_detail(request, consultation_id)


@router.post(
    "/manage/consultations/{consultation_id}/parties",
    response={201: ConsultationDetailOut},
    summary="增加参与方",
)
@permission("community", "affairs", model=Consultation, lookup="consultation_id")
def party_add(request, consultation_id: int, payload: PartyIn):
    c = request.scope.get(Consultation, pk=consultation_id)
    services.party_add(
        actor=request.auth, consultation=c, side=payload.side, name=payload.name, user_id=payload.user_id
    )
    return Status(201, _manage_detail(request, c.pk))


@router.post(
    "/manage/consultations/{consultation_id}/meetings",
    response={201: ConsultationDetailOut},
    summary="安排协商会议（线上云议事或线下），可附纪要与出席方",
)
@permission("community", "affairs", model=Consultation, lookup="consultation_id")
def meeting_add(request, consultation_id: int, payload: MeetingIn):
    c = request.scope.get(Consultation, pk=consultation_id)
    services.meeting_add(
        actor=request.auth, consultation=c, held_at=payload.held_at, mode=payload.mode, link=payload.link,
        place=payload.place, minutes=payload.minutes, attended_ids=payload.attended,
    )  # fmt: skip
    return Status(201, _manage_detail(request, c.pk))


@router.post(
    "/manage/consultations/{consultation_id}/advance",
    response=ConsultationDetailOut,
    summary="推进：协商中、达成一致/未达成一致（写明结果）、跟踪落实、办结",
)
@permission("community", "affairs", model=Consultation, lookup="consultation_id")
def consultation_advance(request, consultation_id: int, payload: ConsultationAdvanceIn):
    c = request.scope.get(Consultation, pk=consultation_id)
    services.consultation_advance(actor=request.auth, consultation=c, to=payload.to, outcome=payload.outcome)
    return _manage_detail(request, c.pk)


@router.post(
    "/manage/consultations/{consultation_id}/followups",
    response={201: ConsultationDetailOut},
    summary="添加跟踪落实事项",
)
@permission("community", "affairs", model=Consultation, lookup="consultation_id")
def followup_add(request, consultation_id: int, payload: FollowUpIn):
    c = request.scope.get(Consultation, pk=consultation_id)
    services.followup_add(
        actor=request.auth, consultation=c, what=payload.what, who=payload.who, due_on=payload.due_on
    )
    return Status(201, _manage_detail(request, c.pk))


@router.post(
    "/manage/consultations/{consultation_id}/followups/done",
    response=ConsultationDetailOut,
    summary="落实事项完成（写明情况）",
)
@permission("community", "affairs", model=Consultation, lookup="consultation_id")
def followup_done(request, consultation_id: int, payload: FollowUpDoneIn):
    c = request.scope.get(Consultation, pk=consultation_id)
    services.followup_done(
        actor=request.auth, consultation=c, followup_id=payload.followup_id, note=payload.note,
        done_on=payload.done_on,
    )  # fmt: skip
    return _manage_detail(request, c.pk)


# --- the org and the offices: 示范岗 and 责任区 -------------------------------------------------------------


class DesignationIn(Schema):
    org_id: int
    kind: DKINDS
    name: str = Field(max_length=60)
    place: str = Field(max_length=200)
    stands_for: str = Field("", max_length=300)
    person_id: int | None = Field(None, description="在岗党员；不填则暂空缺，之后再确定")
    start_on: dt.date | None = None


class AssignIn(Schema):
    person_id: int
    start_on: dt.date | None = None


class StaffDeedIn(Schema):
    done_on: dt.date
    text: str = Field(max_length=2000)


class DesignationDetailOut(DesignationBase):
    history: list[HoldingOut]
    deed_list: list[DeedOut]


def _designation_detail(request, designation_id: int) -> dict:
    d = request.scope.get(Designation, pk=designation_id)
    d = selectors.designations_managed(request.scope, ended=d.ended_on is not None).get(pk=d.pk)
    return _designation_out(d) | {
        "history": [_holding_out(h) for h in selectors.history(d)],
        "deed_list": [_deed_out(x) for x in selectors.deeds(d)],
    }


def _person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise InvalidInput("只能由本组织（含下级组织）的党员担任", field="person_id")
    return person


@router.get("/manage/designations", response=list[DesignationOut], summary="管辖范围内的示范岗与责任区")
@permission("community", "affairs")
@paginate(PageNumber)
def designations_manage(request, kind: str = "", ended: bool = False):
    return selectors.designations_managed(request.scope, kind=kind, ended=ended)


@router.post("/manage/designations", response={201: DesignationDetailOut}, summary="设立示范岗或责任区")
@permission("community", "affairs")
def designation_create(request, payload: DesignationIn):
    d = services.designation_create(
        actor=request.auth, org=_org(payload.org_id), kind=payload.kind, name=payload.name, place=payload.place,
        stands_for=payload.stands_for, person=_person(payload.person_id) if payload.person_id else None,
        start_on=payload.start_on,
    )  # fmt: skip
    return Status(201, _designation_detail(request, d.pk))


@router.get(
    "/manage/designations/{designation_id}",
    response=DesignationDetailOut,
    summary="示范岗/责任区：在岗历史与履职",
)
@permission("community", "affairs", model=Designation, lookup="designation_id")
def designation_manage(request, designation_id: int):
    return _designation_detail(request, designation_id)


@router.post(
    "/manage/designations/{designation_id}/assign",
    response=DesignationDetailOut,
    summary="更换在岗党员（保留历史）",
)
@permission("community", "affairs", model=Designation, lookup="designation_id")
def designation_assign(request, designation_id: int, payload: AssignIn):
    d = request.scope.get(Designation, pk=designation_id)
    services.designation_assign(
        actor=request.auth, designation=d, person=_person(payload.person_id), start_on=payload.start_on
    )
    return _designation_detail(request, d.pk)


@router.post("/manage/designations/{designation_id}/deeds", response={201: DeedOut}, summary="代为记录履职")
@permission("community", "affairs", model=Designation, lookup="designation_id")
def designation_deed(request, designation_id: int, payload: StaffDeedIn):
    d = request.scope.get(Designation, pk=designation_id)
    x = services.deed_record(actor=request.auth, designation=d, done_on=payload.done_on, text=payload.text)
    return Status(201, _deed_out(x))


__all__ = ["ConsultationStatus", "router"]
