"""Writes of the stations module: a station with its place, amenities and services; its weekly hours
and the days that differ; a visit (check-in at the door's QR code, by location, or at the desk).

Who: the offices over the managing org (``stations.create`` / ``stations.change``), the station's
keepers (``STATION_KEEPER`` grants over an assignment list of kind ``stations``: hours, closures, the
visit log). Anyone signed in checks in.

Each station created or changed publishes ``stations.saved`` (``{"station_id"}``): organization life
keeps a venue of it for meetings.

Refusals: ``InvalidInput`` with the field (coordinates, amenities, hours), ``RuleViolation``
``not_open`` (a check-in at a station that is not open at the time), ``too_far`` (a location check-in
farther than ``STATIONS_CHECKIN_RADIUS_M``), ``bad_token``.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxin.core import audit, events, geo
from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.core.models import Region
from sanxin.core.scope import scope_for
from sanxin.orgs.models import Org

from . import hours as hours_mod
from . import selectors, spatial
from .models import (
    AMENITY_CODES,
    CheckInMethod,
    Closure,
    HostKind,
    Hours,
    Review,
    ReviewStatus,
    Shift,
    ShiftStatus,
    Station,
    StationKind,
    StationStatus,
    Visit,
)

FIELDS = ("name", "kind", "host_kind", "host_name", "address", "lat", "lng", "capacity", "phone", "opened_on")


def coordinates(lat, lng, *, field: str = "lat") -> tuple[float, float]:
    """A WGS-84 point in China, or ``InvalidInput`` in Chinese."""
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise InvalidInput("坐标应为数字（纬度、经度）", field=field) from None
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise InvalidInput("坐标应为有限的数字", field=field)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput("坐标超出范围：纬度在-90到90之间，经度在-180到180之间", field=field)
    if not geo.in_china(lat, lng):
        raise InvalidInput("坐标不在我国境内，请核对坐标和所用的坐标系", field=field)
    return lat, lng


def amenity_mask(codes) -> int:
    """The bit set of amenity codes (``water``, ``charging``…), or ``InvalidInput`` naming the unknown."""
    mask = 0
    for code in codes or []:
        if code not in AMENITY_CODES:
            raise InvalidInput(f"未知的服务设施：{code}", field="amenities")
        mask |= AMENITY_CODES[code]
    return mask


def _services(codes) -> list[str]:
    from sanxin.appeals.models import Category

    codes = list(dict.fromkeys(codes or []))
    known = set(Category.objects.filter(pk__in=codes).values_list("pk", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(f"未知的服务类别：{unknown[0]}", field="services")
    return codes


def _check(data: dict) -> dict:
    out = dict(data)
    name = (out.get("name") or "").strip()
    if not name:
        raise InvalidInput("请填写站点名称", field="name")
    out["name"] = name[:120]
    if out.get("kind") not in StationKind.values:
        raise InvalidInput("请选择站点类型", field="kind")
    if out.get("host_kind", HostKind.OTHER) not in HostKind.values:
        raise InvalidInput("请选择依托场所类型", field="host_kind")
    if not (out.get("address") or "").strip():
        raise InvalidInput("请填写地址", field="address")
    out["lat"], out["lng"] = coordinates(out.get("lat"), out.get("lng"))
    cap = out.get("capacity")
    if cap is not None and (not isinstance(cap, int) or cap < 0 or cap > 10_000):
        raise InvalidInput("可容纳人数应为 0 到 10000 之间的整数", field="capacity")
    return out


def _place(station: Station) -> None:
    for name, cell in spatial.cells(station.lat, station.lng).items():
        setattr(station, name, cell)


def _require(actor, action: str, org: Org) -> None:
    if actor is not None and not scope_for(actor, "stations", action).contains(org):
        raise PermissionDenied("该党组织不在你的管理范围内")


def station_create(
    *, actor, org: Org, amenities=(), services=(), region: str | None = None, hours=None, **data
) -> Station:
    """A new station managed by ``org``; ``hours`` is a list of ``hours.Interval`` (or none yet)."""
    _require(actor, "create", org)
    data = _check(data)
    station = Station(org=org, **{k: v for k, v in data.items() if k in FIELDS})
    station.amenities = amenity_mask(amenities)
    station.services = _services(services)
    if region:
        station.region = Region.objects.filter(pk=region).first()
        if station.region is None:
            raise InvalidInput("未知的行政区划", field="region")
    else:
        station.region = org.region
    intervals = _intervals(hours) if hours is not None else []
    _place(station)
    station.checkin_token = secrets.token_urlsafe(16)
    with transaction.atomic():
        station.save()
        Hours.objects.bulk_create(
            [Hours(station=station, weekday=iv.weekday, opens=iv.opens, closes=iv.closes) for iv in intervals]
        )
        audit.record(actor=actor, action="station_create", obj=station, after=audit.snapshot(station))
        events.publish("stations.saved", {"station_id": station.pk})
    return station


def station_update(*, actor, station: Station, amenities=None, services=None, status=None, **data) -> Station:
    _require(actor, "change", station.org)
    before = audit.snapshot(station)
    merged = {k: getattr(station, k) for k in FIELDS} | {k: v for k, v in data.items() if k in FIELDS}
    merged = _check(merged)
    for k in FIELDS:
        setattr(station, k, merged[k])
    if amenities is not None:
        station.amenities = amenity_mask(amenities)
    if services is not None:
        station.services = _services(services)
    if status is not None:
        if status not in StationStatus.values:
            raise InvalidInput("未知的站点状态", field="status")
        station.status = status
    _place(station)
    with transaction.atomic():
        station.save()
        audit.record(
            actor=actor, action="station_update", obj=station, before=before, after=audit.snapshot(station)
        )
        events.publish("stations.saved", {"station_id": station.pk})
    return station


def _intervals(rows) -> list[hours_mod.Interval]:
    out = []
    for r in rows:
        iv = (
            r
            if isinstance(r, hours_mod.Interval)
            else hours_mod.Interval(r["weekday"], r["opens"], r["closes"])
        )
        out.append(iv)
    try:
        return hours_mod.check(out)
    except hours_mod.HoursError as exc:
        raise InvalidInput(exc.message, field="hours") from None


def _keeps(actor, station: Station) -> None:
    if actor is None:
        return
    if not scope_for(actor, "stations", "keep").contains(station):
        raise PermissionDenied("只有站点管理员和管理党组织可以修改开放时间")


def hours_set(*, actor, station: Station, hours) -> list[Hours]:
    """Replace the weekly hours."""
    _keeps(actor, station)
    intervals = _intervals(hours)
    with transaction.atomic():
        before = [iv.label() for iv in selectors.week_of(station)]
        station.hours.all().delete()
        rows = Hours.objects.bulk_create(
            [Hours(station=station, weekday=iv.weekday, opens=iv.opens, closes=iv.closes) for iv in intervals]
        )
        audit.record(
            actor=actor,
            action="station_hours",
            obj=station,
            before={"hours": before},
            after={"hours": [iv.label() for iv in intervals]},
        )
    return rows


def closure_set(
    *, actor, station: Station, on: dt.date, closed: bool = True, opens=None, closes=None, reason: str = ""
) -> Closure:
    """A day that differs: closed, or open only at the given hours (overnight allowed)."""
    _keeps(actor, station)
    if not closed and (opens is None or closes is None):
        raise InvalidInput("请填写当天的开门和关门时间", field="opens")
    if on < timezone.localdate() - dt.timedelta(days=1):
        raise InvalidInput("不能修改已经过去的日期", field="on")
    with transaction.atomic():
        row, _ = Closure.objects.update_or_create(
            station=station,
            on=on,
            defaults={
                "closed": closed,
                "opens": None if closed else opens,
                "closes": None if closed else closes,
                "reason": reason.strip()[:200],
            },
        )
        audit.record(
            actor=actor, action="station_closure", obj=station, after={"on": on.isoformat(), "closed": closed}
        )
    return row


def open_at(station: Station, at: dt.datetime) -> bool:
    if station.status != StationStatus.OPEN:
        return False
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    return hours_mod.is_open(local, selectors.week_of(station), selectors.overrides_of(station))


def _at_the_door(station: Station, method: str, token: str, lat, lng) -> int | None:
    """That the person is at the station: the door's QR token, or a location within the radius (its
    distance in metres is returned)."""
    if method == CheckInMethod.QR:
        if not token or not secrets.compare_digest(token, station.checkin_token):
            raise RuleViolation("二维码无效，请扫描站点门口的二维码", code="bad_token")
        return None
    if method != CheckInMethod.LOCATION:
        raise InvalidInput("请扫描站点二维码或使用定位", field="method")
    if lat is None or lng is None:
        raise InvalidInput("定位签到需要当前位置", field="lat")
    lat, lng = coordinates(lat, lng)
    distance = round(geo.distance_m(lat, lng, station.lat, station.lng))
    radius = settings.STATIONS_CHECKIN_RADIUS_M
    if distance > radius:
        raise RuleViolation(f"距离站点约 {distance} 米，需在 {radius} 米内签到", code="too_far", field="lat")
    return distance


def check_in(
    *,
    actor,
    station: Station,
    method: str,
    token: str = "",
    lat=None,
    lng=None,
    used=(),
    note: str = "",
    now: dt.datetime | None = None,
) -> Visit:
    """A visit: by the QR code at the door (its token), by the phone's location (within the radius),
    or registered at the desk by a keeper (``actor`` is the keeper; no user)."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    if method not in CheckInMethod.values:
        raise InvalidInput("未知的签到方式", field="method")
    user = actor
    if method == CheckInMethod.DESK:
        _keeps(actor, station)
        distance, user = None, None
    else:
        distance = _at_the_door(station, method, token, lat, lng)
    if not open_at(station, now):
        raise RuleViolation("站点当前不在开放时间", code="not_open")
    mask = amenity_mask(used)
    if mask & ~station.amenities:
        raise InvalidInput("站点没有所选的服务设施", field="used")
    visit = Visit.objects.create(
        station=station,
        user=user,
        at=now,
        method=method,
        distance_m=distance,
        used=mask,
        note=note.strip()[:200],
        recorded_by=actor if method == CheckInMethod.DESK else None,
    )
    return visit


# --- visitors' reviews --------------------------------------------------------------------------------


def review_submit(*, actor, station: Station, stars: int, comment: str = "", now=None) -> Review:
    """A visitor's rating (1–5) and comment; again from the same visitor replaces it. Only someone who
    checked in there may rate; it is public once an office has passed it (``review_moderate``)."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InvalidInput("请给出 1 到 5 星的评分", field="stars")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise InvalidInput(f"评价不能超过 500 字（现有 {len(comment)} 字）", field="comment")
    if not Visit.objects.filter(station=station, user=actor).exists():
        raise RuleViolation("到站签到后才能评价", code="not_visited")
    with transaction.atomic():
        review, _ = Review.objects.update_or_create(
            station=station,
            user=actor,
            defaults={
                "stars": stars,
                "comment": comment,
                "at": now,
                "status": ReviewStatus.PENDING,
                "moderated_by": None,
            },
        )
    return review


def review_moderate(*, actor, review: Review, publish: bool) -> Review:
    """An office passes a review (public) or keeps it off the station's page."""
    _require(actor, "change", review.station.org)
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        before = review.status
        review.status = ReviewStatus.PUBLISHED if publish else ReviewStatus.HIDDEN
        review.moderated_by = actor if getattr(actor, "is_authenticated", False) else None
        review.save(update_fields=["status", "moderated_by"])
        audit.record(
            actor=actor,
            action="station_review",
            obj=review,
            before={"status": before},
            after={"status": review.status},
        )
    return review


# --- volunteer shifts (驿站志愿值守) --------------------------------------------------------------------

MAX_SHIFT_HOURS = 12


def _person_of(actor):
    from sanxin.orgs.models import Person

    person = Person.objects.filter(user=actor).first() if getattr(actor, "is_authenticated", False) else None
    if person is None:
        raise RuleViolation("你的账号尚未关联人员信息，请联系所在支部", code="no_person")
    return person


def _shift_hours(starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    """Whole half hours served, at most ``MAX_SHIFT_HOURS`` (a shift left on overnight is not 20 hours of
    service)."""
    halves = int((ends_at - starts_at).total_seconds() // 1800)
    return min(Decimal(halves) / 2, Decimal(MAX_SHIFT_HOURS))


def shift_start(
    *, actor, station: Station, duty: str, method: str, token: str = "", lat=None, lng=None, now=None
) -> Shift:
    """A volunteer starts a shift at the station, proving they are there as a check-in does."""
    now = now or timezone.now()
    person = _person_of(actor)
    duty = (duty or "").strip()
    if not duty:
        raise InvalidInput("请填写服务内容（如：站点值守、送水、急救服务）", field="duty")
    if len(duty) > 100:
        raise InvalidInput("服务内容不能超过 100 字", field="duty")
    _at_the_door(station, method, token, lat, lng)
    if station.status != StationStatus.OPEN:
        raise RuleViolation("站点暂停服务，不能开始值守", code="not_open")
    with transaction.atomic():
        if Shift.objects.filter(person=person, status=ShiftStatus.ON).exists():
            raise RuleViolation("你还有一次值守没有结束，请先结束", code="shift_on")
        try:
            with transaction.atomic():
                return Shift.objects.create(station=station, person=person, duty=duty, starts_at=now)
        except IntegrityError:  # the same start sent twice at once: one shift
            raise RuleViolation("你还有一次值守没有结束，请先结束", code="shift_on") from None


def shift_end(*, actor, shift: Shift, now=None) -> Shift:
    """The volunteer ends their own shift; it then waits for the keeper (who can also close a shift
    left on, by deciding it)."""
    now = now or timezone.now()
    with transaction.atomic():
        shift = Shift.objects.select_for_update(of=("self",)).select_related("person").get(pk=shift.pk)
        if shift.person.user_id is None or shift.person.user_id != getattr(actor, "pk", None):
            raise PermissionDenied("只能结束自己的值守")
        if shift.status != ShiftStatus.ON:
            raise RuleViolation("这次值守已经结束", code="shift_ended")
        _close(shift, now)
        shift.save(update_fields=["ends_at", "hours", "status"])
    return shift


def _close(shift: Shift, now: dt.datetime) -> None:
    if now <= shift.starts_at:
        raise InvalidInput("结束时间应晚于开始时间", field="ends_at")
    shift.ends_at = now
    shift.hours = _shift_hours(shift.starts_at, now)
    shift.status = ShiftStatus.ENDED


def shift_decide(*, actor, shift: Shift, confirm: bool, hours=None, reason: str = "", now=None) -> Shift:
    """The keeper confirms a shift (with its hours, which may be lowered, not raised) or does not (with
    a reason). A confirmed shift is announced as ``stations.volunteered`` once."""
    now = now or timezone.now()
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        shift = (
            Shift.objects.select_for_update(of=("self",)).select_related("station", "person").get(pk=shift.pk)
        )
        _keeps(actor, shift.station)
        if shift.person.user_id is not None and shift.person.user_id == getattr(actor, "pk", None):
            raise PermissionDenied("不能确认自己的值守")
        before = {"status": shift.status, "hours": str(shift.hours)}
        if shift.status == ShiftStatus.ON:  # left on: the keeper closes it now
            _close(shift, now)
        if shift.status != ShiftStatus.ENDED:
            raise RuleViolation("这次值守已经处理过了", code="decided")
        if confirm:
            if hours is not None:
                try:
                    hours = Decimal(str(hours))
                except ArithmeticError:
                    raise InvalidInput("服务时长应为数字", field="hours") from None
                if not hours.is_finite() or hours <= 0 or hours > shift.hours or hours * 2 % 1:
                    raise InvalidInput(f"服务时长应为不超过 {shift.hours} 小时的整半小时", field="hours")
                shift.hours = hours
            shift.status = ShiftStatus.CONFIRMED
        else:
            if not reason:
                raise InvalidInput("不予确认时请说明原因", field="reason")
            shift.status = ShiftStatus.REJECTED
        shift.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        shift.decided_at = now
        shift.reason = reason
        shift.save(update_fields=["ends_at", "status", "hours", "decided_by", "decided_at", "reason"])
        audit.record(
            actor=actor,
            action="station_shift",
            obj=shift,
            before=before,
            after={"status": shift.status, "hours": str(shift.hours), "reason": reason},
        )
        if confirm:
            events.publish(
                "stations.volunteered",
                {
                    "shift_id": shift.pk,
                    "station_id": shift.station_id,
                    "person_id": shift.person_id,
                    "station_kind": shift.station.kind,
                    "hours": float(shift.hours),
                    "on": timezone.localdate(shift.starts_at).isoformat(),
                },
                key=f"stations.shift:{shift.pk}",
            )
    return shift


# --- photos -------------------------------------------------------------------------------------------

MAX_PHOTOS = 9


def photos_add(*, actor, station: Station, uploads_) -> list:
    """Add photos of the station (the door, the rest area, the amenities) — a keeper or an office over
    its managing org; at most ``MAX_PHOTOS``. All or none: one refused file (not an image by its
    content, too large) stores none."""
    from sanxin.core import uploads

    _keeps(actor, station)
    uploads_ = [u for u in uploads_ or [] if u]
    if not uploads_:
        raise InvalidInput("请选择要上传的照片", field="photos")
    have = station.photos.count()
    if have + len(uploads_) > MAX_PHOTOS:
        raise InvalidInput(f"每个站点最多 {MAX_PHOTOS} 张照片（已有 {have} 张）", field="photos")
    with transaction.atomic():
        stored = uploads.store_all(actor=actor, purpose_name="stations.photo", files=uploads_)
        station.photos.add(*stored)
        audit.record(
            actor=actor,
            action="station_photos",
            obj=station,
            after={"added": [f.original_name for f in stored]},
        )
    return stored


def photo_remove(*, actor, station: Station, file_id) -> None:
    _keeps(actor, station)
    try:
        f = station.photos.filter(pk=uuid.UUID(str(file_id))).first()
    except ValueError:
        f = None
    if f is None:  # already removed (a second click), or never this station's
        raise RuleViolation("这张照片不在本站点的照片中", code="no_such_photo", field="photo")
    with transaction.atomic():
        station.photos.remove(f)
        audit.record(actor=actor, action="station_photos", obj=station, before={"removed": f.original_name})
