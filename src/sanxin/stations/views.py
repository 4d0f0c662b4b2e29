"""Pages of stations: the phone page that finds the nearest open stations (the browser's location, or
a street as the fallback), a station's page with its hours, amenities and check-in. Thin: selectors
read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.errors import InvalidInput, ServiceError
from sanxin.core.models import Region
from sanxin.core.pages import message_error
from sanxin.core.permissions import permission

from . import selectors, services
from .hours import WEEKDAYS
from .models import AMENITY_CODES, Amenity, Station, StationKind, StationStatus


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
    if request.method == "POST":
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
    context = {
        "s": s,
        "week": week,
        "today": selectors.hours_today(s, today),
        "open_now": services.open_at(s, timezone.now()),
        "amenities": [
            (code, str(Amenity(bit).label)) for code, bit in AMENITY_CODES.items() if s.amenities & bit
        ],
        "token": request.GET.get("t", ""),
    }
    return render(request, "stations/station.html", context, status=400 if request.method == "POST" else 200)
