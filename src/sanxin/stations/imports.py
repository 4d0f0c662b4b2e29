"""备选点位: the candidate places for a new station (gas stations, convenience stores, partner companies…)
imported from a list through the core import framework, for the placement suggestion of the 15-minute
service circle (``selectors.circle``).

A row is a place: its name, kind (``HostKind``, by label or code), address, point and region (a code
or a name). The point is WGS-84 unless the row's 坐标系 says GCJ-02 (a list taken from AMap or Tencent
maps); it must lie in China (``services.coordinates``), and a latitude and longitude that only make
sense the other way round are reported as swapped. The region must lie in the importer's scope: a region
grant's subtree (``Scope.covers_place``), or for an office that holds its stations through an org grant
the region of that org — the same offices that may change stations (``stations.change``).

The natural key is the name at the point (coordinates rounded to 1e-6°, about 0.1 m, and held unique
by ``candidate_one_a_place``): importing the list again changes nothing, a row whose kind, address or
region changed updates its place. A place found by name and address in the same region at another
point is the same place moved (the list's coordinates were corrected), not a second one. Each new
place gets its ``cell9``; new places are audited as one row a batch (``audit.record_batch``), changed
ones a row each with before and after.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import IntegrityError, transaction
from django.urls import reverse

from sanxin.core import audit
from sanxin.core.errors import InvalidInput
from sanxin.core.excel.importer import Column, Importer, RowError, register
from sanxin.core.models import Region
from sanxin.core.regions import normalize, region_prefix
from sanxin.core.scope import Scope, scope_for
from sanxin.orgs.models import Org

from . import services, spatial
from .models import Candidate, HostKind

_REMARK = re.compile(r"[(\[【].*?[)\]】]")  # "GCJ-02（高德）" reads "GCJ-02"
ROUND = 6  # decimal places of a stored candidate's coordinates

_KINDS = {str(label): value for value, label in HostKind.choices} | {v: v for v in HostKind.values}
_KINDS |= {
    "园区": HostKind.PARK,
    "商圈": HostKind.PARK,
    "企业": HostKind.COMPANY,
    "党群中心": HostKind.CENTRE,
}

_WGS = {"wgs84", "wgs-84", "gps", "wgs"}
_GCJ = {"gcj02", "gcj-02", "gcj", "高德", "高德地图", "腾讯", "腾讯地图", "火星坐标", "国测局坐标"}
_BD = {"bd09", "bd-09", "百度", "百度地图", "百度坐标"}

COLUMNS = [
    Column(
        "name", "名称", aliases=("场所名称", "点位名称", "备选点位", "单位名称", "网点名称"), required=True
    ),
    Column(
        "host_kind",
        "类型",
        aliases=("场所类型", "依托场所", "场所类别", "点位类型"),
        help="加油站、便利店、党群服务中心、合作企业、园区/商圈、其他（空为其他）",
    ),
    Column("address", "地址", aliases=("详细地址", "场所地址", "所在地址")),
    Column("lat", "纬度", aliases=("lat", "latitude", "y"), required=True),
    Column("lng", "经度", aliases=("lng", "lon", "longitude", "x"), required=True),
    Column(
        "region",
        "所在街道",
        aliases=("区划代码", "所在区划", "街道", "所在街道乡镇", "行政区划", "区划", "街道代码"),
        required=True,
        help="区划代码（12位或简写）或名称",
    ),
    Column(
        "crs",
        "坐标系",
        aliases=("坐标类型", "坐标系统"),
        help="WGS-84（默认，GPS）或 GCJ-02（高德、腾讯地图）",
    ),
]


def _number(text: str, key: str, label: str) -> float:
    text = unicodedata.normalize("NFKC", text or "").strip().rstrip("°")
    try:
        return float(text)
    except ValueError:
        raise RowError(key, f"{label}应为数字（十进制度，如 30.58）") from None


@register
class CandidateImporter(Importer):
    key = "stations_candidates"
    label = "备选点位（15分钟服务圈）"
    module, action = "stations", "change"
    columns = COLUMNS
    natural_key = ("name", "lat", "lng")

    def __init__(self, *, actor=None, job=None):
        super().__init__(actor=actor, job=job)
        self._scope: Scope | None = None
        self._org_regions: list[str] | None = None
        self._regions: dict[str, Region | RowError] = {}

    def permission(self, user) -> bool:
        # Candidate places are territorial: an office with only an industry grant has nowhere to put one.
        return super().permission(user) and bool(self._places_of(user))

    def result_url(self, job) -> str:
        return reverse("stations:circle")

    # -- where the actor may place candidates -----------------------------------------------------------
    def _places_of(self, user) -> list[str] | None:
        """Region prefixes (``[""]`` for everywhere) the user may place candidates in."""
        scope = scope_for(user, "stations", "change")
        if scope.everything:
            return [""]
        orgs = Org.objects.filter(path__in=scope.org_paths).exclude(region=None)
        return sorted(
            set(scope.region_prefixes) | {region_prefix(r) for r in orgs.values_list("region_id", flat=True)}
        )

    def _covers(self, code: str) -> bool:
        if self._scope is None:
            self._scope = scope_for(self.actor, "stations", "change")
        if self._scope.covers_place(code):
            return True
        if self._org_regions is None:
            self._org_regions = self._places_of(self.actor) or []
        return any(code.startswith(p) for p in self._org_regions)

    def _region(self, text: str) -> Region:
        if text not in self._regions:
            self._regions[text] = self._find_region(text)
        found = self._regions[text]
        if isinstance(found, RowError):
            raise found
        return found

    def _find_region(self, text: str) -> Region | RowError:
        code = normalize(unicodedata.normalize("NFKC", text))
        if code.isdigit():
            found = [r for r in Region.objects.filter(pk=code)]
            if not found:
                return RowError("region", f"没有区划代码为 {code} 的区划")
        else:
            found = list(Region.objects.filter(name=text).order_by("code")[:20])
            if not found:
                return RowError("region", f"没有名为“{text}”的区划，请填写区划代码")
            if len(found) > 1:
                found = [r for r in found if self._covers(r.code)] or found
            if len(found) > 1:
                return RowError("region", f"有多个名为“{text}”的区划，请填写区划代码")
        region = found[0]
        if not self._covers(region.code):
            return RowError("region", f"“{region.name}”不在您的管理范围内，不能在那里添加备选点位")
        return region

    # -- rows ------------------------------------------------------------------------------------------
    def validate_row(self, values: dict[str, str]) -> dict:
        v = {k: " ".join((values.get(k) or "").split()) for k in (c.key for c in COLUMNS)}
        if not v["name"]:
            raise RowError("name", "名称为空")
        if len(v["name"]) > 120:
            raise RowError("name", "名称不能超过120个字")
        if len(v["address"]) > 200:
            raise RowError("address", "地址不能超过200个字")
        kind = HostKind.OTHER
        if v["host_kind"]:
            kind = _KINDS.get(unicodedata.normalize("NFKC", v["host_kind"]).replace(" ", ""))
            if kind is None:
                raise RowError(
                    "host_kind", "类型应为：" + "、".join(str(label) for _, label in HostKind.choices)
                )
        crs = _REMARK.sub("", unicodedata.normalize("NFKC", v["crs"])).casefold().replace(" ", "")
        if crs in _BD:
            raise RowError("crs", "暂不支持百度坐标（BD-09），请换成 WGS-84 或 GCJ-02 坐标")
        if crs and crs not in _WGS | _GCJ:
            raise RowError("crs", "坐标系应为 WGS-84 或 GCJ-02（高德、腾讯地图）")
        lat = _number(v["lat"], "lat", "纬度")
        lng = _number(v["lng"], "lng", "经度")
        if crs in _GCJ:
            from sanxin.core.geo import from_gcj02

            lat, lng = from_gcj02(lat, lng)
        try:
            lat, lng = services.coordinates(lat, lng)
        except InvalidInput as exc:
            try:
                services.coordinates(lng, lat)
            except InvalidInput:
                raise RowError("lat", exc.message) from None
            raise RowError(
                "lat", "纬度和经度似乎填反了（我国纬度约在 18 到 54 之间，经度约在 73 到 135 之间）"
            ) from None
        region = self._region(v["region"])
        return {
            "name": v["name"],
            "host_kind": kind,
            "address": v["address"],
            "lat": round(lat, ROUND),
            "lng": round(lng, ROUND),
            "region": region,
        }

    def apply_row(self, cleaned: dict, actor) -> str:
        result = self.apply_rows([cleaned], actor)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def apply_rows(self, rows: list[dict], actor) -> list[str | Exception]:
        """Each row in a savepoint of its own (a place another import just created is a refused row,
        not a refused batch); the batch's new places audited as one row."""
        created: list[int] = []
        out: list[str | Exception] = []
        for cleaned in rows:
            try:
                with transaction.atomic():
                    out.append(self._upsert(cleaned, actor, created))
            except (RowError, IntegrityError) as exc:
                out.append(exc)
        if created:
            audit.record_batch(
                actor=actor,
                action="candidate_import",
                model=Candidate,
                ids=created,
                after={"import": str(self.job.pk) if self.job else ""},
            )
        return out

    def _upsert(self, c: dict, actor, created: list[int]) -> str:
        place = Candidate.objects.filter(name=c["name"], lat=c["lat"], lng=c["lng"]).first()
        if place is None and c["address"]:
            # the same name and address in the same region at another point: the list's coordinates
            # were corrected
            moved = list(
                Candidate.objects.filter(name=c["name"], address=c["address"], region=c["region"])[:2]
            )
            place = moved[0] if len(moved) == 1 else None
        if place is None:
            place = Candidate(
                name=c["name"],
                host_kind=c["host_kind"],
                address=c["address"],
                region=c["region"],
                lat=c["lat"],
                lng=c["lng"],
                cell9=spatial.cells(c["lat"], c["lng"])["cell9"],
            )
            place.save()
            created.append(place.pk)
            return "created"
        fields = ("host_kind", "address", "region_id", "lat", "lng")
        before = audit.snapshot(place, list(fields))
        place.host_kind, place.address, place.region = c["host_kind"], c["address"], c["region"]
        place.lat, place.lng = c["lat"], c["lng"]
        after = audit.snapshot(place, list(fields))
        if before == after:
            return "unchanged"
        place.cell9 = spatial.cells(place.lat, place.lng)["cell9"]
        place.save()
        b, a = audit.diff(before, after)
        audit.record(actor=actor, action="candidate_update", obj=place, before=b, after=a)
        return "updated"


def ready() -> None:
    """Called from the app's ``ready``: importing this module registers the importer."""
    audit.label_actions({"candidate_import": "导入备选点位", "candidate_update": "修改备选点位"})
