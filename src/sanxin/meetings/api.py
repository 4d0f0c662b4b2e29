"""/api/v1/meetings: organization life. Lists, details and compliance are scoped (meetings module);
the branch's writes need ``meetings.create`` / ``change``; a member's own check-in, leave, make-up and
calendar feed are under /mine. Every write goes through ``meetings.services``."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.errors import InvalidInput, NotFound
from sanxin.core.permissions import permission
from sanxin.core.scope import scope_for
from sanxin.members.models import Member
from sanxin.orgs.models import Org, Person

from . import rules, selectors, services
from .models import (
    Attendance,
    Kind,
    Meeting,
    MeetingStatus,
    Mode,
    Series,
    Venue,
)

router = Router(tags=["组织生活"])

KINDS = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
MODES = Literal[tuple(Mode.values)]  # type: ignore[valid-type]


class VenueOut(Schema):
    id: int = Field(validation_alias="pk")
    name: str
    kind: str
    org_id: int
    address: str
    lat: float | None
    lng: float | None
    capacity: int | None
    active: bool


class MeetingOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    held_on: dt.date
    mode: str
    venue_id: int | None
    venue_name: str | None = Field(None, validation_alias="venue.name")
    place: str
    online_url: str
    status: str
    status_label: str = Field(validation_alias="get_status_display")
    series_id: int | None
    lecturer_id: int | None
    invited_count: int = Field(description="应到（办结时统计）")
    voting_count: int = Field(description="有表决权的党员（办结时统计）")
    present_count: int
    present_voting: int
    quorum_met: bool | None = Field(description="是否达到到会要求（办结时按当日制度判定）")


class AttendanceOut(Schema):
    id: int = Field(validation_alias="pk")
    member_id: int
    member_name: str = Field(validation_alias="member.person.name")
    status: str
    status_label: str = Field(validation_alias="get_status_display")
    voting: bool
    checked_in_at: dt.datetime | None
    method: str
    distance_m: int | None
    leave_reason: str
    leave_note: str


class DecisionOut(Schema):
    title: str
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    entitled: int | None
    carried: bool | None


class AmendmentOut(Schema):
    text: str
    reason: str
    created_at: dt.datetime


class MinutesOut(Schema):
    content: str
    signed_at: dt.datetime | None
    decisions: list[DecisionOut]
    amendments: list[AmendmentOut]

    @staticmethod
    def resolve_decisions(obj):
        return list(obj.decisions.all())

    @staticmethod
    def resolve_amendments(obj):
        return list(obj.amendments.all())


class MeetingDetailOut(MeetingOut):
    attendances: list[AttendanceOut]
    minutes: MinutesOut | None = None

    @staticmethod
    def resolve_attendances(obj):
        return list(selectors.attendance_of(obj))

    @staticmethod
    def resolve_minutes(obj):
        return getattr(obj, "minutes", None)


def _meeting(request, meeting_id: int, action: str = "view") -> Meeting:
    return scope_for(request.auth, "meetings", action).get(
        Meeting.objects.select_related("org", "venue"), pk=meeting_id
    )


# --- lists ---------------------------------------------------------------------------------------------


class MeetingQuery(Schema):
    org_id: int | None = Field(None, description="只看该组织及其下级")
    kind: Literal[("", *Kind.values)] = ""  # type: ignore[valid-type]
    status: Literal[("", *MeetingStatus.values)] = ""  # type: ignore[valid-type]
    start: dt.date | None = Field(None, description="召开日期起（含）")
    end: dt.date | None = Field(None, description="召开日期止（不含）")


@router.get("/", response=list[MeetingOut], summary="会议列表（日历）")
@paginate(PageNumber)
@permission("meetings", "view")
def meeting_list(request, filters: Query[MeetingQuery]):
    org = request.scope.get(Org, pk=filters.org_id) if filters.org_id else None
    return selectors.meeting_list(
        request.scope, org=org, kind=filters.kind, status=filters.status, start=filters.start, end=filters.end
    )


class ScheduleIn(Schema):
    org_id: int
    kind: KINDS
    topic: str = Field(max_length=200)
    starts_at: dt.datetime = Field(description="带时区，如 2026-12-15T09:00:00+08:00")
    ends_at: dt.datetime | None = None
    mode: MODES = "offline"
    venue_id: int | None = None
    place: str = Field("", max_length=200)
    online_url: str = Field("", max_length=200)
    lecturer_person_id: int | None = Field(None, description="党课授课人")
    remind_minutes: int = Field(24 * 60, ge=0, le=14 * 24 * 60)
    checkin_radius_m: int = Field(300, ge=30, le=5000)
    audience: Literal["", "members", "committee", "group", "selection"] = Field(
        "", description="默认按制度；selection：只邀请 extra_member_ids"
    )
    extra_member_ids: list[int] = Field(
        default_factory=list, max_length=500, description="另行邀请的党员（如流入党员）"
    )


def _venue(venue_id: int | None) -> Venue | None:
    if venue_id is None:
        return None
    venue = Venue.objects.select_related("org").filter(pk=venue_id).first()
    if venue is None:
        raise NotFound("没有找到该场所", field="venue_id")
    return venue


def _members(request, ids: list[int]) -> list[Member]:
    if not ids:
        return []
    found = list(
        scope_for(request.auth, "people", "view")
        .filter(Member.objects.select_related("person"))
        .filter(pk__in=ids)
    )
    if len(found) != len(set(ids)):
        raise NotFound("部分党员不存在或不在您的管理范围内", field="extra_member_ids")
    return found


def _aware(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        raise InvalidInput("时间须带时区（如 +08:00）", field=field)
    return value


@router.post("/", response={201: MeetingDetailOut}, summary="安排会议（并按制度邀请参会人员）")
@permission("meetings", "create")
def meeting_schedule(request, payload: ScheduleIn):
    org = request.scope.get(Org, pk=payload.org_id)
    lecturer = None
    if payload.lecturer_person_id:
        lecturer = scope_for(request.auth, "people", "view").get(Person, pk=payload.lecturer_person_id)
    meeting = services.meeting_schedule(
        actor=request.auth,
        org=org,
        kind=payload.kind,
        topic=payload.topic,
        starts_at=_aware(payload.starts_at, "starts_at"),
        ends_at=_aware(payload.ends_at, "ends_at"),
        mode=payload.mode,
        venue=_venue(payload.venue_id),
        place=payload.place,
        online_url=payload.online_url,
        lecturer=lecturer,
        remind_minutes=payload.remind_minutes,
        checkin_radius_m=payload.checkin_radius_m,
        invite=payload.audience,
        extra_members=_members(request, payload.extra_member_ids),
    )
    return Status(201, meeting)


class SeriesIn(Schema):
    org_id: int
    kind: KINDS
    topic: str = Field(max_length=200)
    rrule: str = Field(max_length=200, description="RFC 5545 重复规则，如 FREQ=MONTHLY;BYMONTHDAY=15")
    first_on: dt.date
    local_time: dt.time = Field(description="北京时间，如 09:00")
    minutes: int = Field(90, ge=10, le=720)
    mode: MODES = "offline"
    venue_id: int | None = None
    place: str = Field("", max_length=200)
    online_url: str = Field("", max_length=200)
    until: dt.date | None = Field(None, description="安排到该日（不含），默认一年")


class SeriesOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    kind: str
    topic: str
    rrule: str
    first_on: dt.date
    local_time: dt.time
    meetings: list[MeetingOut]

    @staticmethod
    def resolve_meetings(obj):
        return list(obj.meetings.select_related("org", "venue").order_by("starts_at"))


@router.post("/series", response={201: SeriesOut}, summary="安排周期性会议（如每月15日主题党日）")
@permission("meetings", "create")
def series_create(request, payload: SeriesIn):
    org = request.scope.get(Org, pk=payload.org_id)
    series = services.series_create(
        actor=request.auth,
        org=org,
        kind=payload.kind,
        topic=payload.topic,
        rrule=payload.rrule,
        first_on=payload.first_on,
        local_time=payload.local_time,
        minutes=payload.minutes,
        mode=payload.mode,
        venue=_venue(payload.venue_id),
        place=payload.place,
        online_url=payload.online_url,
        horizon=payload.until,
    )
    return Status(201, series)


class ExceptionIn(Schema):
    on: dt.date = Field(description="原定日期")
    reason: str = Field(max_length=200)
    moved_to: dt.datetime | None = Field(None, description="改期至（带时区）；不填则本次取消")


@router.post("/series/{series_id}/exceptions", response=SeriesOut, summary="周期性会议的例外：某次取消或改期")
@permission("meetings", "change", model=Series, lookup="series_id")
def series_except(request, series_id: int, payload: ExceptionIn):
    series = request.scope.get(Series.objects.select_related("org", "venue"), pk=series_id)
    services.series_except(
        actor=request.auth,
        series=series,
        on=payload.on,
        reason=payload.reason,
        moved_to=_aware(payload.moved_to, "moved_to"),
    )
    return series


class ComplianceQuery(Schema):
    org_id: int | None = Field(None, description="按该组织的下级汇总（默认：本人可见范围）")
    period: Literal["month", "quarter", "year"] = "month"
    on: dt.date | None = Field(None, description="该日所在的周期（默认今天）")


class RequirementOut(Schema):
    key: str
    kind: str
    kind_label: str
    start: dt.date
    end: dt.date
    min_count: int
    label: str


class ComplianceRowOut(Schema):
    org_id: int | None
    org_name: str | None
    branches: int
    compliant: int
    missed: int
    pending: int
    rate: float | None = Field(description="达标率（%）")
    attendance_rate: float | None = Field(description="到会率（%）")


class ComplianceOut(Schema):
    start: dt.date
    end: dt.date
    requirements: list[RequirementOut]
    rows: list[ComplianceRowOut]
    total: ComplianceRowOut


def _window(period: str, on: dt.date | None) -> tuple[dt.date, dt.date]:
    on = on or timezone.localdate()
    return rules.period_start(on, period), rules.period_end(on, period)


def _row(row: dict) -> dict:
    org = row.get("org")
    return {
        "org_id": org.pk if org else None,
        "org_name": org.name if org else None,
        "branches": row["branches"],
        "compliant": row["compliant_n"] or 0,
        "missed": row["missed_n"] or 0,
        "pending": row["pending_n"] or 0,
        "rate": row["rate"],
        "attendance_rate": row["attendance_rate"],
    }


@router.get("/compliance", response=ComplianceOut, summary="三会一课落实情况（按下级汇总）")
@permission("meetings", "view")
def compliance(request, params: Query[ComplianceQuery]):
    under = request.scope.get(Org, pk=params.org_id) if params.org_id else None
    start, end = _window(params.period, params.on)
    table = selectors.compliance(request.scope, start, end, under=under)
    return {
        "start": start,
        "end": end,
        "requirements": [{**q.__dict__, "kind_label": q.kind_label} for q in table.requirements],
        "rows": [_row(r) for r in table.rows],
        "total": _row(table.total),
    }


class VenueIn(Schema):
    org_id: int
    name: str = Field(max_length=120)
    kind: Literal["room", "centre", "station", "other"] = "room"
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    capacity: int | None = Field(None, ge=1, le=100000)


@router.get("/venues", response=list[VenueOut], summary="活动场所")
@paginate(PageNumber)
@permission("meetings", "view")
def venue_list(request):
    return selectors.venues(request.scope)


@router.post("/venues", response={201: VenueOut}, summary="登记活动场所")
@permission("meetings", "create")
def venue_create(request, payload: VenueIn):
    org = request.scope.get(Org, pk=payload.org_id)
    data = payload.dict(exclude={"org_id", "name", "kind"})
    return Status(
        201, services.venue_create(actor=request.auth, org=org, name=payload.name, kind=payload.kind, **data)
    )


class RuleOut(Schema):
    id: int = Field(validation_alias="pk")
    org_type: str
    kind: str
    period: str
    min_count: int
    audience: str
    quorum: str
    start_on: dt.date
    end_on: dt.date | None
    note: str


class RuleIn(Schema):
    org_type: str = Field("", max_length=20, description="空：所有支部类别的默认制度")
    kind: KINDS
    period: Literal["month", "quarter", "half_year", "year"]
    min_count: int = Field(ge=1, le=31)
    audience: Literal["members", "committee", "group"]
    quorum: Literal["none", "voting_majority", "invited_majority"] = "none"
    start_on: dt.date
    note: str = Field("", max_length=200)


@router.get("/rules", response=list[RuleOut], summary="组织生活制度（含历史）")
@permission.reference()
def rule_list(request):
    return list(selectors.rule_history())


@router.post("/rules", response={201: RuleOut}, summary="设定新的组织生活制度（自某周期首日起施行）")
@permission("meetings", "rules")
def rule_set(request, payload: RuleIn):
    return Status(201, services.rule_set(actor=request.auth, **payload.dict()))


class MeetingDecisionIn(Schema):
    title: str = Field(max_length=200)
    votes_for: int | None = Field(None, ge=0)
    votes_against: int | None = Field(None, ge=0)
    abstentions: int | None = Field(None, ge=0)


class MinutesIn(Schema):
    content: str = Field(max_length=50000)
    decisions: list[MeetingDecisionIn] | None = None


# --- the member's own ------------------------------------------------------------------------------------


class MyMeetingOut(Schema):
    attendance_id: int = Field(validation_alias="pk")
    status: str
    status_label: str = Field(validation_alias="get_status_display")
    meeting: MeetingOut


@router.get("/mine", response=list[MyMeetingOut], summary="我的会议（即将召开在前）")
@permission.own()
def my_meetings(request, upcoming: bool = True):
    return list(selectors.my_attendances(request.auth, upcoming=upcoming)[:100])


class CheckinIn(Schema):
    method: Literal["qr", "location", "online"]
    token: str = Field("", max_length=80, description="扫码所得的签到码")
    lat: float | None = None
    lng: float | None = None


def _mine(request, meeting_id: int) -> Meeting:
    """A meeting the caller was invited to; any other meeting is the member's ``not_invited``."""
    meeting = Meeting.objects.select_related("org", "venue").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound()
    return meeting


@router.post("/mine/{meeting_id}/checkin", response=AttendanceOut, summary="签到（扫码、定位或线上）")
@permission.own()
def my_checkin(request, meeting_id: int, payload: CheckinIn):
    return services.checkin(
        actor=request.auth,
        meeting=_mine(request, meeting_id),
        method=payload.method,
        token=payload.token,
        lat=payload.lat,
        lng=payload.lng,
    )


class MeetingReasonIn(Schema):
    reason: str = Field(max_length=200)


@router.post("/mine/{meeting_id}/leave", response=AttendanceOut, summary="请假")
@permission.own()
def my_leave(request, meeting_id: int, payload: MeetingReasonIn):
    return services.leave_request(
        actor=request.auth, meeting=_mine(request, meeting_id), reason=payload.reason
    )


class MakeUpOut(Schema):
    id: int = Field(validation_alias="pk")
    meeting_id: int = Field(validation_alias="attendance.meeting_id")
    topic: str = Field(validation_alias="attendance.meeting.topic")
    due_on: dt.date
    done_at: dt.datetime | None


@router.get("/mine/makeups", response=list[MakeUpOut], summary="我的补学任务")
@permission.own()
def my_makeups(request):
    return list(selectors.my_makeups(request.auth)[:100])


class ReflectionIn(Schema):
    reflection: str = Field(max_length=5000)


@router.post("/mine/makeups/{makeup_id}", response=MakeUpOut, summary="提交补学体会")
@permission.own()
def my_makeup_submit(request, makeup_id: int, payload: ReflectionIn):
    makeup = selectors.my_makeups(request.auth).filter(pk=makeup_id).first()
    if makeup is None:
        raise NotFound()
    return services.makeup_submit(actor=request.auth, makeup=makeup, reflection=payload.reflection)


class FeedOut(Schema):
    url: str = Field(description="iCalendar订阅地址（含密钥，勿外传；重新生成后旧地址失效）")


@router.post("/mine/calendar-feed", response=FeedOut, summary="生成我的会议日历订阅地址（.ics）")
@permission.own()
def my_feed(request):
    token = services.feed_token_issue(user=request.auth)
    return {"url": request.build_absolute_uri(f"/meetings/calendar/{token}.ics")}


class LeaveDecisionIn(Schema):
    grant: bool
    note: str = Field("", max_length=200)


@router.post("/leave/{attendance_id}", response=AttendanceOut, summary="审批请假")
@permission("meetings", "change", model=Attendance, lookup="attendance_id")
def leave_decide(request, attendance_id: int, payload: LeaveDecisionIn):
    att = request.scope.get(Attendance.objects.select_related("meeting", "member__person"), pk=attendance_id)
    return services.leave_decide(actor=request.auth, attendance=att, grant=payload.grant, note=payload.note)


# --- one meeting ---------------------------------------------------------------------------------------------


@router.put("/mine/{meeting_id}/minutes", response=MinutesOut, summary="指定记录人填写会议记录（签发前）")
@permission.own()
def my_minutes_save(request, meeting_id: int, payload: MinutesIn):
    return _save_minutes(request, _mine(request, meeting_id), payload)


def _save_minutes(request, meeting: Meeting, payload: MinutesIn):
    decisions = [d.dict() for d in payload.decisions] if payload.decisions is not None else None
    return services.minutes_save(
        actor=request.auth, meeting=meeting, content=payload.content, decisions=decisions
    )


@router.get("/{meeting_id}", response=MeetingDetailOut, summary="会议详情、出席和记录")
@permission("meetings", "view", model=Meeting, lookup="meeting_id")
def meeting_detail(request, meeting_id: int):
    return _meeting(request, meeting_id)


class CodeOut(Schema):
    token: str
    valid_seconds: int


@router.get("/{meeting_id}/checkin-code", response=CodeOut, summary="现场签到码（每30秒更新）")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def checkin_code(request, meeting_id: int):
    meeting = _meeting(request, meeting_id, "change")
    now = timezone.now()
    left = rules.WINDOW_SECONDS - int(now.timestamp()) % rules.WINDOW_SECONDS
    return {"token": rules.checkin_token(meeting.checkin_secret, meeting.pk, now), "valid_seconds": left}


class InviteIn(Schema):
    member_ids: list[int] = Field(min_length=1, max_length=500)


class InvitedOut(Schema):
    added: int


@router.post("/{meeting_id}/invite", response=InvitedOut, summary="邀请参会人员（如流入党员）")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def meeting_invite(request, meeting_id: int, payload: InviteIn):
    meeting = _meeting(request, meeting_id, "change")
    added = services.meeting_invite(
        actor=request.auth, meeting=meeting, members=_members(request, payload.member_ids)
    )
    return {"added": added}


@router.post("/{meeting_id}/cancel", response=MeetingOut, summary="取消会议")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def meeting_cancel(request, meeting_id: int, payload: MeetingReasonIn):
    return services.meeting_cancel(
        actor=request.auth, meeting=_meeting(request, meeting_id, "change"), reason=payload.reason
    )


@router.post(
    "/{meeting_id}/close", response=MeetingDetailOut, summary="办结会议（统计出席、判定到会要求、布置补学）"
)
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def meeting_close(request, meeting_id: int):
    return services.meeting_close(actor=request.auth, meeting=_meeting(request, meeting_id, "change"))


def _invitee(meeting: Meeting, member_id: int) -> Attendance:
    att = (
        Attendance.objects.filter(meeting=meeting, member_id=member_id)
        .select_related("member__person")
        .first()
    )
    if att is None:
        raise NotFound("该党员不在本次会议的参会人员名单中", field="member_id")
    return att


class RescheduleIn(Schema):
    starts_at: dt.datetime = Field(description="新的开始时间（带时区）")
    reason: str = Field(max_length=200)


@router.post("/{meeting_id}/reschedule", response=MeetingOut, summary="会议改期（通知参会人员）")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def meeting_reschedule(request, meeting_id: int, payload: RescheduleIn):
    return services.meeting_reschedule(
        actor=request.auth,
        meeting=_meeting(request, meeting_id, "change"),
        starts_at=_aware(payload.starts_at, "starts_at"),
        reason=payload.reason,
    )


class RecorderIn(Schema):
    member_id: int = Field(description="参会党员（须有账号）")


@router.post("/{meeting_id}/recorder", response=MeetingOut, summary="指定会议记录人")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def recorder_set(request, meeting_id: int, payload: RecorderIn):
    meeting = _meeting(request, meeting_id, "change")
    att = _invitee(meeting, payload.member_id)
    if att.member.person.user_id is None:
        raise InvalidInput("该党员尚无账号，不能指定为记录人", field="member_id")
    return services.recorder_set(actor=request.auth, meeting=meeting, user=att.member.person.user)


class RecordIn(Schema):
    member_id: int
    status: Literal["present", "late"] = "present"
    note: str = Field("", max_length=200)


@router.post("/{meeting_id}/attendance", response=AttendanceOut, summary="补录出席")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def attendance_record(request, meeting_id: int, payload: RecordIn):
    meeting = _meeting(request, meeting_id, "change")
    att = _invitee(meeting, payload.member_id)
    return services.attendance_record(
        actor=request.auth, meeting=meeting, member=att.member, status=payload.status, note=payload.note
    )


@router.put("/{meeting_id}/minutes", response=MinutesOut, summary="填写会议记录（签发前）")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def minutes_save(request, meeting_id: int, payload: MinutesIn):
    return _save_minutes(request, _meeting(request, meeting_id, "change"), payload)


@router.post("/{meeting_id}/minutes/sign", response=MinutesOut, summary="签发会议记录（签发后只能更正）")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def minutes_sign(request, meeting_id: int):
    return services.minutes_sign(actor=request.auth, meeting=_meeting(request, meeting_id, "change"))


class AmendIn(Schema):
    text: str = Field(max_length=5000)
    reason: str = Field(max_length=200)


@router.post("/{meeting_id}/minutes/amendments", response={201: AmendmentOut}, summary="更正已签发的会议记录")
@permission("meetings", "change", model=Meeting, lookup="meeting_id")
def minutes_amend(request, meeting_id: int, payload: AmendIn):
    return Status(
        201,
        services.minutes_amend(
            actor=request.auth,
            meeting=_meeting(request, meeting_id, "change"),
            text=payload.text,
            reason=payload.reason,
        ),
    )
