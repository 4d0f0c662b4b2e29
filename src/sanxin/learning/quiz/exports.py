"""The results ledger of a contest (竞赛成绩表), in the core's ledger format: one row a paper, ranked ones
first."""

from __future__ import annotations

from sanxin.core.excel.export import ledger_response

from . import selectors
from .models import Contest

COLUMNS = [
    ("rank", "名次"),
    ("name", "姓名"),
    ("branch", "所在支部"),
    ("status", "状态"),
    ("score", "得分"),
    ("max_score", "满分"),
    ("seconds", "用时（秒）"),
    ("passed", "是否合格"),
    ("started_at", "开始时间"),
    ("submitted_at", "交卷时间"),
    ("certificate", "证书编号"),
]


def results_response(contest: Contest):
    return ledger_response(
        selectors.export_rows(contest),
        COLUMNS,
        title=f"{contest.title}成绩表",
        filename=f"{contest.title}成绩表",
    )
