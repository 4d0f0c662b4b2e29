"""双找双核: what a platform's worker list revealed (a ``Finding`` per person and kind, from one imported
list, a ``FindingBatch``) and the two checks each finding needs (``FindingCheck``, one per side)
before it changes the registry.

Nothing of the list is kept but its matched people: the batch holds the counts, a finding the person
(by id), what the list said of them (political status, work, station) and why it is a finding. The
plaintext identifiers never reach these rows — rows are matched by blind index at import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import Industry, Region, TimeStampedModel
from sanxin.orgs.models import Org, Person

__all__ = ["CheckSide", "Finding", "FindingBatch", "FindingCheck", "FindingKind", "FindingStatus"]


class FindingBatch(TimeStampedModel):
    """One imported worker list: the platform it comes from (when it is a platform's), the region and
    industry it concerns (which decide who checks its findings), the work it lists by default, and
    what the run found. ``created_by`` is the uploader."""

    job = models.OneToOneField(
        "core.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    platform = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("平台企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(Industry, verbose_name=_("行业"), on_delete=models.PROTECT, related_name="+")
    work_kind = models.CharField(_("默认新就业形态"), max_length=16)
    # rows, matched, unmatched (discarded, only counted), member / work findings, errors
    stats = models.JSONField(_("比对结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("双找名单")
        verbose_name_plural = _("双找名单")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        who = self.platform.name if self.platform_id else str(self.industry)
        return f"{who} {self.created_at:%Y-%m-%d}" if self.created_at else who


class FindingKind(models.TextChoices):
    MEMBER = "member", _("找党员")
    WORK = "work", _("找新就业")


class FindingStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("已核实并登记")
    REJECTED = "rejected", _("已否定")


class Finding(TimeStampedModel):
    """A matched person the list says more of than the registry knows: 找党员 — listed as a member but
    not registered here (``reason`` tells: no membership at all, or the formal org lies outside the
    list's region); 找新就业 — a member whose work here is not recorded. ``branch`` and the membership
    facts are the organization department's choice for a 找党员 finding."""

    batch = models.ForeignKey(FindingBatch, on_delete=models.PROTECT, related_name="findings")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=8, choices=FindingKind.choices)
    platform = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("平台企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    elsewhere = models.BooleanField(_("组织关系在外地"), default=False)
    listed_status = models.CharField(_("名单中的政治面貌"), max_length=20, blank=True)
    work_kind = models.CharField(_("新就业形态"), max_length=16)
    work_area = models.CharField(_("站点/区域"), max_length=200, blank=True)
    matched_by = models.CharField(_("匹配方式"), max_length=12)
    reason = models.CharField(_("发现原因"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.PENDING
    )
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    branch = models.ForeignKey(
        Org, verbose_name=_("登记到支部"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    standing = models.CharField(_("党员类别"), max_length=16, blank=True)
    converted_on = models.DateField(_("转正日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("双找发现")
        verbose_name_plural = _("双找发现")
        ordering = ["batch_id", "id"]
        indexes = [
            models.Index(fields=["person", "kind", "platform"], name="finding_person_kind_idx"),
            models.Index(fields=["batch", "kind", "status"], name="finding_batch_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["batch", "person", "kind"], name="finding_once_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"


class CheckSide(models.TextChoices):
    OFFICE = "office", _("组织部门核实")
    INDUSTRY = "industry", _("行业核实")


class FindingCheck(TimeStampedModel):
    """One side's check of a finding (双核): confirmed, or rejected with a reason."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="checks")
    side = models.CharField(_("核实方"), max_length=10, choices=CheckSide.choices)
    confirmed = models.BooleanField(_("核实属实"))
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核实人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("双核记录")
        verbose_name_plural = _("双核记录")
        ordering = ["finding_id", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "side"], name="finding_check_once_per_side"),
            models.CheckConstraint(
                condition=Q(confirmed=True) | ~Q(reason=""),
                name="finding_check_reject_has_reason",
                violation_error_message="否定时请填写理由",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding} {self.get_side_display()}"
