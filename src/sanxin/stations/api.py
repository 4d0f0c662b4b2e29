"""/api/v1/stations: 服务阵地. Anyone signed in finds the nearest open stations and checks in; the
offices keep the ledger of the stations their orgs manage (create, change); keepers set the hours and
closures. Every write goes through ``stations.services``.

Coordinates are WGS-84 (what a phone's geolocation gives, what the ledger stores and writes take).
Chinese map SDKs (AMap, Tencent) draw GCJ-02: ``nearest`` takes ``crs=gcj02`` for a point picked on
such a map and answers in it too; a station's record carries ``lat_gcj02``/``lng_gcj02`` beside its
WGS-84 ``lat``/``lng`` rather than replacing them, so a client that sends a record back through
PATCH cannot shift the station by the offset (a few hundred metres)."""

import datetime as dt
from typing import Literal

from django.conf import settings
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core import geo
from sanxin.core.apischema import FileIn, PageNumber, decode_files
from sanxin.core.errors import NotFound
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org

from . import selectors, services
from .hours import Interval
from .models import (
    AMENITY_CODES,
    Amenity,
    CheckInMethod,
    HostKind,
    Review,
    Shift,
    Station,
    StationKind,
    StationStatus,
)

router = Router(tags=["服务阵地"])

KINDS = Literal[tuple(StationKind.values)]  # type: ignore[valid-type]
HOSTS = Literal[tuple(HostKind.values)]  # type: ignore[valid-type]
STATUSES = Literal[tuple(StationStatus.values)]  # type: ignore[valid-type]
METHODS = Literal[tuple(CheckInMethod.values)]  # type: ignore[valid-type]
MODES = Literal[tuple(settings.STATIONS_SPEEDS_KMH)]  # type: ignore[valid-type]
CRS = Literal["wgs84", "gcj02"]


def _codes(mask: int) -> list[str]:
    return [code for code, bit in AMENITY_CODES.items() if mask & bit]


class AmenityOut(Schema):
    code: str
    name: str


class HoursIO(Schema):
    weekday: int = Field(ge=0, le=6, description="0=周一 … 6=周日")
    opens: dt.time
    closes: dt.time = Field(description="不晚于开门时间表示次日关门（如 22:00–06:00）")


class StationOut(Schema):
    id: int = Field(validation_alias="pk")
    name: str
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    host_kind: str
    host_name: str
    org_id: int
    address: str
    lat: float = Field(description="纬度（WGS-84）")
    lng: float = Field(description="经度（WGS-84）")
    lat_gcj02: float = Field(description="纬度（GCJ-02，高德、腾讯地图使用；境外同 WGS-84）")
    lng_gcj02: float = Field(description="经度（GCJ-02，高德、腾讯地图使用；境外同 WGS-84）")
    amenities: list[str]
    services: list[str]
    capacity: int | None
    phone: str
    status: str
    hours: list[HoursIO]

    @staticmethod
    def resolve_amenities(obj):
        return _codes(obj.amenities)

    @staticmethod
    def resolve_lat_gcj02(obj):
        return geo.to_gcj02(obj.lat, obj.lng)[0]

    @staticmethod
    def resolve_lng_gcj02(obj):
        return geo.to_gcj02(obj.lat, obj.lng)[1]

    @staticmethod
    def resolve_hours(obj):
        return list(obj.hours.all())


class NearOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    lat: float = Field(description="纬度（按请求的 crs，默认 WGS-84）")
    lng: float = Field(description="经度（按请求的 crs，默认 WGS-84）")
    amenities: list[str]
    distance_m: float = Field(description="直线距离（米）")
    minutes: float = Field(description="估计用时（分钟）：直线距离×绕行系数÷出行速度")
    hours_today: str


class NearestFilters(Schema):
    lat: float = Field(ge=-90, le=90, description="纬度（按 crs）")
    lng: float = Field(ge=-180, le=180, description="经度（按 crs）")
    crs: CRS = Field(
        "wgs84",
        description="坐标系：wgs84（手机定位、GPS，默认）或 gcj02（高德、腾讯地图上选的点）；"
        "请求的 lat/lng 和结果的 lat/lng 都用这一坐标系",
    )
    amenity: list[str] = Field(default_factory=list, description="需要的设施（可多选）：water、charging…")
    open_at: dt.datetime | None = Field(None, description="在此时间开放（默认现在）")
    kind: list[KINDS] = Field(default_factory=list)
    mode: MODES = "riding"
    limit: int = Field(5, ge=1, le=50)


@router.get("/amenities", response=list[AmenityOut], summary="服务设施代码")
@permission.reference()
def amenities(request):
    return [AmenityOut(code=code, name=str(Amenity(bit).label)) for code, bit in AMENITY_CODES.items()]


@router.get("/nearest", response=list[NearOut], summary="最近的开放站点（按设施和时间筛选）")
@permission.reference()
def nearest(request, filters: Query[NearestFilters]):
    gcj = filters.crs == "gcj02"
    lat, lng = geo.from_gcj02(filters.lat, filters.lng) if gcj else (filters.lat, filters.lng)
    lat, lng = services.coordinates(lat, lng)
    rows = selectors.nearest(
        lat,
        lng,
        amenities=services.amenity_mask(filters.amenity),
        open_at=filters.open_at or timezone.now(),
        kinds=filters.kind,
        limit=filters.limit,
        mode=filters.mode,
    )
    out = []
    for n in rows:
        s = n.station
        s_lat, s_lng = geo.to_gcj02(s.lat, s.lng) if gcj else (s.lat, s.lng)
        out.append(
            NearOut(
                id=s.pk,
                name=s.name,
                kind=s.kind,
                address=s.address,
                lat=s_lat,
                lng=s_lng,
                amenities=_codes(s.amenities),
                distance_m=n.distance_m,
                minutes=n.minutes,
                hours_today=n.hours_today,
            )
        )
    return out


class StationIn(Schema):
    org_id: int = Field(description="管理党组织")
    name: str = Field(max_length=120)
    kind: KINDS
    host_kind: HOSTS = "other"
    host_name: str = Field("", max_length=120)
    address: str = Field(max_length=200)
    region: str | None = Field(None, description="所在街道（区划代码），默认管理党组织的")
    lat: float
    lng: float
    amenities: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list, description="提供的服务（诉求类别代码）")
    capacity: int | None = Field(None, ge=0, le=10_000)
    phone: str = Field("", max_length=30)
    opened_on: dt.date | None = None
    hours: list[HoursIO] = Field(default_factory=list)


class StationPatch(Schema):
    name: str | None = Field(None, max_length=120)
    host_name: str | None = Field(None, max_length=120)
    address: str | None = Field(None, max_length=200)
    lat: float | None = None
    lng: float | None = None
    amenities: list[str] | None = None
    services: list[str] | None = None
    capacity: int | None = Field(None, ge=0, le=10_000)
    phone: str | None = Field(None, max_length=30)
    status: STATUSES | None = None


def _station(request, station_id: int) -> Station:
    return request.scope.get(Station.objects.prefetch_related("hours"), pk=station_id)


def _public_station(station_id: int) -> Station:
    """A station anyone signed in may visit, rate, keep a shift at or look at (not the ledger's rows)."""
    station = Station.objects.filter(pk=station_id).first()
    if station is None:
        raise NotFound()
    return station


def _intervals(rows: list[HoursIO]) -> list[Interval]:
    return [Interval(r.weekday, r.opens, r.closes) for r in rows]


@router.get("", response=list[StationOut], summary="服务阵地台账（本人管理范围）")
@permission("stations", "view")
@paginate(PageNumber)
def station_list(request):
    return selectors.for_scope(request.scope).prefetch_related("hours")


@router.post("", response={201: StationOut}, summary="新建服务阵地")
@permission("stations", "create")
def station_create(request, payload: StationIn):
    org = request.scope.get(Org, pk=payload.org_id)
    data = payload.dict(exclude={"org_id", "hours", "amenities", "services", "region"})
    station = services.station_create(
        actor=request.auth,
        org=org,
        amenities=payload.amenities,
        services=payload.services,
        region=payload.region,
        hours=_intervals(payload.hours),
        **data,
    )
    return Status(201, _station(request, station.pk))


@router.get("/{station_id}", response=StationOut, summary="站点详情")
@permission("stations", "view", model=Station, lookup="station_id")
def station_detail(request, station_id: int):
    return _station(request, station_id)


@router.patch("/{station_id}", response=StationOut, summary="修改站点")
@permission("stations", "change", model=Station, lookup="station_id")
def station_update(request, station_id: int, payload: StationPatch):
    station = _station(request, station_id)
    data = payload.dict(exclude_unset=True)
    services.station_update(
        actor=request.auth,
        station=station,
        amenities=data.pop("amenities", None),
        services=data.pop("services", None),
        status=data.pop("status", None),
        **data,
    )
    return _station(request, station_id)


@router.put("/{station_id}/hours", response=StationOut, summary="设定每周开放时间")
@permission("stations", "keep", model=Station, lookup="station_id")
def hours_set(request, station_id: int, payload: list[HoursIO]):
    station = _station(request, station_id)
    services.hours_set(actor=request.auth, station=station, hours=_intervals(payload))
    return _station(request, station_id)


class ClosureIn(Schema):
    on: dt.date
    closed: bool = True
    opens: dt.time | None = None
    closes: dt.time | None = None
    reason: str = Field("", max_length=200)


@router.post("/{station_id}/closures", response={201: dict}, summary="闭站或特别开放时间（某一天）")
@permission("stations", "keep", model=Station, lookup="station_id")
def closure_set(request, station_id: int, payload: ClosureIn):
    row = services.closure_set(actor=request.auth, station=_station(request, station_id), **payload.dict())
    return Status(201, {"id": row.pk, "on": row.on.isoformat(), "closed": row.closed})


class CheckInIn(Schema):
    method: METHODS
    token: str = Field("", max_length=64, description="站点二维码中的令牌（扫码签到）")
    lat: float | None = None
    lng: float | None = None
    used: list[str] = Field(default_factory=list, description="使用的设施")


class StationVisitOut(Schema):
    id: int = Field(validation_alias="pk")
    station_id: int
    at: dt.datetime
    method: str
    distance_m: int | None
    used: list[str]

    @staticmethod
    def resolve_used(obj):
        return _codes(obj.used)


@router.post("/{station_id}/checkin", response={201: StationVisitOut}, summary="到站签到（扫码或定位）")
@permission.own()
def check_in(request, station_id: int, payload: CheckInIn):
    station = _public_station(station_id)
    visit = services.check_in(
        actor=request.auth,
        station=station,
        method=payload.method,
        token=payload.token,
        lat=payload.lat,
        lng=payload.lng,
        used=payload.used,
    )
    return Status(201, visit)


class StationReviewIn(Schema):
    stars: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=500)


class ReviewOut(Schema):
    id: int = Field(validation_alias="pk")
    station_id: int
    stars: int
    comment: str
    at: dt.datetime
    status: str


class StationModerateIn(Schema):
    publish: bool


@router.post("/{station_id}/reviews", response={201: ReviewOut}, summary="评价站点（到站签到后，审核后公开）")
@permission.own()
def review_submit(request, station_id: int, payload: StationReviewIn):
    station = _public_station(station_id)
    review = services.review_submit(
        actor=request.auth, station=station, stars=payload.stars, comment=payload.comment
    )
    return Status(201, review)


@router.get("/reviews/pending", response=list[ReviewOut], summary="待审核的站点评价")
@permission("stations", "change")
@paginate(PageNumber)
def reviews_pending(request):
    return selectors.pending_reviews(request.scope)


@router.post("/reviews/{review_id}/moderate", response=ReviewOut, summary="审核站点评价（公开或不公开）")
@permission("stations", "change", model=Review, lookup="review_id")
def review_moderate(request, review_id: int, payload: StationModerateIn):
    review = request.scope.get(Review.objects.select_related("station__org"), pk=review_id)
    return services.review_moderate(actor=request.auth, review=review, publish=payload.publish)


# --- volunteer shifts (驿站志愿值守) --------------------------------------------------------------------


class ShiftStartIn(Schema):
    duty: str = Field(min_length=1, max_length=100, description="服务内容（如：站点值守、送水）")
    method: Literal["qr", "location"]
    token: str = Field("", max_length=64, description="站点二维码中的令牌（扫码）")
    lat: float | None = None
    lng: float | None = None


class ShiftOut(Schema):
    id: int = Field(validation_alias="pk")
    station_id: int
    station_name: str
    duty: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    hours: float | None = Field(description="服务时长（小时，整半小时）")
    status: str
    reason: str

    @staticmethod
    def resolve_station_name(obj):
        return obj.station.name


class ShiftDecideIn(Schema):
    confirm: bool
    hours: float | None = Field(None, gt=0, le=12, description="确认的时长（可调低，不能调高）")
    reason: str = Field("", max_length=200, description="不予确认时必填")


def _shift(request, shift_id: int) -> Shift:
    return request.scope.get(Shift.objects.select_related("station", "person"), pk=shift_id)


@router.post("/{station_id}/shifts", response={201: ShiftOut}, summary="开始志愿值守（扫码或定位）")
@permission.own()
def shift_start(request, station_id: int, payload: ShiftStartIn):
    station = _public_station(station_id)
    shift = services.shift_start(actor=request.auth, station=station, **payload.dict())
    return Status(201, shift)


@router.get("/shifts/mine", response=list[ShiftOut], summary="我的志愿值守")
@permission.own()
@paginate(PageNumber)
def shifts_mine(request):
    return selectors.shifts_of(request.auth)


@router.post("/shifts/mine/end", response=ShiftOut, summary="结束我正在进行的值守")
@permission.own()
def shift_end(request):
    shift = selectors.shift_on(request.auth)
    if shift is None:
        raise NotFound("你现在没有进行中的值守")
    return services.shift_end(actor=request.auth, shift=shift)


@router.get("/{station_id}/shifts", response=list[ShiftOut], summary="站点的志愿值守（站点管理员）")
@permission("stations", "keep", model=Station, lookup="station_id")
@paginate(PageNumber)
def station_shifts(request, station_id: int, status: str = ""):
    station = _station(request, station_id)
    return selectors.shifts(request.scope, station=station, status=status)


@router.post("/shifts/{shift_id}/decide", response=ShiftOut, summary="确认或不予确认志愿值守")
@permission("stations", "keep", model=Shift, lookup="shift_id")
def shift_decide(request, shift_id: int, payload: ShiftDecideIn):
    return services.shift_decide(actor=request.auth, shift=_shift(request, shift_id), **payload.dict())


# --- photos -------------------------------------------------------------------------------------------


class PhotosIn(Schema):
    photos: list[FileIn] = Field(min_length=1, max_length=9)


class PhotoOut(Schema):
    id: str
    name: str
    url: str = Field(description="图片地址（登录后可看）")


def _photos(station: Station) -> list[PhotoOut]:
    return [
        PhotoOut(id=str(f.pk), name=f.original_name, url=f"/files/{f.pk}/?inline=1")
        for f in station.photos.all()
    ]


@router.get("/{station_id}/photos", response=list[PhotoOut], summary="站点照片")
@permission.reference()
def photos(request, station_id: int):
    station = _public_station(station_id)
    return _photos(station)


@router.post("/{station_id}/photos", response={201: list[PhotoOut]}, summary="上传站点照片（站点管理员）")
@permission("stations", "keep", model=Station, lookup="station_id")
def photos_add(request, station_id: int, payload: PhotosIn):
    station = _station(request, station_id)
    services.photos_add(
        actor=request.auth, station=station, uploads_=decode_files(payload.photos, field="photos")
    )
    return Status(201, _photos(station))


@router.delete("/{station_id}/photos/{photo_id}", response={204: None}, summary="删除站点照片（站点管理员）")
@permission("stations", "keep", model=Station, lookup="station_id")
def photo_remove(request, station_id: int, photo_id: str):
    services.photo_remove(actor=request.auth, station=_station(request, station_id), file_id=photo_id)
    return Status(204, None)
