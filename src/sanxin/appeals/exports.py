"""The 接诉即办 table as Excel: a row per group (category, department, platform, district, level or
month) with the counts, the three rates and the hours, and the total."""

from __future__ import annotations

import datetime as dt

from sanxin.core import audit
from sanxin.core.excel.export import Ledger

from .models import Category, Department, Level

GROUP_LABELS = {
    "category": "类别",
    "department": "主管部门",
    "platform": "平台",
    "region": "区县",
    "level": "办理层级",
    "month": "月份",
}
COLUMNS = [
    "受理量",
    "按时响应",
    "响应率（%）",
    "已解决",
    "解决率（%）",
    "已评价",
    "满意和基本满意",
    "满意率（%）",
    "平均响应（小时）",
    "90%响应（小时）",
    "平均办结（小时）",
    "90%办结（小时）",
]


def labels(by: str | None, keys: list) -> dict:
    """Chinese names of the group keys."""
    keys = [k for k in keys if k is not None]
    if by == "category":
        return dict(Category.objects.filter(pk__in=keys).values_list("code", "name"))
    if by == "department":  # the appeals that never reached a department, under their own name
        return {None: "未到部门", **dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))}
    if by == "platform":
        from sanxin.registry.models import Organization

        return {
            None: "未涉及平台",
            **dict(Organization.objects.filter(pk__in=keys).values_list("pk", "name")),
        }
    if by == "region":
        from sanxin.core.models import Region

        return {
            code[:6]: name
            for code, name in Region.objects.filter(code__in=[f"{k}000000" for k in keys]).values_list(
                "code", "name"
            )
        }
    if by == "level":
        return {k: str(Level(k).label) for k in keys if k in Level.values}
    if by == "month":
        return {k: f"{k:%Y-%m}" for k in keys}
    return {}


def _values(r) -> list:
    return [
        r.received,
        r.responded_in_time,
        r.response_rate,
        r.resolved,
        r.resolution_rate,
        r.rated,
        r.satisfied,
        r.satisfaction_rate,
        r.avg_respond_h,
        r.p90_respond_h,
        r.avg_resolve_h,
        r.p90_resolve_h,
    ]


def metrics_workbook(rows, total, names: dict, by: str, start: dt.date, *, actor, title: str) -> str:
    ledger = Ledger(title=title, columns=[GROUP_LABELS[by], *COLUMNS], sheet_name="接诉即办指标")
    with ledger:
        for r in rows:
            ledger.add([names.get(r.key, r.key if r.key is not None else "（未定）"), *_values(r)])
        ledger.add(["合计", *_values(total)])
        path = ledger.close()
    audit.record(
        actor=actor, action="export", object_type="appeals.appeal", object_id=f"{start:%Y-%m}", message=title
    )
    return path
