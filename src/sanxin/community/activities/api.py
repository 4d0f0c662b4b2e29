"""/api/v1/community/activities: 需求征集 → 活动开展 → 效果评估, volunteer teams and hours.

Members and workers propose and vote for needs, read the activities of their org chain, sign up (a
waitlist when full), cancel, check in with the code and rate, on routes of their own; the orgs
(``community.activities``) adopt or decline needs, publish activities, keep the roster, write the
summary, cancel, and keep the teams; offices read the statistics (``community.view`` too). Every write
goes through ``community.activities.services``."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.contrib.auth import get_user_model
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.errors import InvalidInput, NotFound
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org
from sanxin.stations.models import Station

from . import selectors, services
from .models import Activity, ActivityKind, Need, Participation, Team, TeamMembership

router = Router(tags=["组织活动与志愿服务"])

KINDS = Literal[tuple(ActivityKind.values)]  # type: ignore[valid-type]


# --- needs --------------------------------------------------------------------------------------------


class ActivityOrgRef(Schema):
    id: int = Field(validation_alias="pk")
    name: str


class NeedOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    title: str
    body: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    proposer: str
    mine: bool = False
    votes: int
    voted: bool = False
    voting_open: bool = False
    vote_starts: dt.datetime | None
    vote_ends: dt.datetime | None
    reason: str
    activity_id: int | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_proposer(obj):
        return selectors.display_name(obj.proposer)

    @staticmethod
    def resolve_voted(obj):
        return bool(getattr(obj, "voted", False))

    @staticmethod
    def resolve_voting_open(obj):
        return selectors.voting_open(obj)

    @staticmethod
    def resolve_activity_id(obj):
        return getattr(obj, "activity_pk", None)

    @staticmethod
    def resolve_mine(obj, context):
        return obj.proposer_id == context["request"].auth.pk


def _needs(qs):
    from django.db.models import OuterRef, Subquery

    return qs.annotate(activity_pk=Subquery(Activity.objects.filter(need=OuterRef("pk")).values("pk")[:1]))


class NeedIn(Schema):
    org_id: int
    title: str = Field(max_length=80)
    body: str = Field(max_length=3000)
    kind: KINDS
    vote_starts: dt.datetime | None = None
    vote_ends: dt.datetime | None = None


@router.get("/needs/targets", response=list[ActivityOrgRef], summary="我可以提出需求的党组织")
@permission.own()
def need_targets(request):
    return selectors.need_targets(request.auth)


@router.get("/needs", response=list[NeedOut], summary="需求征集（本人所在组织链的，按票数排序）")
@permission.own()
@paginate(PageNumber)
def needs(request, status: str = "", org_id: int | None = None, mine: bool = False):
    qs = _needs(selectors.needs_for(request.auth))
    if status:
        qs = qs.filter(status=status)
    if org_id:
        qs = qs.filter(org_id=org_id)
    if mine:
        qs = qs.filter(proposer=request.auth)
    return qs.order_by("-votes", "-created_at", "-pk")


@router.post("/needs", response={201: NeedOut}, summary="提出需求")
@permission.own()
def need_propose(request, payload: NeedIn):
    org = next((o for o in selectors.need_targets(request.auth) if o.pk == payload.org_id), None)
    if org is None:
        raise NotFound("只能向本人所在党组织或其上级党组织提出需求")
    need = services.need_propose(
        actor=request.auth, org=org, title=payload.title, body=payload.body, kind=payload.kind,
        vote_starts=payload.vote_starts, vote_ends=payload.vote_ends,
    )  # fmt: skip
    return Status(201, _needs(selectors.needs_for(request.auth)).get(pk=need.pk))


@router.get("/needs/{need_id}", response=NeedOut, summary="一条需求")
@permission.own()
def need(request, need_id: int):
    selectors.need_get(request.auth, need_id)
    return _needs(selectors.needs_for(request.auth)).get(pk=need_id)


@router.post("/needs/{need_id}/vote", response=NeedOut, summary="为需求投票（每人一次，提出人不投）")
@permission.own()
def need_vote(request, need_id: int):
    services.need_vote(actor=request.auth, need=selectors.need_get(request.auth, need_id))
    return _needs(selectors.needs_for(request.auth)).get(pk=need_id)


@router.get("/manage/needs", response=list[NeedOut], summary="待办理的需求（按票数排序）")
@permission("community", "activities")
@paginate(PageNumber)
def needs_manage(request, status: str = ""):
    return _needs(selectors.needs_to_decide(request.scope, status=status))


class NeedDecideIn(Schema):
    action: Literal["adopt", "decline"]
    reason: str = Field("", max_length=1000, description="采纳说明或不予采纳的理由（不予采纳时必填）")


@router.post("/manage/needs/{need_id}/decide", response=NeedOut, summary="采纳或不予采纳需求")
@permission("community", "activities", model=Need, lookup="need_id")
def need_decide(request, need_id: int, payload: NeedDecideIn):
    need = request.scope.get(Need, pk=need_id)
    services.need_decide(actor=request.auth, need=need, action=payload.action, reason=payload.reason)
    return _needs(request.scope.filter(Need.objects.select_related("org", "proposer__person"))).get(
        pk=need_id
    )


# --- activities ---------------------------------------------------------------------------------------


class ActivityOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    title: str
    description: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    signup_deadline: dt.datetime
    place: str
    station_id: int | None
    station_name: str | None
    where: str
    capacity: int
    taken: int = 0
    waiting: int = 0
    hours: Decimal
    need_id: int | None
    team_id: int | None
    team_name: str | None
    my_status: str | None = None
    summary: str
    cancel_reason: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_station_name(obj):
        return obj.station.name if obj.station_id else None

    @staticmethod
    def resolve_team_name(obj):
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_taken(obj):
        return getattr(obj, "taken", 0)

    @staticmethod
    def resolve_waiting(obj):
        return getattr(obj, "waiting", 0)


class ParticipationOut(Schema):
    activity_id: int
    status: str
    status_label: str
    waitlist_position: int | None = None
    checked_in_at: dt.datetime | None
    hours: Decimal | None
    rating: int | None
    comment: str

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_waitlist_position(obj):
        return selectors.waitlist_position(obj) if obj.status == "waitlisted" else None


class ActivityDetailOut(ActivityOut):
    mine: ParticipationOut | None = None


def _detail(user, activity_id: int) -> Activity:
    a = selectors.activity_get(user, activity_id)
    a.mine = selectors.participation_of(user, a)
    return a


@router.get("/activities", response=list[ActivityOut], summary="活动（本人所在组织链的）")
@permission.own()
@paginate(PageNumber)
def activities(request, upcoming: bool = False, status: str = ""):
    qs = selectors.activities_for(request.auth)
    if upcoming:
        return selectors.upcoming(qs)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-pk")


@router.get("/activities/{activity_id}", response=ActivityDetailOut, summary="一个活动及本人的报名")
@permission.own()
def activity(request, activity_id: int):
    return _detail(request.auth, activity_id)


@router.post("/activities/{activity_id}/signup", response=ActivityDetailOut, summary="报名（满员进入候补）")
@permission.own()
def activity_signup(request, activity_id: int):
    services.activity_signup(actor=request.auth, activity=selectors.activity_get(request.auth, activity_id))
    return _detail(request.auth, activity_id)


@router.post("/activities/{activity_id}/cancel-signup", response=ActivityDetailOut, summary="取消报名")
@permission.own()
def signup_cancel(request, activity_id: int):
    services.signup_cancel(actor=request.auth, activity=selectors.activity_get(request.auth, activity_id))
    return _detail(request.auth, activity_id)


class CheckinCodeIn(Schema):
    code: str = Field(max_length=12)


@router.post("/activities/{activity_id}/checkin", response=ActivityDetailOut, summary="用签到码签到")
@permission.own()
def checkin(request, activity_id: int, payload: CheckinCodeIn):
    a = selectors.activity_get(request.auth, activity_id)
    services.checkin_code(actor=request.auth, activity=a, code=payload.code)
    return _detail(request.auth, activity_id)


class ActivityRateIn(Schema):
    rating: int
    comment: str = Field("", max_length=500)


@router.post("/activities/{activity_id}/rate", response=ActivityDetailOut, summary="评价（1–5 星，一次）")
@permission.own()
def rate(request, activity_id: int, payload: ActivityRateIn):
    a = selectors.activity_get(request.auth, activity_id)
    services.participation_rate(
        actor=request.auth, activity=a, rating=payload.rating, comment=payload.comment
    )
    return _detail(request.auth, activity_id)


class HourRowOut(Schema):
    activity_id: int
    title: str = Field(validation_alias="activity.title")
    org_name: str = Field(validation_alias="activity.org.name")
    starts_at: dt.datetime = Field(validation_alias="activity.starts_at")
    hours: Decimal


class HoursOut(Schema):
    total: Decimal
    count: int
    rows: list[HourRowOut]


@router.get("/me/hours", response=HoursOut, summary="我的志愿时长")
@permission.own()
def my_hours(request):
    return selectors.my_hours(request.auth)


# --- manage -------------------------------------------------------------------------------------------


class ActivityIn(Schema):
    org_id: int
    title: str = Field(max_length=80)
    description: str = Field(max_length=5000)
    kind: KINDS
    starts_at: dt.datetime
    ends_at: dt.datetime
    signup_deadline: dt.datetime | None = None
    place: str = Field("", max_length=200)
    station_id: int | None = None
    capacity: int
    hours: Decimal = Decimal("0")
    need_id: int | None = None
    team_id: int | None = None


@router.get("/manage/activities", response=list[ActivityOut], summary="管理的活动")
@permission("community", "activities")
@paginate(PageNumber)
def activities_manage(request, status: str = ""):
    return selectors.managed_activities(request.scope, status=status)


def _in_scope(request, model, pk, field: str, label: str):
    """The row of ``model`` named in a payload: a need or a team inside the caller's scope, any station
    (the service checks that it may host the org's activity)."""
    if pk is None:
        return None
    if model is Station:
        obj = Station.objects.select_related("org").filter(pk=pk).first()
    else:
        obj = request.scope.filter(model.objects.all()).filter(pk=pk).first()
    if obj is None:
        raise InvalidInput(f"没有这个{label}", field=field)
    return obj


@router.post("/manage/activities", response={201: ActivityOut}, summary="发布活动（可由需求生成）")
@permission("community", "activities")
def activity_create(request, payload: ActivityIn):
    org = request.scope.filter(Org.objects.all()).filter(pk=payload.org_id).first()
    if org is None:
        raise NotFound()
    a = services.activity_create(
        actor=request.auth, org=org, title=payload.title, description=payload.description, kind=payload.kind,
        starts_at=payload.starts_at, ends_at=payload.ends_at, signup_deadline=payload.signup_deadline,
        place=payload.place, station=_in_scope(request, Station, payload.station_id, "station_id", "驿站"),
        capacity=payload.capacity, hours=payload.hours,
        need=_in_scope(request, Need, payload.need_id, "need_id", "需求"),
        team=_in_scope(request, Team, payload.team_id, "team_id", "服务队"),
    )  # fmt: skip
    return Status(201, selectors.managed_activities(request.scope).get(pk=a.pk))


class RosterRowOut(Schema):
    user_id: int
    name: str
    status: str
    status_label: str
    signed_up_at: dt.datetime
    checked_in_at: dt.datetime | None
    checkin_method: str
    hours: Decimal | None
    rating: int | None
    comment: str

    @staticmethod
    def resolve_name(obj):
        return selectors.display_name(obj.user)

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class RosterOut(Schema):
    activity: ActivityOut
    checkin_code: str
    rows: list[RosterRowOut]


def _roster(request, activity_id: int) -> dict:
    request.scope.get(Activity, pk=activity_id)  # 404 outside the scope
    a = selectors.managed_activities(request.scope).get(pk=activity_id)
    return {"activity": a, "checkin_code": a.checkin_code, "rows": list(selectors.roster(a))}


@router.get("/manage/activities/{activity_id}", response=RosterOut, summary="活动花名册和签到码")
@permission("community", "activities", model=Activity, lookup="activity_id")
def roster(request, activity_id: int):
    return _roster(request, activity_id)


class RosterIn(Schema):
    user_ids: list[int] = Field(max_length=1000)


@router.post("/manage/activities/{activity_id}/checkin", response=RosterOut, summary="点名签到")
@permission("community", "activities", model=Activity, lookup="activity_id")
def roster_checkin(request, activity_id: int, payload: RosterIn):
    a = request.scope.get(Activity, pk=activity_id)
    services.checkin_roster(actor=request.auth, activity=a, user_ids=payload.user_ids)
    return _roster(request, activity_id)


class SummaryIn(Schema):
    summary: str = Field(max_length=5000)


@router.post("/manage/activities/{activity_id}/summary", response=ActivityOut, summary="活动总结（结束后）")
@permission("community", "activities", model=Activity, lookup="activity_id")
def summarize(request, activity_id: int, payload: SummaryIn):
    a = request.scope.get(Activity, pk=activity_id)
    services.activity_summarize(actor=request.auth, activity=a, summary=payload.summary)
    return selectors.managed_activities(request.scope).get(pk=activity_id)


class ActivityCancelIn(Schema):
    reason: str = Field(max_length=200)


@router.post(
    "/manage/activities/{activity_id}/cancel", response=ActivityOut, summary="取消活动（通知报名者）"
)
@permission("community", "activities", model=Activity, lookup="activity_id")
def cancel(request, activity_id: int, payload: ActivityCancelIn):
    a = request.scope.get(Activity, pk=activity_id)
    services.activity_cancel(actor=request.auth, activity=a, reason=payload.reason)
    return selectors.managed_activities(request.scope).get(pk=activity_id)


# --- statistics ---------------------------------------------------------------------------------------


class StatRowOut(Schema):
    activity_id: int
    title: str
    org_id: int
    org_name: str
    month: str
    signed_up: int
    waitlisted: int
    checked_in: int
    rate: float
    rating: float | None
    hours: Decimal


class OrgStatOut(Schema):
    org_id: int
    org_name: str
    activities: int
    signed_up: int
    waitlisted: int
    checked_in: int
    rate: float
    rating: float | None
    hours: Decimal


class TotalsOut(Schema):
    activities: int
    signed_up: int
    waitlisted: int
    checked_in: int
    rate: float
    hours: Decimal


class ActivityStatsOut(Schema):
    month: str
    totals: TotalsOut
    orgs: list[OrgStatOut]
    activities: list[StatRowOut]


@router.get("/stats", response=ActivityStatsOut, summary="参与统计（按组织、按活动；month=YYYY-MM）")
@permission("community", "view")
def stats(request, month: str = ""):
    return selectors.statistics(request.scope, month=month)


# --- teams --------------------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    name: str
    description: str
    is_active: bool


class TeamMemberOut(Schema):
    membership_id: int
    user_id: int
    name: str
    joined_on: dt.date
    left_on: dt.date | None
    hours: Decimal


class TeamDetailOut(TeamOut):
    hours: Decimal = Field(validation_alias="total_hours")
    members: list[TeamMemberOut] = Field(validation_alias="member_rows")
    activities: list[ActivityOut] = Field(validation_alias="activity_rows")


def _team(team: Team) -> Team:
    team.total_hours = selectors.team_hours(team)
    team.member_rows = [
        {"membership_id": r["membership"].pk, "user_id": r["membership"].user_id, "name": r["name"],
         "joined_on": r["membership"].joined_on, "left_on": r["membership"].left_on, "hours": r["hours"]}
        for r in selectors.team_members(team)
    ]  # fmt: skip
    team.activity_rows = list(selectors.with_counts(team.activities.all()).order_by("-starts_at")[:100])
    return team


@router.get("/teams", response=list[TeamOut], summary="志愿服务队（本人所在组织链的和管辖范围内的）")
@permission.own()
def teams(request):
    return selectors.teams_for(request.auth).order_by("org__path", "name")


@router.get("/teams/{team_id}", response=TeamDetailOut, summary="一个服务队：队员、时长、活动")
@permission.own()
def team(request, team_id: int):
    return _team(selectors.team_get(request.auth, team_id))


class TeamIn(Schema):
    org_id: int
    name: str = Field(max_length=60)
    description: str = Field("", max_length=300)


@router.post("/manage/teams", response={201: TeamOut}, summary="成立志愿服务队")
@permission("community", "activities")
def team_create(request, payload: TeamIn):
    org = request.scope.filter(Org.objects.all()).filter(pk=payload.org_id).first()
    if org is None:
        raise NotFound()
    t = services.team_create(actor=request.auth, org=org, name=payload.name, description=payload.description)
    return Status(201, Team.objects.select_related("org").get(pk=t.pk))


class JoinIn(Schema):
    user_id: int
    joined_on: dt.date | None = None


@router.post("/manage/teams/{team_id}/members", response=TeamDetailOut, summary="吸收队员")
@permission("community", "activities", model=Team, lookup="team_id")
def team_join(request, team_id: int, payload: JoinIn):
    t = request.scope.get(Team, pk=team_id)
    user = get_user_model().objects.filter(pk=payload.user_id, is_active=True).first()
    services.team_join(actor=request.auth, team=t, user=user, joined_on=payload.joined_on)
    return _team(t)


class LeaveIn(Schema):
    left_on: dt.date | None = None


@router.post(
    "/manage/teams/memberships/{membership_id}/leave", response=TeamDetailOut, summary="队员退出（记日期）"
)
@permission("community", "activities", model=TeamMembership, lookup="membership_id")
def team_leave(request, membership_id: int, payload: LeaveIn):
    m = request.scope.get(TeamMembership.objects.select_related("team__org"), pk=membership_id)
    services.team_leave(actor=request.auth, membership=m, left_on=payload.left_on)
    return _team(Team.objects.select_related("org").get(pk=m.team_id))


__all__ = ["Participation", "router"]
