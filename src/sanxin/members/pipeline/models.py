"""发展党员: a development case per person, handled by a branch, from 入党申请人 to 正式党员.

- ``DevelopmentCase``: the person, the branch that handles the case, the stage reached, and what the
  rules need without walking the steps: the admission date and the committee whose yearly quota the
  admission counted against, the probation's extended end (延长预备期), the 发展对象 公示 and the
  outcome its closing event reported, the next statutory date (``next_due_on``: when the activist
  year or the probation ends, or when an admission may follow a passed 公示) and how the case ended.
- ``DevelopmentStep``: one dated row per stage reached, with who decided and the documents the step
  produced (recorded as name, number and date; the platform does not generate them).
- ``DevelopmentQuota``: a committee's yearly admission quota and the share reserved for
  new-employment workers.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import PublicNotice, TimeStampedModel
from sanxin.orgs.models import Org, Person

__all__ = [
    "CaseStatus",
    "DevelopmentCase",
    "DevelopmentQuota",
    "DevelopmentStep",
    "Stage",
]


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("培养中")
    DONE = "done", _("已转为正式党员")
    TERMINATED = "terminated", _("终止发展")
    CANCELLED = "cancelled", _("取消预备党员资格")


class DevelopmentCase(TimeStampedModel):
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="development_cases"
    )
    org = models.ForeignKey(
        Org, verbose_name=_("培养党支部"), on_delete=models.PROTECT, related_name="development_cases"
    )
    stage = models.CharField(_("所处阶段"), max_length=12, choices=Stage.choices, default=Stage.APPLICANT)
    status = models.CharField(_("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    applied_on = models.DateField(_("递交入党申请日期"))
    admitted_on = models.DateField(_("接收为预备党员日期"), null=True, blank=True)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development_case",
    )
    quota_committee = models.ForeignKey(
        Org,
        verbose_name=_("占用名额的党委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_employment = models.BooleanField(_("新就业群体"), default=False)
    probation_until = models.DateField(_("延长后的预备期至"), null=True, blank=True)
    extended_on = models.DateField(_("延长预备期决定日期"), null=True, blank=True)
    extension_reason = models.CharField(_("延长预备期原因"), max_length=500, blank=True)
    notice = models.ForeignKey(
        PublicNotice,
        verbose_name=_("发展对象公示"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_result = models.CharField(_("公示结果"), max_length=10, blank=True)
    next_due_on = models.DateField(_("下一步可办理日期"), null=True, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("发展党员")
        verbose_name_plural = _("发展党员")
        ordering = ["org_id", "applied_on", "id"]
        indexes = [
            models.Index(fields=["org", "status", "stage"], name="devcase_org_stage_idx"),
            models.Index(fields=["status", "next_due_on"], name="devcase_due_idx"),
            models.Index(fields=["quota_committee", "admitted_on"], name="devcase_quota_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="open"),
                name="devcase_one_open_per_person",
                violation_error_message="此人已有一个进行中的发展党员档案",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}（{self.get_stage_display()}）"


class DevelopmentStep(TimeStampedModel):
    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices)
    on = models.DateField(_("日期"))
    decided_by = models.CharField(_("决定机构"), max_length=100, blank=True)
    # [{"name": "入党申请书", "number": "", "date": "2024-03-01"}, ...]: recorded, not generated.
    documents = models.JSONField(_("材料"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("发展党员步骤")
        verbose_name_plural = _("发展党员步骤")
        ordering = ["case_id", "on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage"], name="devstep_one_per_stage", violation_error_message="该阶段已记录"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.person} {self.get_stage_display()} {self.on}"


class DevelopmentQuota(TimeStampedModel):
    committee = models.ForeignKey(
        Org, verbose_name=_("党委"), on_delete=models.PROTECT, related_name="development_quotas"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.PositiveIntegerField(_("发展名额"))
    reserved = models.PositiveIntegerField(_("新就业群体预留名额"), default=0)

    class Meta:
        verbose_name = _("发展党员名额")
        verbose_name_plural = _("发展党员名额")
        ordering = ["-year", "committee_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year"],
                name="devquota_one_per_year",
                violation_error_message="该党委本年度已有名额",
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=models.F("total")),
                name="devquota_reserved_within_total",
                violation_error_message="预留名额不能超过发展名额",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.year}"
