"""党组织经费: an org's funds ledger, append-only.

- ``FundEntry``: one movement of money in one org's ledger, signed (income positive, outflow
  negative, to the fen), dated, with its counterpart and note. Spending carries a category and a
  receipt (an upload of purpose ``members.funds.receipt``). An allocation by a committee to an org
  below it is two entries written together — the committee's outflow and the receiver's inflow —
  that share a ``transfer`` id. Dues returned to a branch name the period whose collected dues they
  come from.
- Rows are never edited or deleted: a correction is a reversing entry (``reverses``, the same kind,
  the opposite sign) — at most one per entry, enforced by a unique key. The database refuses UPDATE
  (and, on PostgreSQL, DELETE) of ledger rows, as it does for the audit log (migration 0006).

The balance of an org is ``SUM(amount)`` of its entries; the services keep it from going below zero
at any date (``services`` and ``selectors.available_on``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import StoredFile, TimeStampedModel
from sanxin.orgs.models import Org

__all__ = ["FundCategory", "FundEntry", "FundKind"]


class FundKind(models.TextChoices):
    DUES_RETURN = "dues_return", _("党费返还/下拨")
    ALLOCATION_IN = "allocation_in", _("党建工作经费")
    OTHER_INCOME = "other_income", _("其他收入")
    SPENDING = "spending", _("支出")
    ALLOCATION_OUT = "allocation_out", _("下拨下级经费")


INFLOW_KINDS = (FundKind.DUES_RETURN, FundKind.ALLOCATION_IN, FundKind.OTHER_INCOME)
OUTFLOW_KINDS = (FundKind.SPENDING, FundKind.ALLOCATION_OUT)


class FundCategory(models.TextChoices):
    ACTIVITY = "activity", _("活动")
    STUDY = "study", _("学习资料")
    CARE = "care", _("慰问")
    POSITION = "position", _("阵地建设")
    OTHER = "other", _("其他")


_inflow = Q(kind__in=[k.value for k in INFLOW_KINDS])
_outflow = Q(kind__in=[k.value for k in OUTFLOW_KINDS])
_original = Q(reverses__isnull=True)


class FundEntry(TimeStampedModel):
    org = models.ForeignKey(
        Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="fund_entries"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=FundKind.choices)
    category = models.CharField(_("支出用途"), max_length=10, choices=FundCategory.choices, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    occurred_on = models.DateField(_("日期"))
    counterpart = models.CharField(_("对方单位/个人"), max_length=100, blank=True)
    note = models.CharField(_("摘要"), max_length=200, blank=True)
    receipt = models.ForeignKey(
        StoredFile, verbose_name=_("凭证"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_from = models.DateField(_("党费所属期起"), null=True, blank=True)
    period_to = models.DateField(_("党费所属期止"), null=True, blank=True)
    transfer = models.UUIDField(_("下拨批次"), null=True, blank=True, db_index=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )

    class Meta:
        verbose_name = _("经费收支")
        verbose_name_plural = _("经费收支")
        ordering = ["org_id", "occurred_on", "pk"]
        indexes = [models.Index(fields=["org", "occurred_on"], name="fund_org_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(_original & ((_inflow & Q(amount__gt=0)) | (_outflow & Q(amount__lt=0))))
                | (~_original & ((_inflow & Q(amount__lt=0)) | (_outflow & Q(amount__gt=0)))),
                name="fund_sign_follows_kind",
                violation_error_message="金额的正负与收支类别不符",
            ),
            models.CheckConstraint(
                condition=~Q(kind="spending") | ~_original | (Q(receipt__isnull=False) & ~Q(category="")),
                name="fund_spending_has_receipt",
                violation_error_message="支出须有用途和凭证",
            ),
            models.CheckConstraint(
                condition=Q(period_from__isnull=True) | Q(period_to__gte=models.F("period_from")),
                name="fund_period_in_order",
                violation_error_message="所属期止不能早于所属期起",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.occurred_on:%Y-%m-%d} {self.get_kind_display()} {self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("经费账目只能追加，不能修改；更正请做冲销")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("经费账目只能追加，不能删除；更正请做冲销")
