"""Writes of community activities: needs (propose, vote, adopt or decline), activities (create, sign
up with a waitlist, cancel a sign-up, check in, rate, summarize, cancel the activity), teams. Every
function takes the acting user, checks again what they may see or do, and audits; notifications and
the ``community.volunteer_hours`` event go out from here.

Sign-ups and cancellations lock the activity's row, so two sign-ups at once for the last place cannot
both take it: the second is waitlisted, and a cancellation promotes the first waitlisted.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sanxin.accounts.actors import actors_for
from sanxin.core import audit, events, notify
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.scope import scope_for
from sanxin.members.models import Member
from sanxin.orgs.models import Org, Person

from ..services import _require_signed_in, _text
from . import selectors
from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    CheckInMethod,
    Need,
    NeedStatus,
    NeedVote,
    Participation,
    ParticipationStatus,
    Team,
    TeamMembership,
)

MAX_HOURS = Decimal("24")


def _now(now=None):
    return now or timezone.now()


def _require_manager(actor, obj) -> None:
    if actor is not None and not scope_for(actor, "community", "activities").contains(obj):
        raise NotFound()


def _tell(user_id: int, title: str, url: str, key: str) -> None:
    notify.notify(recipient=user_id, kind="community", title=title, url=url, key=key)


def _need_url(need: Need) -> str:
    return f"/community/activities/needs/{need.pk}/"


def _activity_url(activity: Activity) -> str:
    return f"/community/activities/{activity.pk}/"


# --- needs --------------------------------------------------------------------------------------------


@transaction.atomic
def need_propose(*, actor, org: Org, title: str, body: str, kind: str, vote_starts=None, vote_ends=None,
                 now=None) -> Need:  # fmt: skip
    """A member or worker proposes a need to an org on their chain, open to votes (in the window, if
    given); the org's handlers are told."""
    _require_signed_in(actor)
    if org.pk not in {o.pk for o in selectors.need_targets(actor)}:
        raise NotFound("只能向本人所在党组织或其上级党组织提出需求")
    title = _text(title, field="title", label="需求名称", min_len=4, max_len=80)
    body = _text(body, field="body", label="需求说明", min_len=10, max_len=3000)
    if kind not in ActivityKind.values:
        raise InvalidInput("请选择需求类型（活动或服务）", field="kind")
    now = _now(now)
    if vote_ends is not None:
        if vote_ends <= (vote_starts or now):
            raise InvalidInput("投票截止时间应晚于开始时间和当前时间", field="vote_ends")
        if vote_ends > now + dt.timedelta(days=90):
            raise InvalidInput("投票期最长 90 天", field="vote_ends")
    need = Need.objects.create(
        org=org, proposer=actor, title=title, body=body, kind=kind, vote_starts=vote_starts,
        vote_ends=vote_ends, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="need_propose", obj=need, after={"org": org.pk, "kind": kind})
    for user_id in actors_for(org, "community", "activities"):
        _tell(user_id, f"新的活动需求：{title}", f"/community/activities/manage/needs/{need.pk}/",
              f"community:need:{need.pk}:{user_id}")  # fmt: skip
    return need


def need_vote(*, actor, need: Need, now=None) -> Need:
    """One vote a person (a unique constraint); the proposer does not vote for their own need — a
    proposal already says they want it, and the ranking should show how many others do."""
    _require_signed_in(actor)
    need = selectors.need_get(actor, need.pk)
    if need.proposer_id == actor.pk:
        raise RuleViolation("不能为自己提出的需求投票", code="own_need")
    if not selectors.in_audience(actor, need.org):
        raise RuleViolation("只有该党组织的党员群众可以投票", code="not_audience")
    if need.status != NeedStatus.OPEN:
        raise RuleViolation(f"该需求已办结（{need.get_status_display()}），不能再投票", code="closed")
    now = _now(now)
    if need.vote_starts and now < need.vote_starts:
        raise RuleViolation("投票尚未开始", code="not_started")
    if need.vote_ends and now >= need.vote_ends:
        raise RuleViolation("投票已截止", code="vote_closed")
    with transaction.atomic():
        try:
            with transaction.atomic():
                NeedVote.objects.create(need=need, user=actor)
        except IntegrityError:
            raise RuleViolation("您已为这条需求投过票", code="already_voted") from None
        Need.objects.filter(pk=need.pk).update(votes=F("votes") + 1)
        audit.record(actor=actor, action="need_vote", obj=need)
    return selectors.need_get(actor, need.pk)


def _locked_need(actor, need: Need) -> Need:
    need = Need.objects.select_for_update(of=("self",)).select_related("org").get(pk=need.pk)
    _require_manager(actor, need)
    return need


@transaction.atomic
def need_decide(*, actor, need: Need, action: str, reason: str = "", now=None) -> Need:
    """``adopt`` (it may then be the origin of an activity) or ``decline`` (with a reason); the proposer
    is told either way."""
    need = _locked_need(actor, need)
    if action not in ("adopt", "decline"):
        raise InvalidInput("未知的操作", field="action")
    if need.status != NeedStatus.OPEN:
        raise RuleViolation(f"该需求已办结（{need.get_status_display()}）", code="closed")
    if action == "decline":
        reason = _text(reason, field="reason", label="不予采纳的理由", min_len=4, max_len=1000)
    else:
        reason = (reason or "").strip()[:1000] or "已采纳，将据此开展活动"
    now = _now(now)
    need.status = NeedStatus.ADOPTED if action == "adopt" else NeedStatus.DECLINED
    need.reason, need.decided_by, need.decided_at = reason, actor, now
    need.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
    audit.record(actor=actor, action=f"need_{action}", obj=need, before={"status": "open"},
                 after={"status": need.status, "votes": need.votes})  # fmt: skip
    verb = "已被采纳" if action == "adopt" else f"未被采纳：{reason}"
    _tell(need.proposer_id, f"您提出的需求“{need.title}”{verb}", _need_url(need),
          f"community:need:{need.pk}:{action}")  # fmt: skip
    return need


# --- activities ---------------------------------------------------------------------------------------


def _station_ok(station, org: Org) -> bool:
    """A station may host an org's activity when its managing org is that org, above it or below it."""
    path = station.org.path
    return path.startswith(org.path) or org.path.startswith(path)


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("志愿时长应为数字（小时）", field="hours") from None
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS or hours * 2 % 1:
        raise InvalidInput("志愿时长应为 0 到 24 之间的整半小时", field="hours")
    return hours


@transaction.atomic
def activity_create(*, actor, org: Org, title: str, description: str, kind: str, starts_at, ends_at,
                    capacity, signup_deadline=None, hours=0, place: str = "", station=None, need: Need | None = None,
                    team: Team | None = None, now=None) -> Activity:  # fmt: skip
    """Publish an activity of ``org`` to its audience. From a need (adopted, or still open: creating
    the activity adopts it) the need's proposer is told."""
    if actor is not None and not scope_for(actor, "community", "activities").contains(org):
        raise NotFound()
    if not org.is_active:
        raise RuleViolation("该党组织已撤销，不能开展活动", code="org_closed")
    title = _text(title, field="title", label="活动名称", min_len=4, max_len=80)
    description = _text(description, field="description", label="活动内容", min_len=10, max_len=5000)
    if kind not in ActivityKind.values:
        raise InvalidInput("请选择类型（活动或服务）", field="kind")
    now = _now(now)
    if starts_at is None:
        raise InvalidInput("请填写开始时间", field="starts_at")
    if ends_at is None:
        raise InvalidInput("请填写结束时间", field="ends_at")
    if ends_at <= starts_at:
        raise InvalidInput("结束时间应晚于开始时间", field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=3):
        raise InvalidInput("一次活动最长 3 天", field="ends_at")
    signup_deadline = signup_deadline or starts_at
    if signup_deadline > ends_at:
        raise InvalidInput("报名截止时间不能晚于活动结束时间", field="signup_deadline")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise InvalidInput("名额应为整数", field="capacity") from None
    if not 1 <= capacity <= 1000:
        raise InvalidInput("名额应在 1 到 1000 人之间", field="capacity")
    hours = _hours(hours)
    place = (place or "").strip()[:200]
    if station is not None:
        if station.status != "open" or not _station_ok(station, org):
            raise InvalidInput("请选择本组织或上级组织管理的、在运营的驿站", field="station")
    elif not place:
        raise InvalidInput("请填写活动地点或选择驿站", field="place")
    if team is not None and (team.org_id != org.pk or not team.is_active):
        raise InvalidInput("请选择本组织的志愿服务队", field="team")
    if need is not None:
        need = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
        if need.org_id != org.pk:
            raise InvalidInput("来源需求应是向本组织提出的", field="need")
        if need.status == NeedStatus.DECLINED:
            raise RuleViolation("该需求未被采纳，不能据此开展活动", code="need_declined", field="need")
        if Activity.objects.filter(need=need).exists():
            raise RuleViolation("该需求已开展过活动", code="need_used", field="need")
    activity = Activity.objects.create(
        org=org, title=title, description=description, kind=kind, starts_at=starts_at, ends_at=ends_at,
        place=place, station=station, capacity=capacity, signup_deadline=signup_deadline, hours=hours,
        need=need, team=team, organizer=actor, checkin_code=f"{secrets.randbelow(10**6):06d}",
        created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="activity_create", obj=activity,
                 after={"org": org.pk, "starts_at": starts_at.isoformat(), "capacity": capacity, "hours": str(hours),
                        "need": need.pk if need else None})  # fmt: skip
    if need is not None:
        if need.status == NeedStatus.OPEN:
            need.status, need.reason = NeedStatus.ADOPTED, "已采纳，据此开展活动"
            need.decided_by, need.decided_at = actor, now
            need.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
            audit.record(actor=actor, action="need_adopt", obj=need, after={"activity": activity.pk})
        _tell(need.proposer_id, f"您提出的需求“{need.title}”已开展活动：{title}", _activity_url(activity),
              f"community:need:{need.pk}:activity")  # fmt: skip
    return activity


def _locked_activity(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",)).select_related("org", "station").get(pk=activity.pk)
    )


@transaction.atomic
def activity_signup(*, actor, activity: Activity, now=None) -> Participation:
    """Sign up: a place while places remain, else the waitlist (the activity's row is locked, so the
    count of the places taken is exact)."""
    _require_signed_in(actor)
    selectors.activity_get(actor, activity.pk)
    activity = _locked_activity(activity)
    if not selectors.in_audience(actor, activity.org):
        raise RuleViolation(f"该活动面向{activity.org.name}的党员群众", code="not_audience")
    if activity.status != ActivityStatus.PUBLISHED:
        raise RuleViolation(f"活动{activity.get_status_display()}，不能报名", code="closed")
    now = _now(now)
    if now > activity.signup_deadline:
        raise RuleViolation("报名已截止", code="deadline")
    p = Participation.objects.filter(activity=activity, user=actor).first()
    if p is not None and p.status != ParticipationStatus.CANCELLED:
        raise RuleViolation(f"您已{p.get_status_display()}", code="already")
    taken = Participation.objects.filter(activity=activity, status=ParticipationStatus.SIGNED_UP).count()
    status = ParticipationStatus.SIGNED_UP if taken < activity.capacity else ParticipationStatus.WAITLISTED
    if p is None:
        p = Participation.objects.create(activity=activity, user=actor, status=status, signed_up_at=now)
    else:
        p.status, p.signed_up_at = status, now
        p.save(update_fields=["status", "signed_up_at"])
    audit.record(actor=actor, action="activity_signup", obj=activity, after={"status": status})
    return p


@transaction.atomic
def signup_cancel(*, actor, activity: Activity, now=None) -> Participation:
    """The participant withdraws before the start; a freed place goes to the first waitlisted, who is
    told."""
    _require_signed_in(actor)
    selectors.activity_get(actor, activity.pk)
    activity = _locked_activity(activity)
    p = Participation.objects.select_for_update().filter(activity=activity, user=actor).first()
    if p is None or p.status == ParticipationStatus.CANCELLED:
        raise RuleViolation("您没有报名这个活动", code="not_signed_up")
    now = _now(now)
    if p.checked_in_at is not None:
        raise RuleViolation("已签到，不能取消报名", code="checked_in")
    if now >= activity.starts_at:
        raise RuleViolation("活动已开始，不能取消报名", code="started")
    was = p.status
    p.status = ParticipationStatus.CANCELLED
    p.save(update_fields=["status"])
    audit.record(actor=actor, action="signup_cancel", obj=activity, before={"status": was})
    if was == ParticipationStatus.SIGNED_UP and activity.status == ActivityStatus.PUBLISHED:
        _promote(activity)
    return p


def _promote(activity: Activity) -> Participation | None:
    first = (
        Participation.objects.select_for_update()
        .filter(activity=activity, status=ParticipationStatus.WAITLISTED)
        .order_by("signed_up_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = ParticipationStatus.SIGNED_UP
    first.save(update_fields=["status"])
    audit.record(actor=None, action="waitlist_promote", obj=activity, after={"user": first.user_id})
    _tell(first.user_id, f"候补成功：您已获得“{activity.title}”的名额", _activity_url(activity),
          f"community:promoted:{first.pk}:{first.signed_up_at.isoformat()}")  # fmt: skip
    return first


def _credit(activity: Activity, p: Participation, method: str, now) -> None:
    """Check the participant in and credit the activity's hours, announced once per participation."""
    p.checked_in_at, p.checkin_method, p.hours = now, method, activity.hours
    p.save(update_fields=["checked_in_at", "checkin_method", "hours"])
    person = Person.objects.filter(user_id=p.user_id).values_list("pk", flat=True).first()
    member = person if person and Member.objects.filter(pk=person).exists() else None
    events.publish(
        "community.volunteer_hours",
        {
            "participation_id": p.pk,
            "activity_id": activity.pk,
            "org_id": activity.org_id,
            "user_id": p.user_id,
            "person_id": person,
            "member_id": member,
            "team_id": activity.team_id,
            "kind": activity.kind,
            "hours": float(activity.hours),
            "on": timezone.localdate(activity.starts_at).isoformat(),
        },
        key=f"community.volunteer_hours:{p.pk}",
    )


@transaction.atomic
def checkin_code(*, actor, activity: Activity, code: str, now=None) -> Participation:
    """A signed-up participant checks in with the code shown on the organizer's page, during the
    activity window (from 30 minutes before the start to the end)."""
    _require_signed_in(actor)
    selectors.activity_get(actor, activity.pk)
    activity = _locked_activity(activity)
    code = (code or "").strip()
    if not code:
        raise InvalidInput("请输入签到码", field="code")
    if activity.status == ActivityStatus.CANCELLED:
        raise RuleViolation("活动已取消", code="cancelled")
    now = _now(now)
    opens, closes = selectors.checkin_window(activity)
    if now < opens:
        raise RuleViolation("签到尚未开始：活动开始前 30 分钟起可以签到", code="not_open", field="code")
    if now > closes:
        raise RuleViolation("活动已结束，不能再用签到码签到，请联系组织人", code="closed", field="code")
    p = Participation.objects.select_for_update().filter(activity=activity, user=actor).first()
    if p is None or p.status != ParticipationStatus.SIGNED_UP:
        raise RuleViolation("您没有报名成功（或仍在候补），不能签到", code="not_signed_up")
    if p.checked_in_at is not None:
        raise RuleViolation("您已签到", code="already")
    if not secrets.compare_digest(code, activity.checkin_code):
        audit.record(actor=actor, action="checkin_refused", obj=activity)
        raise InvalidInput("签到码不正确", field="code", code="wrong_code")
    _credit(activity, p, CheckInMethod.CODE, now)
    audit.record(actor=actor, action="checkin_code", obj=activity)
    return p


@transaction.atomic
def checkin_roster(*, actor, activity: Activity, user_ids, now=None) -> int:
    """The organizer ticks attendees on the roster (from 30 minutes before the start on, also after the
    end); each one ticked is checked in once. Returns how many were newly checked in."""
    activity = _locked_activity(activity)
    _require_manager(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise RuleViolation("活动已取消", code="cancelled")
    now = _now(now)
    if now < selectors.checkin_window(activity)[0]:
        raise RuleViolation("活动开始前 30 分钟起才能点名签到", code="not_open")
    ids = {int(i) for i in user_ids or [] if str(i).isdigit()}
    if not ids:
        raise InvalidInput("请勾选到场的人员", field="user_ids")
    rows = list(
        Participation.objects.select_for_update().filter(
            activity=activity,
            user_id__in=ids,
            status=ParticipationStatus.SIGNED_UP,
            checked_in_at__isnull=True,
        )
    )
    for p in rows:
        _credit(activity, p, CheckInMethod.ROSTER, now)
    if rows:
        audit.record(
            actor=actor, action="checkin_roster", obj=activity, after={"users": [p.user_id for p in rows]}
        )
    return len(rows)


@transaction.atomic
def participation_rate(*, actor, activity: Activity, rating, comment: str = "", now=None) -> Participation:
    """A checked-in participant rates the activity once, 1 to 5, with an optional comment."""
    _require_signed_in(actor)
    selectors.activity_get(actor, activity.pk)
    p = Participation.objects.select_for_update().filter(activity_id=activity.pk, user=actor).first()
    if p is None or p.checked_in_at is None:
        raise RuleViolation("签到参加活动后才能评价", code="not_checked_in")
    if p.rating is not None:
        raise RuleViolation("您已评价过这个活动", code="already_rated")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise InvalidInput("请选择 1 到 5 星的评分", field="rating")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise InvalidInput(f"评价不能超过 500 字（现有 {len(comment)} 字）", field="comment")
    p.rating, p.comment, p.rated_at = rating, comment, _now(now)
    p.save(update_fields=["rating", "comment", "rated_at"])
    audit.record(actor=actor, action="activity_rate", obj=p.activity, after={"rating": rating})
    return p


@transaction.atomic
def activity_summarize(*, actor, activity: Activity, summary: str, now=None) -> Activity:
    """After the end, the organizer writes (or rewrites) the summary; the activity is then finished."""
    activity = _locked_activity(activity)
    _require_manager(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise RuleViolation("活动已取消", code="cancelled")
    if _now(now) < activity.ends_at:
        raise RuleViolation("活动结束后才能填写总结", code="not_ended")
    summary = _text(summary, field="summary", label="活动总结", min_len=10, max_len=5000)
    before = {"status": activity.status}
    activity.summary, activity.summary_at, activity.status = summary, _now(now), ActivityStatus.FINISHED
    activity.save(update_fields=["summary", "summary_at", "status", "updated_at"])
    audit.record(actor=actor, action="activity_summarize", obj=activity, before=before,
                 after={"status": activity.status})  # fmt: skip
    return activity


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str, now=None) -> Activity:
    """Cancel before the end, with a reason; everyone signed up or waitlisted is told."""
    activity = _locked_activity(activity)
    _require_manager(actor, activity)
    reason = _text(reason, field="reason", label="取消原因", min_len=4, max_len=200)
    if activity.status != ActivityStatus.PUBLISHED:
        raise RuleViolation(f"活动{activity.get_status_display()}，不能取消", code="closed")
    if _now(now) >= activity.ends_at:
        raise RuleViolation("活动已结束，不能取消", code="ended")
    if activity.participations.filter(checked_in_at__isnull=False).exists():
        raise RuleViolation("已有人签到，不能取消活动", code="checked_in")
    activity.status, activity.cancel_reason = ActivityStatus.CANCELLED, reason
    activity.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit.record(actor=actor, action="activity_cancel", obj=activity, after={"reason": reason})
    for user_id in activity.participations.exclude(status=ParticipationStatus.CANCELLED).values_list(
        "user_id", flat=True
    ):
        _tell(user_id, f"活动“{activity.title}”已取消：{reason}", _activity_url(activity),
              f"community:activity_cancel:{activity.pk}:{user_id}")  # fmt: skip
    return activity


# --- teams --------------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, actor, org: Org, name: str, description: str = "") -> Team:
    if actor is not None and not scope_for(actor, "community", "activities").contains(org):
        raise NotFound()
    name = _text(name, field="name", label="服务队名称", min_len=2, max_len=60)
    if Team.objects.filter(org=org, name=name).exists():
        raise RuleViolation("该党组织已有同名服务队", code="duplicate", field="name")
    team = Team.objects.create(
        org=org, name=name, description=(description or "").strip()[:300], created_by=actor
    )
    audit.record(actor=actor, action="team_create", obj=team, after={"org": org.pk, "name": name})
    return team


@transaction.atomic
def team_join(*, actor, team: Team, user, joined_on: dt.date | None = None) -> TeamMembership:
    """Add a person of the team's org's audience to the team, dated."""
    team = Team.objects.select_for_update(of=("self",)).select_related("org").get(pk=team.pk)
    _require_manager(actor, team)
    if user is None or not selectors.in_audience(user, team.org):
        raise InvalidInput(f"只能吸收{team.org.name}及其下级组织的党员群众", field="user")
    if TeamMembership.objects.filter(team=team, user=user, left_on__isnull=True).exists():
        raise RuleViolation("此人已在服务队中", code="already", field="user")
    joined_on = joined_on or timezone.localdate()
    m = TeamMembership.objects.create(team=team, user=user, joined_on=joined_on)
    audit.record(
        actor=actor, action="team_join", obj=team, after={"user": user.pk, "on": joined_on.isoformat()}
    )
    _tell(user.pk, f"您已加入志愿服务队“{team.name}”", "/community/activities/mine/",
          f"community:team:{team.pk}:{m.pk}")  # fmt: skip
    return m


@transaction.atomic
def team_leave(*, actor, membership: TeamMembership, left_on: dt.date | None = None) -> TeamMembership:
    m = TeamMembership.objects.select_for_update(of=("self",)).select_related("team").get(pk=membership.pk)
    if actor is None or m.user_id != actor.pk:
        _require_manager(actor, m.team)
    if m.left_on is not None:
        raise RuleViolation("已退出服务队", code="left")
    left_on = left_on or timezone.localdate()
    if left_on < m.joined_on:
        raise InvalidInput("退出日期不能早于加入日期", field="left_on")
    m.left_on = left_on
    m.save(update_fields=["left_on"])
    audit.record(
        actor=actor, action="team_leave", obj=m.team, after={"user": m.user_id, "on": left_on.isoformat()}
    )
    return m


__all__ = ["PermissionDenied"]
