"""The transfer list and the overdue view as ledgers in the layout offices keep (one header row,
Chinese column names, frozen header): the rows a page shows, all of them, never more than its scope."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from sanxin.core.excel.export import Ledger

from .models import Transfer

COLUMNS = [
    "党员",
    "转接类型",
    "转出组织",
    "接收组织",
    "状态",
    "当前办理组织",
    "办理起始日期",
    "申请日期",
    "介绍信编号",
    "介绍信有效期至",
    "办结日期",
]
WAITED = "已等待（工作日）"


def _letter(t: Transfer):
    try:
        return t.letter
    except ObjectDoesNotExist:
        return None


def transfer_ledger(rows, *, title: str, waited: bool = False) -> Ledger:
    """``rows``: transfers with their relations loaded (``selectors._base``); with ``waited``, each
    carries ``waited`` (``selectors.with_waited``) and the ledger has that column too."""
    ledger = Ledger(title=title, columns=COLUMNS + ([WAITED] if waited else []), sheet_name="组织关系转接")
    for t in rows:
        letter = _letter(t)
        to = t.to_org.name if t.to_org_id else t.to_name + (f"（{t.to_code}）" if t.to_code else "")
        values = [
            t.member.person.name,
            t.get_kind_display(),
            t.from_org.name,
            to,
            t.get_state_display(),
            t.holder.name if t.holder_id else "",
            t.holder_since if t.holder_id else None,
            t.applied_on,
            letter.number if letter else "",
            letter.valid_until if letter else None,
            t.decided_on,
        ]
        ledger.add(values + ([t.waited] if waited else []))
    return ledger
