import datetime as dt

from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from . import notify, regions, selectors, workdays
from .apischema import PageNumber, apply_ordering
from .errors import NotFound
from .models import Region
from .permissions import permission

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    level: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class MarkReadIn(Schema):
    ids: list[int] | None = Field(default=None, description="省略则全部标为已读", max_length=500)


class CountOut(Schema):
    count: int


@router.get("/notifications", response=list[NotificationOut], tags=["消息"], summary="我的消息")
@paginate(PageNumber)
@permission.own()
def notifications(request, unread: bool = False):
    qs = notify.inbox(request.auth)
    return qs.filter(read_at__isnull=True) if unread else qs


@router.get("/notifications/unread-count", response=CountOut, tags=["消息"], summary="未读消息数")
@permission.own()
def unread_count(request):
    return {"count": notify.unread_count(request.auth)}


@router.post("/notifications/read", response=CountOut, tags=["消息"], summary="标为已读")
@permission.own()
def mark_read(request, payload: MarkReadIn):
    return {"count": notify.mark_read(user=request.auth, ids=payload.ids)}


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_id: str | None


@router.get("/regions", response=list[RegionOut], tags=["行政区划"], summary="区划列表")
@paginate(PageNumber)
@permission.reference()
def region_list(
    request, parent: str | None = None, within: str | None = None, q: str = "", ordering: str | None = None
):
    if within:
        qs = regions.subtree(regions.normalize(within))
    elif parent:
        qs = regions.children(regions.normalize(parent))
    else:
        qs = Region.objects.all()
    if q:
        qs = qs.filter(name__contains=q)
    return apply_ordering(qs, ordering, allowed={"code", "name", "level"}, default="code")


@router.get("/regions/{code}", response=RegionOut, tags=["行政区划"], summary="区划详情")
@permission.reference()
def region_detail(request, code: str):
    region = Region.objects.filter(code=regions.normalize(code)).first()
    if region is None:
        raise NotFound()
    return region


class WorkdayQuery(Schema):
    start: dt.date
    days: int = Field(ge=-3650, le=3650)


class WorkdayOut(Schema):
    start: dt.date
    days: int
    result: dt.date


@router.get("/calendar/add-working-days", response=WorkdayOut, tags=["工作日历"], summary="工作日推算")
@permission.reference()
def add_working_days(request, params: Query[WorkdayQuery]):
    return {
        "start": params.start,
        "days": params.days,
        "result": workdays.add_working_days(params.start, params.days),
    }


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_repr: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None
    message: str
    request_id: str


class AuditQuery(Schema):
    actor_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    request_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


@router.get("/audit", response=list[AuditOut], tags=["审计"], summary="审计日志")
@paginate(PageNumber)
@permission("system", "view")
def audit_list(request, filters: Query[AuditQuery]):
    return selectors.audit_list(**filters.dict())
