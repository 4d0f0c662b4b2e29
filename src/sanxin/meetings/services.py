"""Writes of organization life. Each takes the acting user (None for the system), checks the
meetings scope on the org concerned (404 outside it, as for reads), applies the rules, audits and,
where another module cares, publishes a domain event.

Who does what:

- a committee or the organization department sets the rules (``rule_set``, matrix ``meetings.rules``);
- the branch (secretary, ``meetings.create`` / ``change``) keeps venues, schedules meetings and series,
  invites, decides leave, records attendance by hand, closes a meeting and signs its minutes; the
  designated recorder may write the minutes before they are signed;
- a member checks in, asks for leave and does a make-up, on their own attendance only.

Check-in refusals (``RuleViolation`` codes): ``not_invited`` (not on this meeting's list — e.g. another
branch's meeting), ``not_open`` (outside 30 minutes before the start to the end, or the meeting is
closed or cancelled), ``already_checked_in``, ``qr_stale`` (a code older than its window — a photo
forwarded to someone absent), ``qr_invalid``, ``too_far`` (farther from the venue than its radius),
``no_location`` (the venue has no coordinates), ``not_online`` (an offline meeting joined online).
None of them changes the attendance row.

Events (ids and plain values): ``meetings.held`` (meeting_id, org_id, kind, on), ``meetings.attended``
(member_id, meeting_id, org_id, kind, on, method), ``meetings.absent`` (… excused), ``meetings.made_up``
(member_id, meeting_id, kind, on), ``meetings.lecture_given`` (person_id, meeting_id, org_id, on).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sanxin.core import audit, events, notify
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.models import StoredFile
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.members.models import Member, MemberStatus, OrgRelation, RelationKind, Standing
from sanxin.members.selectors import member_of
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus, OrgType, Post, PostTitle

from . import rules as r
from .models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Audience,
    CheckinMethod,
    Decision,
    FeedToken,
    Kind,
    MakeUp,
    Meeting,
    MeetingRule,
    MeetingStatus,
    Minutes,
    MinutesAmendment,
    Mode,
    Period,
    Series,
    SeriesException,
    Venue,
    VenueKind,
)

CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)
LATE_AFTER = dt.timedelta(minutes=10)
MAKEUP_DAYS = 30
REFLECTION_MIN_CHARS = 20
SERIES_HORIZON_DAYS = 366
COMMITTEE_TITLES = (
    PostTitle.SECRETARY,
    PostTitle.DEPUTY_SECRETARY,
    PostTitle.MEMBER,
    PostTitle.ORGANIZATION,
    PostTitle.PROPAGANDA,
    PostTitle.DISCIPLINE,
    PostTitle.YOUTH,
)
SELECTION = "selection"
HOLDING_TYPES = frozenset(BRANCH_TYPES | {OrgType.GENERAL_BRANCH, OrgType.GROUP})


# --- checks ----------------------------------------------------------------------------------------------


def _check(actor, obj, action: str) -> None:
    """Outside the actor's meetings scope for ``action``: 404, as for reads. None is the system."""
    if actor is not None and not scope_for(actor, "meetings", action).contains(obj):
        raise NotFound()


def _own_attendance(actor, meeting: Meeting) -> Attendance:
    member = member_of(actor)
    if member is None:
        raise PermissionDenied("只有党员本人可以签到、请假或补学")
    att = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if att is None:
        raise RuleViolation(
            "您不在本次会议的参会人员名单中（这是其他组织的会议），请参加本人所在组织的组织生活",
            code="not_invited",
        )
    return att


def _fresh(meeting: Meeting, *, lock: bool = False) -> Meeting:
    """The meeting as stored now (a caller's copy may be stale), locked when its state will change."""
    qs = Meeting.objects.select_related("org", "venue")
    return (qs.select_for_update(of=("self",)) if lock else qs).get(pk=meeting.pk)


def _local(at: dt.datetime) -> dt.datetime:
    if timezone.is_naive(at):
        raise InvalidInput("时间须带时区", field="starts_at")
    return at.astimezone(r.SHANGHAI)


# --- rules ------------------------------------------------------------------------------------------------


@transaction.atomic
def rule_set(
    *,
    actor,
    kind: str,
    period: str,
    min_count: int,
    audience: str,
    quorum: str = "none",
    org_type: str = "",
    start_on: dt.date,
    note: str = "",
) -> MeetingRule:
    """A new rule for (org type, kind) from ``start_on``: the rule in force then ends that day, so
    periods that began earlier keep being judged by it."""
    if actor is not None and scope_for(actor, "meetings", "rules").is_empty:
        raise PermissionDenied("只有党委或组织部门可以设定组织生活制度")
    if org_type and org_type not in HOLDING_TYPES:
        raise InvalidInput("该组织类别不召开三会一课", field="org_type")
    if start_on != r.period_start(start_on, period):
        raise InvalidInput(
            f"按{Period(period).label}考核的制度须从周期的第一天起施行（如{r.period_start(start_on, period):%Y-%m-%d}），"
            "以免同一周期适用两种要求",
            field="start_on",
        )
    current = (
        MeetingRule.objects.select_for_update()
        .filter(org_type=org_type, kind=kind, end_on__isnull=True)
        .first()
    )
    if current is not None:
        if current.start_on >= start_on:
            raise RuleViolation(
                f"现行制度自{current.start_on:%Y-%m-%d}起施行，新制度的施行日期须晚于该日",
                code="date_order",
                field="start_on",
            )
        if start_on != r.period_start(start_on, current.period):
            raise InvalidInput(
                f"现行制度按{current.get_period_display()}考核，新制度须从其一个周期的第一天起施行",
                field="start_on",
            )
        model_update(current, actor=actor, data={"end_on": start_on}, action="rule_end")
    return model_create(
        MeetingRule,
        actor=actor,
        org_type=org_type,
        kind=kind,
        period=period,
        min_count=min_count,
        audience=audience,
        quorum=quorum,
        start_on=start_on,
        note=note,
    )


def ensure_default_rules() -> None:
    """The DOMAIN defaults where no rule of their kind is open (what the data migration installs; for
    a database emptied since, such as a flushed test database)."""
    import importlib

    importlib.import_module("sanxin.meetings.migrations.0002_default_rules").ensure(MeetingRule)


def rule_for(org_type: str, kind: str, on: dt.date) -> MeetingRule | None:
    """The rule in force on ``on`` for an org type (its own, else the default for all branch types)."""
    rows = MeetingRule.objects.filter(MeetingRule.active_q(on), kind=kind, org_type__in=[org_type, ""])
    return min(rows, key=lambda rule: rule.org_type == "", default=None)


# --- venues -------------------------------------------------------------------------------------------


def venue_create(*, actor, org: Org, name: str, kind: str = VenueKind.ROOM, **fields) -> Venue:
    _check(actor, org, "create")
    return model_create(Venue, actor=actor, org=org, name=name, kind=kind, **fields)


def venue_update(*, actor, venue: Venue, data: dict) -> Venue:
    _check(actor, venue, "change")
    allowed = ["name", "kind", "address", "lat", "lng", "capacity", "active"]
    return model_update(venue, actor=actor, data=data, fields=allowed)[0]


def station_venue(event) -> Venue | None:
    """Keep the venue of a station (``stations.saved``): created with it, renamed, moved and closed
    with it; its ``source_key`` is ``station:<id>``."""
    from sanxin.stations.models import Station, StationStatus

    station = Station.objects.filter(pk=event.payload["station_id"]).first()
    if station is None:
        return None
    data = {
        "name": station.name[:120],
        "address": station.address,
        "lat": station.lat,
        "lng": station.lng,
        "capacity": station.capacity,
        "active": station.status == StationStatus.OPEN,
    }
    key = f"station:{station.pk}"
    venue = Venue.objects.filter(source_key=key).first()
    if venue is None:  # a venue already standing for the station, entered before it was registered
        venue = Venue.objects.filter(source_key="", kind=VenueKind.STATION, name=station.name).first()
        if venue is not None:
            venue.source_key = key
            venue.save(update_fields=["source_key"])
    if venue is None:
        return venue_create(actor=None, org=station.org, kind=VenueKind.STATION, source_key=key, **data)
    return venue_update(actor=None, venue=venue, data=data)


def venue_usable(venue: Venue, org: Org) -> bool:
    """A branch books its own rooms and those of the orgs above it, and any public place (a party-mass
    service centre or a station)."""
    if venue.kind in (VenueKind.CENTRE, VenueKind.STATION):
        return True
    return org.path.startswith(venue.org.path)


def _reserve(
    venue: Venue, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude: int | None = None
) -> None:
    """Refuse a booking that overlaps another meeting at the venue; the venue row is locked first, so
    two bookings at once cannot both pass."""
    Venue.objects.select_for_update().filter(pk=venue.pk).first()
    clash = (
        Meeting.objects.filter(venue=venue, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk=exclude)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        a, b = _local(clash.starts_at), _local(clash.ends_at)
        raise RuleViolation(
            f"“{venue.name}”在{a:%Y-%m-%d %H:%M}至{b:%H:%M}已被预约（{clash.topic}），请另选时间或场所",
            code="venue_taken",
            field="venue",
        )


# --- scheduling -------------------------------------------------------------------------------------------


def _check_place(mode: str, venue: Venue | None, place: str, online_url: str) -> None:
    if mode in (Mode.ONLINE, Mode.HYBRID) and not online_url:
        raise InvalidInput("线上会议须填写会议链接", field="online_url")
    if mode in (Mode.OFFLINE, Mode.HYBRID) and venue is None and not place:
        raise InvalidInput("线下会议须选择场所或填写地点", field="venue")


def _check_org(org: Org, kind: str) -> None:
    if org.status != OrgStatus.ACTIVE:
        raise RuleViolation("该组织已撤销或合并，不能再召开会议", code="org_inactive")
    if org.org_type not in HOLDING_TYPES:
        raise RuleViolation("三会一课由党支部（党总支、党小组）召开", code="not_a_branch")
    if org.org_type == OrgType.GROUP and kind != Kind.GROUP:
        raise RuleViolation("党小组只召开党小组会", code="wrong_kind", field="kind")


def audience_of(org: Org, audience: str, on: dt.date) -> list[Member]:
    """Who should attend on ``on``: the members who take part in the org's life (activity relation:
    their own branch, or the one hosting them as 流入党员), the branch committee, or a 党小组's members —
    members in good standing only (停止党籍 takes no part)."""
    if audience == Audience.COMMITTEE:
        people = Post.objects.filter(
            Q(end_on__isnull=True) | Q(end_on__gt=on), org=org, title__in=COMMITTEE_TITLES, start_on__lte=on
        ).values("person_id")
        qs = Member.objects.filter(person_id__in=people)
    else:
        relations = OrgRelation.objects.filter(OrgRelation.active_q(on), org=org, kind=RelationKind.ACTIVITY)
        qs = Member.objects.filter(pk__in=relations.values("member_id"))
    return list(qs.filter(status=MemberStatus.ACTIVE).select_related("person").order_by("person__name", "pk"))


def _invite(meeting: Meeting, members) -> int:
    existing = set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    rows = [
        Attendance(
            meeting=meeting,
            member=m,
            voting=m.standing == Standing.FULL,
            created_by=meeting.created_by,
        )
        for m in members
        if m.pk not in existing
    ]
    Attendance.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    org: Org,
    kind: str,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    mode: str = Mode.OFFLINE,
    venue: Venue | None = None,
    place: str = "",
    online_url: str = "",
    lecturer=None,
    remind_minutes: int = 24 * 60,
    checkin_radius_m: int = 300,
    invite: str = "",
    extra_members=(),
    series: Series | None = None,
    series_on: dt.date | None = None,
) -> Meeting:
    """Schedule a meeting and invite its audience (the rule's, or ``invite``), plus ``extra_members``
    (流动党员 attending here)."""
    _check(actor, org, "create")
    org = Org.objects.select_for_update().get(pk=org.pk)
    _check_org(org, kind)
    if not topic or not topic.strip():
        raise InvalidInput("请填写会议主题", field="topic")
    local = _local(starts_at)
    ends_at = ends_at or starts_at + dt.timedelta(minutes=90)
    if ends_at <= starts_at:
        raise InvalidInput("结束时间应晚于开始时间", field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=12):
        raise InvalidInput("一次会议不超过12小时", field="ends_at")
    _check_place(mode, venue, place, online_url)
    if venue is not None:
        if not venue.active:
            raise RuleViolation(f"“{venue.name}”暂停预约", code="venue_inactive", field="venue")
        if not venue_usable(venue, org):
            raise RuleViolation(
                f"“{venue.name}”属于其他组织，不能预约", code="venue_not_yours", field="venue"
            )
        _reserve(venue, starts_at, ends_at)
    if lecturer is not None and kind != Kind.LECTURE:
        raise InvalidInput("只有党课填写授课人", field="lecturer")
    meeting = model_create(
        Meeting,
        actor=actor,
        org=org,
        kind=kind,
        topic=topic.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        held_on=local.date(),
        mode=mode,
        venue=venue,
        place=place,
        online_url=online_url,
        lecturer=lecturer,
        remind_minutes=remind_minutes,
        checkin_radius_m=checkin_radius_m,
        series=series,
        series_on=series_on,
        recorder=None,
    )
    if not invite:
        rule = rule_for(org.org_type, kind, meeting.held_on)
        invite = rule.audience if rule else Audience.MEMBERS
    if invite != SELECTION:  # a selection invites only ``extra_members``
        _invite(meeting, audience_of(org, invite, meeting.held_on))
    extra = list(extra_members)
    if extra:
        _invite(meeting, [m for m in extra if m.status == MemberStatus.ACTIVE])
    return meeting


@transaction.atomic
def meeting_invite(*, actor, meeting: Meeting, members) -> int:
    """Invite more members (for instance mobile members who attend here); returns how many were new."""
    _check(actor, meeting, "change")
    meeting = _fresh(meeting, lock=True)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleViolation("会议已召开或已取消，不能再邀请", code="wrong_state")
    members = list(members)
    inactive = [m for m in members if m.status != MemberStatus.ACTIVE]
    if inactive:
        raise RuleViolation(f"{inactive[0].person.name}的党籍状态不能参加组织生活", code="member_inactive")
    added = _invite(meeting, members)
    audit.record(actor=actor, action="invite", obj=meeting, after={"members": [m.pk for m in members]})
    return added


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    _check(actor, meeting, "change")
    meeting = _fresh(meeting, lock=True)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleViolation("只有待召开的会议可以取消", code="wrong_state")
    if not reason or not reason.strip():
        raise InvalidInput("请填写取消原因", field="reason")
    meeting, _ = model_update(
        meeting,
        actor=actor,
        data={"status": MeetingStatus.CANCELLED, "cancel_reason": reason.strip()},
        action="cancel",
    )
    for user_id in _invitee_users(meeting):
        notify.notify(
            recipient=user_id,
            kind="meetings.reminder",
            title=f"会议已取消：{meeting.topic}",
            body=reason.strip(),
            url=f"/meetings/{meeting.pk}/",
            key=f"meetings.cancelled.{meeting.pk}",
        )
    return meeting


def _invitee_users(meeting: Meeting) -> list[int]:
    return list(
        Attendance.objects.filter(meeting=meeting, member__person__user__isnull=False).values_list(
            "member__person__user_id", flat=True
        )
    )


# --- series ---------------------------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *,
    actor,
    org: Org,
    kind: str,
    topic: str,
    rrule: str,
    first_on: dt.date,
    local_time: dt.time,
    minutes: int = 90,
    mode: str = Mode.OFFLINE,
    venue: Venue | None = None,
    place: str = "",
    online_url: str = "",
    horizon: dt.date | None = None,
) -> Series:
    """A recurring meeting; its meetings are scheduled up to ``horizon`` (a year ahead by default)."""
    _check(actor, org, "create")
    problem = r.check_rrule(rrule)
    if problem:
        raise InvalidInput(problem, field="rrule")
    _check_org(org, kind)
    _check_place(mode, venue, place, online_url)
    series = model_create(
        Series,
        actor=actor,
        org=org,
        kind=kind,
        topic=topic,
        rrule=rrule,
        first_on=first_on,
        local_time=local_time,
        minutes=minutes,
        mode=mode,
        venue=venue,
        place=place,
        online_url=online_url,
    )
    series_extend(
        actor=actor, series=series, until=horizon or first_on + dt.timedelta(days=SERIES_HORIZON_DAYS)
    )
    return series


def series_extend(*, actor, series: Series, until: dt.date) -> int:
    """Schedule the series' occurrences before ``until`` that are not scheduled yet; returns how many."""
    exceptions = list(series.exceptions.all())
    planned = r.occurrences(
        series.rrule,
        series.first_on,
        series.local_time,
        until=until,
        skipped=[e.on for e in exceptions if e.moved_to is None],
        moved={e.on: e.moved_to for e in exceptions if e.moved_to is not None},
    )
    have = set(series.meetings.values_list("series_on", flat=True))
    n = 0
    for day, start in planned:
        if day in have:
            continue
        meeting_schedule(
            actor=actor,
            org=series.org,
            kind=series.kind,
            topic=series.topic,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=series.minutes),
            mode=series.mode,
            venue=series.venue,
            place=series.place,
            online_url=series.online_url,
            series=series,
            series_on=day,
        )
        n += 1
    return n


@transaction.atomic
def series_except(
    *, actor, series: Series, on: dt.date, reason: str, moved_to: dt.datetime | None = None
) -> SeriesException:
    """Skip one occurrence (its meeting is cancelled) or move it (its meeting is rescheduled)."""
    _check(actor, series, "change")
    if not reason or not reason.strip():
        raise InvalidInput("请填写原因", field="reason")
    planned = {
        day
        for day, _ in r.occurrences(
            series.rrule, series.first_on, series.local_time, until=on + dt.timedelta(days=1)
        )
    }
    if on not in planned:
        raise InvalidInput(f"{on:%Y-%m-%d}不是该周期性会议的召开日期", field="on")
    exception, _ = SeriesException.objects.update_or_create(
        series=series, on=on, defaults={"moved_to": moved_to, "reason": reason.strip()}
    )
    audit.record(
        actor=actor,
        action="series_except",
        obj=series,
        after={"on": on.isoformat(), "moved_to": str(moved_to or "")},
    )
    meeting = series.meetings.filter(series_on=on).first()
    if meeting is not None and meeting.status == MeetingStatus.SCHEDULED:
        if moved_to is None:
            meeting_cancel(actor=actor, meeting=meeting, reason=reason)
        else:
            _move(actor, meeting, moved_to, reason.strip())
    return exception


def _move(actor, meeting: Meeting, starts_at: dt.datetime, reason: str) -> Meeting:
    """The meeting at another time (same length, same venue if it is free then); the invitees are
    told, and reminded again before the new time."""
    meeting = _fresh(meeting, lock=True)
    length = meeting.ends_at - meeting.starts_at
    if meeting.venue_id:
        _reserve(meeting.venue, starts_at, starts_at + length, exclude=meeting.pk)
    meeting, _ = model_update(
        meeting,
        actor=actor,
        data={
            "starts_at": starts_at,
            "ends_at": starts_at + length,
            "held_on": _local(starts_at).date(),
            "reminded_at": None,
        },
        action="reschedule",
        message=reason,
    )
    local = _local(starts_at)
    for user_id in _invitee_users(meeting):
        notify.notify(
            recipient=user_id,
            kind="meetings.reminder",
            title=f"会议改期至{local:%m月%d日 %H:%M}：{meeting.topic}",
            body=reason,
            url=f"/meetings/{meeting.pk}/",
            key=f"meetings.moved.{meeting.pk}.{int(starts_at.timestamp())}",
        )
    return meeting


@transaction.atomic
def meeting_reschedule(*, actor, meeting: Meeting, starts_at: dt.datetime, reason: str) -> Meeting:
    """Move a meeting that has not been held to another time; one occurrence of a series is moved as
    the series' exception, so extending the series keeps it where it was moved."""
    _check(actor, meeting, "change")
    meeting = _fresh(meeting, lock=True)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleViolation("只有待召开的会议可以改期", code="wrong_state")
    _local(starts_at)
    if not reason or not reason.strip():
        raise InvalidInput("请填写改期原因", field="reason")
    if meeting.series_id and meeting.series_on:
        series_except(
            actor=actor, series=meeting.series, on=meeting.series_on, reason=reason, moved_to=starts_at
        )
        return _fresh(meeting)
    return _move(actor, meeting, starts_at, reason.strip())


# --- holding it --------------------------------------------------------------------------------------------


def _open_for_checkin(meeting: Meeting, at: dt.datetime) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleViolation("会议已结束或已取消，不能签到", code="not_open")
    if not (meeting.starts_at - CHECKIN_OPENS_BEFORE <= at <= meeting.ends_at):
        a = _local(meeting.starts_at - CHECKIN_OPENS_BEFORE)
        raise RuleViolation(f"签到时间为{a:%m月%d日 %H:%M}起至会议结束", code="not_open")


@transaction.atomic
def checkin(
    *,
    actor,
    meeting: Meeting,
    method: str,
    token: str = "",
    lat: float | None = None,
    lng: float | None = None,
    at: dt.datetime | None = None,
) -> Attendance:
    """The member's own check-in: by the code on the screen, by location near the venue, or by joining
    online. Every refusal is a ``RuleViolation`` with its code, and leaves the attendance as it was."""
    at = at or timezone.now()
    meeting = _fresh(meeting)
    att = _own_attendance(actor, meeting)
    if att.status in ATTENDED:
        t = _local(att.checked_in_at) if att.checked_in_at else None
        raise RuleViolation(
            f"您已于{t:%H:%M}签到，无需重复签到" if t else "您已签到", code="already_checked_in"
        )
    _open_for_checkin(meeting, at)
    distance = None
    if method == CheckinMethod.QR:
        state = r.token_state(meeting.checkin_secret, meeting.pk, token, at)
        if state == "stale":
            raise RuleViolation("二维码已过期，请扫描会场屏幕上的最新二维码", code="qr_stale")
        if state != "ok":
            raise RuleViolation("二维码无效，请扫描本次会议现场的签到二维码", code="qr_invalid")
    elif method == CheckinMethod.LOCATION:
        venue = meeting.venue
        if venue is None or venue.lat is None or meeting.mode == Mode.ONLINE:
            raise RuleViolation("本次会议的场所未登记坐标，请扫码签到", code="no_location")
        if lat is None or lng is None:
            raise InvalidInput("未获取到您的位置，请允许定位或改用扫码签到", field="lat")
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise InvalidInput("位置坐标无效", field="lat")
        distance = r.distance_m(lat, lng, venue.lat, venue.lng)
        if distance > meeting.checkin_radius_m:
            far = f"{distance / 1000:.1f}公里" if distance >= 1000 else f"{distance:.0f}米"
            raise RuleViolation(
                f"您距会场约{far}，超出签到范围（{meeting.checkin_radius_m}米），请到会场后签到",
                code="too_far",
            )
    elif method == CheckinMethod.ONLINE:
        if meeting.mode == Mode.OFFLINE:
            raise RuleViolation("本次会议为线下会议，请到会场签到", code="not_online")
    else:
        raise InvalidInput("签到方式无效", field="method")
    status = AttendanceStatus.LATE if at > meeting.starts_at + LATE_AFTER else AttendanceStatus.PRESENT
    att, _ = model_update(
        att,
        actor=actor,
        data={
            "status": status,
            "checked_in_at": at,
            "method": method,
            "distance_m": round(distance) if distance is not None else None,
        },
        action="checkin",
    )
    return att


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, member: Member, status: str, note: str = "") -> Attendance:
    """The secretary records attendance by hand (a member without a phone, a meeting recorded
    afterwards): present or late, method 书记补录."""
    _check(actor, meeting, "change")
    meeting = _fresh(meeting, lock=True)
    if meeting.status == MeetingStatus.CANCELLED:
        raise RuleViolation("会议已取消", code="wrong_state")
    if status not in ATTENDED:
        raise InvalidInput("只能补录到会或迟到", field="status")
    att = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if att is None:
        raise RuleViolation("该党员不在本次会议的参会人员名单中，请先邀请", code="not_invited")
    att, _ = model_update(
        att,
        actor=actor,
        data={
            "status": status,
            "checked_in_at": att.checked_in_at or meeting.starts_at,
            "method": CheckinMethod.MANUAL,
        },
        action="attendance_record",
        message=note,
    )
    if meeting.status == MeetingStatus.HELD:
        _recount(meeting)
        _announce_attended(meeting, att)
    return att


@transaction.atomic
def attendance_sheet(*, actor, meeting: Meeting, present=(), late=(), excused: dict | None = None) -> int:
    """The branch records attendance from the paper sign-in sheet (签到表) of a meeting held without
    phones: the members present, late, and those whose leave was granted (member id → reason). One
    audit row for the sheet; the meeting is then closed as usual. Returns how many rows changed."""
    _check(actor, meeting, "change")
    meeting = _fresh(meeting, lock=True)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleViolation("会议已办结或已取消", code="wrong_state")
    rows = Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.INVITED)
    n = rows.filter(member_id__in=list(present)).update(
        status=AttendanceStatus.PRESENT, method=CheckinMethod.MANUAL, checked_in_at=meeting.starts_at
    )
    n += rows.filter(member_id__in=list(late)).update(
        status=AttendanceStatus.LATE,
        method=CheckinMethod.MANUAL,
        checked_in_at=meeting.starts_at + LATE_AFTER,
    )
    for member_id, reason in (excused or {}).items():
        n += rows.filter(member_id=member_id).update(
            status=AttendanceStatus.EXCUSED, leave_reason=reason[:200], leave_decided_by=actor
        )
    audit.record(
        actor=actor,
        action="attendance_sheet",
        obj=meeting,
        after={"present": sorted(present), "late": sorted(late), "excused": sorted(excused or {})},
    )
    return n


@transaction.atomic
def leave_request(*, actor, meeting: Meeting, reason: str, at: dt.datetime | None = None) -> Attendance:
    at = at or timezone.now()
    meeting = _fresh(meeting)
    att = _own_attendance(actor, meeting)
    if meeting.status != MeetingStatus.SCHEDULED or at > meeting.ends_at:
        raise RuleViolation("会议已结束或已取消，不能请假", code="not_open")
    if att.status != AttendanceStatus.INVITED:
        raise RuleViolation(f"当前状态为“{att.get_status_display()}”，不能请假", code="wrong_state")
    if not reason or not reason.strip():
        raise InvalidInput("请填写请假事由", field="reason")
    att, _ = model_update(
        att,
        actor=actor,
        data={"status": AttendanceStatus.LEAVE_ASKED, "leave_reason": reason.strip()[:200]},
        action="leave_request",
    )
    return att


@transaction.atomic
def leave_decide(*, actor, attendance: Attendance, grant: bool, note: str = "") -> Attendance:
    _check(actor, attendance.meeting, "change")
    att = Attendance.objects.select_for_update().select_related("meeting").get(pk=attendance.pk)
    if att.status != AttendanceStatus.LEAVE_ASKED:
        raise RuleViolation("该请假申请已处理", code="wrong_state")
    if not grant and not note.strip():
        raise InvalidInput("不准假须说明理由", field="note")
    att, _ = model_update(
        att,
        actor=actor,
        data={
            "status": AttendanceStatus.EXCUSED if grant else AttendanceStatus.INVITED,
            "leave_decided_by": actor,
            "leave_note": note.strip()[:200],
        },
        action="leave_grant" if grant else "leave_refuse",
    )
    user_id = att.member.person.user_id
    if user_id:
        notify.notify(
            recipient=user_id,
            kind="meetings.reminder",
            title=f"请假{'已准假' if grant else '未获准'}：{att.meeting.topic}",
            body=note,
            url=f"/meetings/{att.meeting_id}/",
            key=f"meetings.leave.{att.pk}.{'y' if grant else 'n'}",
        )
    return att


def _recount(meeting: Meeting) -> None:
    """The attendance counts and the quorum, by the rule in force on the meeting's day."""
    rows = list(Attendance.objects.filter(meeting=meeting).values_list("status", "voting"))
    present = [v for s, v in rows if s in ATTENDED]
    rule = rule_for(meeting.org.org_type, meeting.kind, meeting.held_on)
    counts = {
        "invited_count": len(rows),
        "voting_count": sum(1 for _s, v in rows if v),
        "present_count": len(present),
        "present_voting": sum(1 for v in present if v),
    }
    counts["quorum_met"] = r.quorum_met(
        rule.quorum if rule else "none",
        invited=counts["invited_count"],
        voting=counts["voting_count"],
        present=counts["present_count"],
        present_voting=counts["present_voting"],
    )
    Meeting.objects.filter(pk=meeting.pk).update(**counts)
    for key, value in counts.items():
        setattr(meeting, key, value)


def _announce_attended(meeting: Meeting, att: Attendance) -> None:
    events.publish(
        "meetings.attended",
        {
            "member_id": att.member_id,
            "meeting_id": meeting.pk,
            "org_id": meeting.org_id,
            "kind": meeting.kind,
            "on": meeting.held_on.isoformat(),
            "method": att.method,
        },
        key=f"meetings.attended.{att.pk}",
    )


@transaction.atomic
def meeting_close(*, actor, meeting: Meeting, at: dt.datetime | None = None) -> Meeting:
    """The meeting was held: who did not check in is absent (with leave, excused), the counts and the
    quorum are kept, absentees get a make-up task, and the events go out."""
    _check(actor, meeting, "change")
    at = at or timezone.now()
    meeting = _fresh(meeting, lock=True)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleViolation("会议已办结或已取消", code="wrong_state")
    if at < meeting.starts_at:
        raise RuleViolation("会议尚未开始，不能办结", code="not_started")
    Attendance.objects.filter(
        meeting=meeting, status__in=[AttendanceStatus.INVITED, AttendanceStatus.LEAVE_ASKED]
    ).update(status=AttendanceStatus.ABSENT, updated_at=at)
    _recount(meeting)
    model_update(meeting, actor=actor, data={"status": MeetingStatus.HELD, "closed_at": at}, action="close")
    payload = {
        "meeting_id": meeting.pk,
        "org_id": meeting.org_id,
        "kind": meeting.kind,
        "on": meeting.held_on.isoformat(),
    }
    events.publish("meetings.held", payload, key=f"meetings.held.{meeting.pk}")
    due = timezone.localdate(at) + dt.timedelta(days=MAKEUP_DAYS)
    for att in Attendance.objects.filter(meeting=meeting).select_related("member__person"):
        if att.status in ATTENDED:
            _announce_attended(meeting, att)
        elif att.status in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
            MakeUp.objects.get_or_create(attendance=att, defaults={"due_on": due})
            events.publish(
                "meetings.absent",
                {
                    "member_id": att.member_id,
                    "meeting_id": meeting.pk,
                    "org_id": meeting.org_id,
                    "kind": meeting.kind,
                    "on": meeting.held_on.isoformat(),
                    "excused": att.status == AttendanceStatus.EXCUSED,
                },
                key=f"meetings.absent.{att.pk}",
            )
            if att.member.person.user_id:
                notify.notify(
                    recipient=att.member.person.user_id,
                    kind="meetings.makeup",
                    title=f"请补学：{meeting.get_kind_display()}“{meeting.topic}”",
                    body=f"请于{due:%Y-%m-%d}前阅读会议记录和学习材料并提交学习体会",
                    url="/meetings/mine/",
                    key=f"meetings.makeup.{att.pk}",
                )
    if meeting.lecturer_id:
        events.publish(
            "meetings.lecture_given",
            {"person_id": meeting.lecturer_id, **payload},
            key=f"meetings.lecture.{meeting.pk}",
        )
    return meeting


# --- minutes -----------------------------------------------------------------------------------------------


def _may_write_minutes(actor, meeting: Meeting) -> None:
    """The secretary (``meetings.change``) or the recorder the secretary designated for this meeting."""
    if actor is not None and meeting.recorder_id is not None and meeting.recorder_id == actor.pk:
        return
    _check(actor, meeting, "change")


@transaction.atomic
def recorder_set(*, actor, meeting: Meeting, user) -> Meeting:
    """Designate who writes the minutes: one of the meeting's invitees with an account."""
    _check(actor, meeting, "change")
    if (
        user is not None
        and not Attendance.objects.filter(meeting=meeting, member__person__user=user).exists()
    ):
        raise RuleViolation("记录人须是本次会议的参会人员", code="not_invited", field="recorder")
    meeting = _fresh(meeting, lock=True)
    return model_update(meeting, actor=actor, data={"recorder": user}, action="recorder_set")[0]


def _decisions(minutes: Minutes, decisions: list[dict], entitled: int) -> None:
    minutes.decisions.all().delete()
    for i, d in enumerate(decisions):
        title = (d.get("title") or "").strip()
        if not title:
            raise InvalidInput(f"第{i + 1}项决议须填写事项", field="decisions")
        votes = [d.get(k) for k in ("votes_for", "votes_against", "abstentions")]
        if any(v is not None for v in votes):
            if any(v is None or v < 0 for v in votes):
                raise InvalidInput(f"第{i + 1}项决议的赞成、反对、弃权票数须都填写", field="decisions")
            if sum(votes) > entitled:
                raise InvalidInput(
                    f"第{i + 1}项决议的票数合计{sum(votes)}超过应到会有表决权的党员{entitled}人",
                    field="decisions",
                )
            carried = r.vote_carried(votes[0], entitled)
            Decision.objects.create(
                minutes=minutes,
                title=title,
                votes_for=votes[0],
                votes_against=votes[1],
                abstentions=votes[2],
                entitled=entitled,
                carried=carried,
            )
        else:
            Decision.objects.create(minutes=minutes, title=title)


@transaction.atomic
def minutes_save(
    *, actor, meeting: Meeting, content: str, decisions: list[dict] | None = None, attachments=()
) -> Minutes:
    """Write or rewrite the minutes before they are signed, by the secretary or the designated
    recorder. A vote is judged against the members entitled to vote (the meeting's voting count)."""
    meeting = _fresh(meeting)
    _may_write_minutes(actor, meeting)
    if meeting.status != MeetingStatus.HELD:
        raise RuleViolation("会议办结后才能填写会议记录", code="wrong_state")
    if not content or not content.strip():
        raise InvalidInput("请填写会议记录", field="content")
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is not None and minutes.signed_at:
        raise RuleViolation("会议记录已签发，只能以更正的方式修改", code="minutes_signed")
    if minutes is None:
        minutes = model_create(Minutes, actor=actor, meeting=meeting, content=content.strip(), recorder=actor)
    else:
        model_update(minutes, actor=actor, data={"content": content.strip()})
    if decisions is not None:
        _decisions(minutes, decisions, meeting.voting_count)
    files = list(attachments)
    if files:
        not_ours = [f for f in files if not isinstance(f, StoredFile) or f.purpose != "meetings.attachment"]
        if not_ours:
            raise InvalidInput("附件无效", field="attachments")
        minutes.attachments.add(*files)
    return minutes


@transaction.atomic
def minutes_sign(*, actor, meeting: Meeting) -> Minutes:
    _check(actor, meeting, "change")
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        raise RuleViolation("尚无会议记录，不能签发", code="no_minutes")
    if minutes.signed_at:
        raise RuleViolation("会议记录已签发", code="minutes_signed")
    return model_update(
        minutes, actor=actor, data={"signed_at": timezone.now(), "signed_by": actor}, action="sign"
    )[0]


@transaction.atomic
def minutes_amend(*, actor, meeting: Meeting, text: str, reason: str) -> MinutesAmendment:
    """A later correction of signed minutes: kept beside the signed text, which does not change."""
    _check(actor, meeting, "change")
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or not minutes.signed_at:
        raise RuleViolation("会议记录签发前可直接修改，无需更正", code="not_signed")
    if not text.strip():
        raise InvalidInput("请填写更正内容", field="text")
    if not reason.strip():
        raise InvalidInput("请填写更正原因", field="reason")
    return model_create(
        MinutesAmendment,
        actor=actor,
        action="amend",
        minutes=minutes,
        text=text.strip(),
        reason=reason.strip(),
    )


# --- make-up ---------------------------------------------------------------------------------------------


@transaction.atomic
def makeup_submit(*, actor, makeup: MakeUp, reflection: str, at: dt.datetime | None = None) -> MakeUp:
    """The member's reflection completes the make-up: the attendance becomes 已补学 (not 到会)."""
    member = member_of(actor)
    makeup = MakeUp.objects.select_for_update().select_related("attendance__meeting").get(pk=makeup.pk)
    if member is None or makeup.attendance.member_id != member.pk:
        raise NotFound()
    return _complete(actor, makeup, reflection, at)


@transaction.atomic
def makeup_record(*, actor, makeup: MakeUp, reflection: str, at: dt.datetime | None = None) -> MakeUp:
    """The branch records a make-up done offline (the member read the minutes at the station and wrote
    the reflection on paper)."""
    makeup = MakeUp.objects.select_for_update().select_related("attendance__meeting").get(pk=makeup.pk)
    _check(actor, makeup.attendance.meeting, "change")
    return _complete(actor, makeup, reflection, at)


def _complete(actor, makeup: MakeUp, reflection: str, at: dt.datetime | None) -> MakeUp:
    att = makeup.attendance
    if makeup.done_at:
        raise RuleViolation("已完成补学", code="already_done")
    text = (reflection or "").strip()
    if len(text) < REFLECTION_MIN_CHARS:
        raise InvalidInput(f"学习体会不少于{REFLECTION_MIN_CHARS}字", field="reflection")
    if not Minutes.objects.filter(meeting=att.meeting).exists():
        raise RuleViolation("会议记录尚未上传，请稍后再补学", code="no_minutes")
    makeup, _ = model_update(
        makeup, actor=actor, data={"reflection": text, "done_at": at or timezone.now()}, action="makeup"
    )
    model_update(att, actor=actor, data={"status": AttendanceStatus.MADE_UP}, action="makeup")
    meeting = att.meeting
    events.publish(
        "meetings.made_up",
        {
            "member_id": att.member_id,
            "meeting_id": meeting.pk,
            "org_id": meeting.org_id,
            "kind": meeting.kind,
            "on": meeting.held_on.isoformat(),
        },
        key=f"meetings.made_up.{att.pk}",
    )
    return makeup


# --- reminders and the calendar feed ------------------------------------------------------------------------


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind invitees of meetings that start within their lead time (once per meeting)."""
    now = now or timezone.now()
    n = 0
    due = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=7),
    ).select_related("org", "venue")
    for meeting in due:
        if meeting.starts_at - dt.timedelta(minutes=meeting.remind_minutes) > now:
            continue
        local = _local(meeting.starts_at)
        where = meeting.venue.name if meeting.venue_id else (meeting.place or "线上")
        for att in Attendance.objects.filter(
            meeting=meeting, status=AttendanceStatus.INVITED, member__person__user__isnull=False
        ).values_list("member__person__user_id", flat=True):
            notify.notify(
                recipient=att,
                kind="meetings.reminder",
                title=f"{local:%m月%d日 %H:%M} {meeting.get_kind_display()}：{meeting.topic}",
                body=f"地点：{where}",
                url=f"/meetings/{meeting.pk}/",
                key=f"meetings.remind.{meeting.pk}",
            )
            n += 1
        Meeting.objects.filter(pk=meeting.pk).update(reminded_at=now)
    return n


def feed_token_issue(*, user) -> str:
    """A new secret for the user's calendar feed URL; the old URL stops working."""
    token = secrets.token_urlsafe(24)
    FeedToken.objects.update_or_create(
        user=user, defaults={"digest": hashlib.sha256(token.encode()).hexdigest()}
    )
    audit.record(actor=user, action="feed_token", object_type="meetings.feedtoken", object_id=str(user.pk))
    return token
