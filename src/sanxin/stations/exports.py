"""The station ledger as Excel: a row a station with its place, hours, amenities and recent visits."""

from __future__ import annotations

from sanxin.core import audit
from sanxin.core.excel.export import Ledger

from .hours import Interval

COLUMNS = ["名称", "类型", "依托场所", "依托单位", "管理党组织", "所在街道", "地址", "纬度", "经度", "开放时间",
           "服务设施", "可容纳人数", "联系电话", "状态", "近30天到站"]  # fmt: skip


def _hours(station) -> str:
    return "；".join(Interval(h.weekday, h.opens, h.closes).label() for h in station.hours.all()) or "未设定"


def ledger_workbook(rows, *, actor, title: str) -> str:
    ledger = Ledger(title=title, columns=COLUMNS, sheet_name="服务阵地台账")
    with ledger:
        for s in rows:
            ledger.add(
                [
                    s.name,
                    s.get_kind_display(),
                    s.get_host_kind_display(),
                    s.host_name,
                    s.org.name,
                    s.region.name if s.region else "",
                    s.address,
                    s.lat,
                    s.lng,
                    _hours(s),
                    "、".join(s.amenity_labels),
                    s.capacity,
                    s.phone,
                    s.get_status_display(),
                    s.recent,
                ]
            )
        path = ledger.close()
    audit.record(actor=actor, action="export", object_type="stations.station", message=title)
    return path
