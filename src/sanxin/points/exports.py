"""The points ledger in the layout of the 积分管理手册: the 积分登记表 (a row per member: the five
categories, 基础分, 先锋分, total, rank) and, on a second sheet, every ledger row of the period with
its reason, source and decider."""

from __future__ import annotations

import datetime as dt

from sanxin.core import audit
from sanxin.core.excel.export import Ledger

from . import selectors
from .models import Category


def ledger_workbook(scope, org, start: dt.date, end: dt.date, label: str, *, actor) -> str:
    """Write the workbook and return its path (the caller sends and removes it). Audited."""
    title = f"{org.name}{label}党员积分登记表"
    columns = [
        "名次",
        "姓名",
        "所在支部",
        *[str(c.label) for c in Category],
        "基础分",
        "先锋分",
        "合计",
        "记录条数",
    ]
    ledger = Ledger(title=title, columns=columns, sheet_name="积分登记表")
    with ledger:
        for r in selectors.register_rows(org, start, end, scope):
            ledger.add(
                [
                    r["rank"],
                    r["name"],
                    r["branch"],
                    *r["categories"],
                    r["basic"],
                    r["pioneer"],
                    r["total"],
                    r["entries"],
                ]
            )
        ledger.sheet(
            "积分明细",
            [
                "日期",
                "姓名",
                "所在支部",
                "类型",
                "项目编号",
                "类别",
                "分类",
                "积分",
                "可用积分变动",
                "事由",
                "来源",
                "认定人",
                "记账时间",
            ],
        )
        for e in selectors.ledger_rows(scope, start, end, org).iterator(chunk_size=2000):
            source = (
                f"申报#{e.claim_id}"
                if e.claim_id
                else f"事件#{e.event_id}"
                if e.event_id
                else f"兑换券#{e.voucher_id}"
                if e.voucher_id
                else ""
            )
            ledger.add(
                [
                    e.on,
                    e.member.person.name,
                    e.branch.name,
                    e.get_kind_display(),
                    e.item_code,
                    e.get_category_display(),
                    e.get_tier_display(),
                    e.points,
                    e.spendable,
                    e.reason,
                    source,
                    e.decided_by.username if e.decided_by else "",
                    e.created_at,
                ]
            )
        path = ledger.close()
    audit.record(
        actor=actor, action="export", object_type="points.entry", object_id=str(org.pk), message=title
    )
    return path
