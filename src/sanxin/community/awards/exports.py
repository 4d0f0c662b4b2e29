"""Excel ledgers of community awards (``core.excel``): a selection's nominations, votes and result; the
四亮 of the branches in the caller's scope with their records. The views audit each export."""

from __future__ import annotations

from django.utils import timezone

from sanxin.core.excel.export import Ledger
from sanxin.core.scope import Scope

from . import selectors
from .models import AwardSelection, AwardVote

NOMINATION_COLUMNS = ["被提名人", "所在组织", "推荐理由", "审核状态", "审核意见", "提名时间"]
VOTE_COLUMNS = ["投票日", "投票时间", "候选人", "疑似刷票", "标记原因", "复核结论"]
RESULT_COLUMNS = ["名次", "姓名", "所在组织", "有效票", "计入票（含待复核）", "当选", "证书编号"]
SILIANG_COLUMNS = ["党支部", "党员（人）", "亮旗帜", "亮身份（人）", "亮身份率（%）", "亮标识（人）", "亮标识率（%）",
                   "亮承诺（人）", "亮承诺率（%）"]  # fmt: skip
RECORD_COLUMNS = ["党支部", "类别", "党员", "说明", "承诺内容", "日期", "照片"]


def selection_ledger(selection: AwardSelection) -> str:
    """Three sheets: nominations, votes (no voter: the hashes and names stay in the system), result."""
    title = f"{selection.title}·评选台账"
    ledger = Ledger(title=title, columns=NOMINATION_COLUMNS, sheet_name="提名")
    candidates = list(selectors.candidates_of(selection, everyone=True).order_by("pk"))
    for c in candidates:
        ledger.add(
            [
                c.person.name,
                c.org.name,
                c.reasons,
                c.get_status_display(),
                c.review_reason,
                timezone.localtime(c.created_at).replace(tzinfo=None),
            ]
        )
    ledger.sheet("投票", VOTE_COLUMNS)
    votes = (
        AwardVote.objects.filter(selection=selection).select_related("candidate__person").order_by("at", "pk")
    )
    for v in votes.iterator(chunk_size=2000):
        ledger.add(
            [
                v.day,
                timezone.localtime(v.at).replace(tzinfo=None),
                v.candidate.person.name,
                "是" if v.flagged else "",
                v.flag_reason,
                v.get_review_display() if v.flagged else "",
            ]
        )
    ledger.sheet("结果", RESULT_COLUMNS)
    for i, c in enumerate(selectors.ranking(selection), start=1):
        cert = getattr(c, "certificate", None)
        ledger.add(
            [
                c.rank or i,
                c.person.name,
                c.org.name,
                c.valid,
                c.counted,
                "当选" if c.awarded else "",
                cert.number if cert else "",
            ]
        )
    return ledger.close()


def siliang_ledger(scope: Scope) -> str:
    ledger = Ledger(title="四亮情况统计", columns=SILIANG_COLUMNS, sheet_name="各支部四亮")
    for r in selectors.siliang_branches(scope):
        ledger.add(
            [
                r["org_name"],
                r["members"],
                "已亮" if r["flag"] else "未记录",
                r["identity"],
                r["identity_rate"],
                r["mark"],
                r["mark_rate"],
                r["pledge"],
                r["pledge_rate"],
            ]
        )
    ledger.sheet("四亮记录", RECORD_COLUMNS)
    for rec in selectors.siliang_records(scope).iterator(chunk_size=2000):
        ledger.add(
            [
                rec.org.name,
                rec.get_kind_display(),
                rec.person.name if rec.person_id else "",
                rec.note,
                rec.pledge,
                rec.on,
                "有" if rec.photo_id else "",
            ]
        )
    return ledger.close()
