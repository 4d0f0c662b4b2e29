"""The compliance table as a ledger in the layout offices keep (one header row, Chinese column names,
frozen header): a row per branch of the scope, a column per requirement, the reason for each miss."""

from __future__ import annotations

import datetime as dt

from sanxin.core.excel.export import Ledger

from . import selectors

STATE = {"met": "已落实", "missed": "未落实", "pending": "进行中", "progress": "不计入本期", "n/a": "不适用"}


def compliance_ledger(branches, reqs: list[selectors.Requirement], today: dt.date, *, title: str) -> Ledger:
    columns = ["组织", "组织编码", "是否达标", "应到人次", "实到人次"]
    columns += [f"{q.kind_label}（{q.label}，至少{q.min_count}次）" for q in reqs]
    columns += ["未落实原因"]
    ledger = Ledger(title=title, columns=columns, sheet_name="三会一课落实情况")
    for chunk in _chunks(branches.iterator(chunk_size=500), 500):
        for org, cells in selectors.rows_with_cells(chunk, reqs, today):
            _row(ledger, org, cells)
    return ledger


def _chunks(rows, size):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _row(ledger: Ledger, org, cells) -> None:
    verdict = "达标" if org.compliant else ("未达标" if org.missed else "进行中")
    values = [org.name, org.code, verdict, org.invited, org.present]
    values += ["" if c.held is None else f"{c.held}次 · {STATE[c.state]}" for c in cells]
    values.append("；".join(f"{c.requirement.kind_label}：{c.reason}" for c in cells if c.state == "missed"))
    ledger.add(values)
