"""Service positions (服务阵地, 1+N): the city service centre and the stations — 暖蜂驿站, 党建示范站点,
驾驶员驿站, 红色驿站, 集中活动阵地 — with their host, managing org, place, opening hours and exceptions,
amenities and services; visits (check-in) and what was used; visitors' reviews, moderated; and the
candidate places for a new station.

- ``Station``: WGS-84 coordinates (what a phone's geolocation gives; ``geo.to_gcj02`` converts for
  a Chinese map client) and their H3 cells at three resolutions (``spatial``: the nearest search).
  Amenities are a bit set (``Amenity``), so "has a charger and a toilet" is one indexed-free
  ``amenities & mask = mask`` test on the candidate rows.
- ``Hours``: an interval a weekday, local time; ``closes <= opens`` is an overnight interval that
  ends on the next day (22:00–06:00). Intervals of a day may not overlap, the overnight spill
  included (``hours.check``).
- ``Closure``: a day that differs — closed (a holiday, repairs) or open at other hours.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import Region, StoredFile, TimeStampedModel
from sanxin.orgs.models import Org


class StationKind(models.TextChoices):
    CENTRE = "centre", _("新就业群体服务中心")
    NUANFENG = "nuanfeng", _("暖蜂驿站")
    DEMO = "demo", _("党建示范站点")
    DRIVER = "driver", _("驾驶员驿站")
    RED = "red", _("红色驿站")
    BASE = "base", _("集中活动阵地")


class HostKind(models.TextChoices):
    CENTRE = "centre", _("党群服务中心")
    GAS = "gas", _("加油站")
    STORE = "store", _("便利店")
    COMPANY = "company", _("合作企业")
    PARK = "park", _("园区/商圈")
    OTHER = "other", _("其他")


class Amenity(models.IntegerChoices):
    """A bit each: a station's ``amenities`` is their sum."""

    WATER = 1, _("饮水")
    CHARGING = 2, _("充电")
    MICROWAVE = 4, _("微波炉")
    REST = 8, _("休息")
    TOILET = 16, _("卫生间")
    MEDICINE = 32, _("药箱")
    UMBRELLA = 64, _("雨具")
    PUMP = 128, _("打气筒")
    WIFI = 256, _("无线网络")
    REPAIR = 512, _("维修工具")
    BATTERY = 1024, _("换电")
    PARKING = 2048, _("停车")
    SHOWER = 4096, _("淋浴")
    BOOKS = 8192, _("图书角")


AMENITY_CODES = {
    "water": Amenity.WATER,
    "charging": Amenity.CHARGING,
    "microwave": Amenity.MICROWAVE,
    "rest": Amenity.REST,
    "toilet": Amenity.TOILET,
    "medicine": Amenity.MEDICINE,
    "umbrella": Amenity.UMBRELLA,
    "pump": Amenity.PUMP,
    "wifi": Amenity.WIFI,
    "repair": Amenity.REPAIR,
    "battery": Amenity.BATTERY,
    "parking": Amenity.PARKING,
    "shower": Amenity.SHOWER,
    "books": Amenity.BOOKS,
}


class StationStatus(models.TextChoices):
    OPEN = "open", _("运行中")
    SUSPENDED = "suspended", _("暂停服务")
    CLOSED = "closed", _("已撤销")


class Station(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=StationKind.choices)
    host_kind = models.CharField(
        _("依托场所"), max_length=10, choices=HostKind.choices, default=HostKind.OTHER
    )
    host_name = models.CharField(_("依托单位"), max_length=120, blank=True)
    org = models.ForeignKey(Org, verbose_name=_("管理党组织"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    address = models.CharField(_("地址"), max_length=200)
    lat = models.FloatField(_("纬度（WGS-84）"))
    lng = models.FloatField(_("经度（WGS-84）"))
    # H3 cells of (lat, lng) at resolutions 9, 7 and 5 (about 0.17, 1.2 and 8.5 km edges), as the
    # integers h3 gives; the nearest search looks at rings of cells at the finest resolution first.
    cell9 = models.BigIntegerField(editable=False, db_index=True)
    cell7 = models.BigIntegerField(editable=False, db_index=True)
    cell5 = models.BigIntegerField(editable=False, db_index=True)
    amenities = models.PositiveIntegerField(_("服务设施"), default=0)
    services = models.JSONField(_("提供的服务"), default=list, blank=True)  # appeals.Category codes
    capacity = models.PositiveIntegerField(_("可容纳人数"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=StationStatus.choices, default=StationStatus.OPEN
    )
    opened_on = models.DateField(_("建成日期"), null=True, blank=True)
    photos = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    # The QR code at the station's door opens /stations/<id>/?t=<token>: check-in without a location.
    checkin_token = models.CharField(max_length=32, editable=False, unique=True)

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90) & Q(lat__lte=90) & Q(lng__gte=-180) & Q(lng__lte=180),
                name="station_coordinates_valid",
            ),
        ]
        indexes = [models.Index(fields=["org", "status"], name="station_org_idx")]

    def __str__(self) -> str:
        return self.name

    def has(self, mask: int) -> bool:
        return self.amenities & mask == mask

    @property
    def amenity_labels(self) -> list[str]:
        return [str(a.label) for a in Amenity if self.amenities & a.value]


class Hours(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("星期"))  # 0 = Monday
    opens = models.TimeField(_("开门"))
    closes = models.TimeField(_("关门"))  # <= opens: the next day

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_valid")]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """A date whose hours differ: closed all day, or open only ``opens``–``closes`` that day."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="closures")
    on = models.DateField(_("日期"))
    closed = models.BooleanField(_("全天闭站"), default=True)
    opens = models.TimeField(_("开门"), null=True, blank=True)
    closes = models.TimeField(_("关门"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["on"]
        constraints = [
            models.UniqueConstraint(fields=["station", "on"], name="closure_one_a_day"),
            models.CheckConstraint(
                condition=Q(closed=True) | (Q(opens__isnull=False) & Q(closes__isnull=False)),
                name="closure_hours_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.on}"


class CheckInMethod(models.TextChoices):
    QR = "qr", _("扫站点二维码")
    LOCATION = "location", _("定位签到")
    DESK = "desk", _("站点登记")


class Visit(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("到站时间"))
    method = models.CharField(_("签到方式"), max_length=10, choices=CheckInMethod.choices)
    distance_m = models.PositiveIntegerField(_("签到距离（米）"), null=True, blank=True)
    used = models.PositiveIntegerField(_("使用的设施"), default=0)  # Amenity bits
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["station", "at"], name="visit_station_at_idx")]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.at:%Y-%m-%d %H:%M}"


class ShiftStatus(models.TextChoices):
    ON = "on", _("值守中")
    ENDED = "ended", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未确认")


class Shift(models.Model):
    """A volunteer's shift at a station (驿站志愿值守: keeping the desk, handing out water, first aid…).

    The volunteer starts and ends it on the phone at the station — by the door's QR code or by location,
    as a check-in — and the station's keeper confirms it (with the hours, which the keeper may lower)
    or not. Only a confirmed shift counts: it is announced as ``stations.volunteered`` for points and
    the growth archive. One shift on at a time per person."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="shifts")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    duty = models.CharField(_("服务内容"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=4, decimal_places=1, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ShiftStatus.choices, default=ShiftStatus.ON)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("志愿值守")
        verbose_name_plural = _("志愿值守")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="on"), name="shift_one_on_a_person"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=0) & Q(hours__lte=12)),
                name="shift_hours_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "status"], name="shift_station_idx"),
            models.Index(fields=["person", "starts_at"], name="shift_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.person_id}:{self.starts_at:%Y-%m-%d}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公开")
    HIDDEN = "hidden", _("不公开")


class Review(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="review_stars_valid"),
            models.UniqueConstraint(fields=["station", "user"], name="review_one_a_visitor"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.stars}星"


class Candidate(models.Model):
    """A place where a station could open (a gas station, a convenience store…), for the placement
    suggestion of the 15-minute service circle. Imported from a list (``imports``): a place is its
    name at its point, coordinates rounded to 1e-6° (about 0.1 m) so that the same row imported again
    meets the same floats."""

    name = models.CharField(_("名称"), max_length=120)
    host_kind = models.CharField(_("场所类型"), max_length=10, choices=HostKind.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度（WGS-84）"))
    lng = models.FloatField(_("经度（WGS-84）"))
    cell9 = models.BigIntegerField(editable=False, db_index=True)

    class Meta:
        verbose_name = _("备选点位")
        verbose_name_plural = _("备选点位")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["name", "lat", "lng"], name="candidate_one_a_place")]

    def __str__(self) -> str:
        return self.name


class WorkSpot(TimeStampedModel):
    """Where a worker usually works (their usual work area, as a point): what the 15-minute service
    circle counts. One a person; declared on the phone or registered by a branch."""

    person = models.OneToOneField("orgs.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("新就业形态"), max_length=16)  # members.WorkKind
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lat = models.FloatField(_("纬度（WGS-84）"))
    lng = models.FloatField(_("经度（WGS-84）"))

    class Meta:
        indexes = [models.Index(fields=["region", "kind"], name="workspot_region_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.kind}"


class Outline(models.Model):
    """A region's outline, (lat, lng) vertices: the area of the 15-minute service circle's map."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="+")
    polygon = models.JSONField()

    def __str__(self) -> str:
        return self.region_id
