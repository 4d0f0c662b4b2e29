"""Pages of stations: the phone page that finds the nearest open stations (the browser's location, or
a street as the fallback), a station's page with its hours, amenities and check-in. Thin: selectors
read, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Avg
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core import qr
from sanxin.core.errors import InvalidInput, ServiceError
from sanxin.core.excel.export import workbook_response
from sanxin.core.models import Region
from sanxin.core.pages import message_error, paginate
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for

from . import exports, imports, selectors, services
from .hours import WEEKDAYS, Interval
from .models import AMENITY_CODES, Amenity, Review, Shift, Station, StationKind, StationStatus, Visit


def _amenity_choices():
    return [(code, str(Amenity(bit).label)) for code, bit in AMENITY_CODES.items()]


def _street_point(code: str) -> tuple[float, float] | None:
    """A street's stations' mean point: where someone who names their street probably is."""
    row = Station.objects.filter(region__code__startswith=code[:9], status=StationStatus.OPEN).aggregate(
        lat=Avg("lat"), lng=Avg("lng")
    )
    return (row["lat"], row["lng"]) if row["lat"] is not None else None


@permission.reference()
@login_required
@require_safe
def nearby(request):
    wanted = [a for a in request.GET.getlist("amenity") if a in AMENITY_CODES]
    kind = request.GET.get("kind", "")
    now_only = request.GET.get("open", "1") == "1"
    lat, lng, street = request.GET.get("lat"), request.GET.get("lng"), request.GET.get("region", "")
    results, error, point = None, "", None
    try:
        if lat and lng:
            point = services.coordinates(lat, lng)
        elif street:
            point = _street_point(street)
            if point is None:
                raise InvalidInput("所选街道还没有站点，请使用当前位置", field="region")
    except InvalidInput as exc:
        error = exc.message
    if point is not None:
        results = selectors.nearest(
            point[0],
            point[1],
            amenities=services.amenity_mask(wanted),
            open_at=timezone.now() if now_only else None,
            kinds=[kind] if kind in StationKind.values else None,
            limit=10,
        )
    context = {
        "results": results,
        "error": error,
        "wanted": wanted,
        "kind": kind,
        "now_only": now_only,
        "amenities": _amenity_choices(),
        "kinds": StationKind.choices,
        "streets": Region.objects.filter(level=4).order_by("code"),
        "street": street,
        "lat": lat or "",
        "lng": lng or "",
    }
    return render(request, "stations/nearby.html", context)


@permission.reference()
@login_required
@require_http_methods(["GET", "POST"])
def station(request, station_id: int):
    s = get_object_or_404(Station.objects.select_related("org").prefetch_related("hours"), pk=station_id)
    if request.method == "POST" and request.POST.get("action") == "review":
        try:
            stars = int(request.POST.get("stars") or 0)
        except ValueError:
            stars = 0
        try:
            services.review_submit(
                actor=request.user, station=s, stars=stars, comment=request.POST.get("comment", "")
            )
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "感谢评价，审核后公开")
            return redirect("stations:detail", s.pk)
    elif request.method == "POST" and request.POST.get("action") in ("shift_start", "shift_end"):
        token = request.POST.get("t", "")
        try:
            if request.POST["action"] == "shift_start":
                services.shift_start(
                    actor=request.user,
                    station=s,
                    duty=request.POST.get("duty", ""),
                    method="qr" if token else "location",
                    token=token,
                    lat=request.POST.get("lat") or None,
                    lng=request.POST.get("lng") or None,
                )
                done = "已开始志愿值守，结束时请点“结束值守”"
            else:
                shift = selectors.shift_on(request.user)
                if shift is None:
                    raise InvalidInput("你现在没有进行中的值守")
                services.shift_end(actor=request.user, shift=shift)
                done = "已结束值守，等待站点管理员确认时长"
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, done)
            return redirect("stations:detail", s.pk)
    elif request.method == "POST":
        token = request.POST.get("t", "")
        try:
            services.check_in(
                actor=request.user,
                station=s,
                method="qr" if token else "location",
                token=token,
                lat=request.POST.get("lat") or None,
                lng=request.POST.get("lng") or None,
                used=[a for a in request.POST.getlist("used") if a in AMENITY_CODES],
            )
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, f"已在{s.name}签到")
            return redirect("stations:detail", s.pk)
    today = timezone.localdate()
    week = [(WEEKDAYS[d], [h for h in s.hours.all() if h.weekday == d]) for d in range(7)]
    reviews, stars, count = selectors.reviews(s)
    context = {
        "s": s,
        "week": week,
        "today": selectors.hours_today(s, today),
        "open_now": services.open_at(s, timezone.now()),
        "amenities": [
            (code, str(Amenity(bit).label)) for code, bit in AMENITY_CODES.items() if s.amenities & bit
        ],
        "token": request.GET.get("t", ""),
        "can_keep": scope_for(request.user, "stations", "keep").contains(s),
        "reviews": reviews,
        "stars": stars,
        "review_count": count,
        "visited": Visit.objects.filter(station=s, user=request.user).exists(),
        "shift_on": selectors.shift_on(request.user),
        "photos": s.photos.all(),
        "my_shifts": selectors.shifts_of(request.user, station=s)[:5],
    }
    return render(request, "stations/station.html", context, status=400 if request.method == "POST" else 200)


# --- the offices' ledger and the keeper's page --------------------------------------------------------


def _ledger_rows(request):
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    q = (request.GET.get("q") or "").strip()[:50]
    rows = selectors.ledger(
        request.scope,
        kind=kind if kind in StationKind.values else "",
        status=status if status in StationStatus.values else "",
        q=q,
    )
    return rows, kind, status, q


@permission("stations", "view")
@require_safe
def ledger(request):
    rows, kind, status, q = _ledger_rows(request)
    context = {
        "rows": paginate(request, rows.prefetch_related("hours"), 50),
        "kind": kind,
        "status": status,
        "q": q,
        "kinds": StationKind.choices,
        "statuses": StationStatus.choices,
        "can_export": has_permission(request.user, "stations", "export"),
    }
    return render(request, "stations/ledger.html", context)


@permission("stations", "export")
@require_safe
def ledger_export(request):
    rows, *_ = _ledger_rows(request)
    title = f"服务阵地台账（{timezone.localdate():%Y-%m-%d}）"
    path = exports.ledger_workbook(rows.prefetch_related("hours"), actor=request.user, title=title)
    return workbook_response(path, filename=title)


@permission("stations", "keep", model=Station, lookup="station_id")
@require_http_methods(["GET", "POST"])
def keep(request, station_id: int):
    """The keeper's page: today's visits and the month's use, a visit registered at the desk, the
    week's hours, a day closed or open at other hours."""
    s = request.scope.get(Station.objects.select_related("org").prefetch_related("hours"), pk=station_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "desk":
                services.check_in(
                    actor=request.user,
                    station=s,
                    method="desk",
                    used=[a for a in request.POST.getlist("used") if a in AMENITY_CODES],
                    note=request.POST.get("note", ""),
                )
                done = "已登记到站"
            elif action == "photos":
                services.photos_add(actor=request.user, station=s, uploads_=request.FILES.getlist("photos"))
                done = "已上传照片"
            elif action == "photo_remove":
                services.photo_remove(
                    actor=request.user, station=s, file_id=request.POST.get("photo") or None
                )
                done = "已删除照片"
            elif action in ("shift_confirm", "shift_reject"):
                shift = request.scope.get(Shift.objects.filter(station=s), pk=request.POST.get("shift") or 0)
                services.shift_decide(
                    actor=request.user,
                    shift=shift,
                    confirm=action == "shift_confirm",
                    hours=request.POST.get("hours") or None,
                    reason=request.POST.get("reason", ""),
                )
                done = "已确认值守时长" if action == "shift_confirm" else "已记录不予确认的原因"
            elif action == "hours":
                services.hours_set(actor=request.user, station=s, hours=_posted_hours(request.POST))
                done = "已更新开放时间"
            elif action == "closure":
                services.closure_set(
                    actor=request.user,
                    station=s,
                    on=_date(request.POST.get("on"), "on"),
                    closed=request.POST.get("closed") == "1",
                    opens=_time(request.POST.get("opens"), "opens"),
                    closes=_time(request.POST.get("closes"), "closes"),
                    reason=request.POST.get("reason", ""),
                )
                done = "已设定当天的开放安排"
            else:
                raise InvalidInput("未知的操作")
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, done)
            return redirect("stations:keep", s.pk)
    use = selectors.use(s, since=timezone.now() - dt.timedelta(days=30))
    context = {
        "s": s,
        "week": _slots(s),
        "today_visits": s.visits.filter(at__date=timezone.localdate()).select_related("user")[:50],
        "use": use,
        "closures": s.closures.filter(on__gte=timezone.localdate()),
        "shifts": selectors.shifts_to_decide(s),
        "photos": s.photos.all(),
        "max_photos": services.MAX_PHOTOS,
        "amenities": [
            (code, str(Amenity(bit).label)) for code, bit in AMENITY_CODES.items() if s.amenities & bit
        ],
        "qr_svg": qr.svg_inline(request.build_absolute_uri(f"/stations/{s.pk}/?t={s.checkin_token}")),
        "chart": {
            "x": [f"{h}时" for h in range(24)],
            "series": [{"name": "到站", "type": "bar", "data": use.by_hour}],
        },
        "chart_week": {
            "x": [WEEKDAYS[d] for d in range(7)],
            "series": [{"name": "到站", "type": "bar", "data": use.by_weekday}],
        },
    }
    return render(request, "stations/keep.html", context, status=400 if request.method == "POST" else 200)


SLOTS = 3  # intervals a weekday on the keeper's form


def _slots(s: Station) -> list:
    """(weekday, label, [(opens, closes) × SLOTS]) of the week, the empty slots as ("", "")."""
    out = []
    for d in range(7):
        rows = [
            (h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M")) for h in s.hours.all() if h.weekday == d
        ]
        out.append(
            (d, WEEKDAYS[d], [(i, *r) for i, r in enumerate(rows + [("", "")] * (SLOTS - len(rows)), 1)])
        )
    return out


def _time(raw, field: str):
    if not raw:
        return None
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("请填写正确的时间（如 08:00）", field=field) from None


def _date(raw, field: str):
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        raise InvalidInput("请填写正确的日期", field=field) from None


def _posted_hours(post) -> list[Interval]:
    """Up to ``SLOTS`` intervals a weekday: ``opens_<d>_<i>``, ``closes_<d>_<i>``; both empty = none."""
    out = []
    for d in range(7):
        for i in range(1, SLOTS + 1):
            opens, closes = post.get(f"opens_{d}_{i}", ""), post.get(f"closes_{d}_{i}", "")
            if not opens and not closes:
                continue
            if not opens or not closes:
                raise InvalidInput(f"{WEEKDAYS[d]}的开门和关门时间要同时填写", field="hours")
            out.append(Interval(d, _time(opens, "hours"), _time(closes, "hours")))
    return out


# --- 15分钟服务圈 ---------------------------------------------------------------------------------------


def _circle_regions(request) -> list[Region]:
    """The city and districts the viewer may look at: those their region grants cover, else the
    ones their stations and orgs stand in (the figures are counts; station names only their own)."""
    regions = list(Region.objects.filter(level__in=[2, 3]).order_by("code"))
    mine = [r for r in regions if request.scope.covers_place(r.code)]
    if mine:
        return mine
    from sanxin.orgs.models import Org

    codes = set(selectors.for_scope(request.scope).exclude(region=None).values_list("region_id", flat=True))
    codes |= set(
        request.scope.filter(Org.objects.exclude(region=None)).values_list("region_id", flat=True)[:500]
    )
    wanted = {c[:4].ljust(12, "0") for c in codes} | {c[:6].ljust(12, "0") for c in codes}
    return [r for r in regions if r.code in wanted]


@permission("stations", "view")
@require_safe
def circle(request):
    regions = _circle_regions(request)
    if not regions:
        raise DjangoPermissionDenied
    code = request.GET.get("region") or regions[0].code
    region = next((r for r in regions if r.code == code), regions[0])
    when = request.GET.get("when", "now")
    at = None
    if when == "now":
        at = timezone.now()
    elif when.isdigit() and 0 <= int(when) <= 23:
        today = timezone.localdate()
        at = timezone.make_aware(dt.datetime.combine(today, dt.time(int(when))))
    add = [int(x) for x in request.GET.getlist("add") if x.isdigit()][:20]
    c = selectors.circle(region.code, at=at, add=add)
    mine = set(
        selectors.for_scope(request.scope)
        .filter(pk__in=[x[3] for x in c.stations])
        .values_list("pk", flat=True)
    )
    points = {
        "cells": [[round(lng, 5), round(lat, 5), int(ok)] for lat, lng, ok in c.cells],
        # names of the viewer's own stations only; the others are points
        "stations": [
            {
                "name": str(label),
                "data": [
                    [round(lng, 5), round(lat, 5), name if pk in mine else str(label)]
                    for lat, lng, name, pk, k in c.stations
                    if k == kind
                ],
            }
            for kind, label in StationKind.choices
            if any(x[4] == kind for x in c.stations)
        ],
        "added": [[round(x.lng, 5), round(x.lat, 5), x.name] for x in c.added],
        "suggested": [[round(x.lng, 5), round(x.lat, 5), x.name] for x, _g, _t in c.suggestions],
    }
    context = {
        "c": c,
        "regions": regions,
        "region": region,
        "when": when,
        "hours": list(range(24)),
        "add": add,
        "map": points,
        "can_import": imports.CandidateImporter().permission(request.user),
    }
    return render(request, "stations/circle.html", context)


@permission("stations", "change")
@require_safe
def review_queue(request):
    return render(
        request,
        "stations/reviews.html",
        {"rows": paginate(request, selectors.pending_reviews(request.scope), 50)},
    )


@permission("stations", "change", model=Review, lookup="review_id")
@require_http_methods(["POST"])
def review_moderate(request, review_id: int):
    review = request.scope.get(Review.objects.select_related("station__org"), pk=review_id)
    try:
        services.review_moderate(
            actor=request.user, review=review, publish=request.POST.get("publish") == "1"
        )
    except ServiceError as exc:
        message_error(request, exc)
    else:
        messages.success(request, "已公开" if request.POST.get("publish") == "1" else "已设为不公开")
    return redirect("stations:reviews")
