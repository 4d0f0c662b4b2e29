"""The transfer workflow's models; the ledger's and the credentials' live beside their services and are
this app's models too (one app label, one migration history).

- ``Transfer``: one request to move a member's organization relation (转出 inside the platform, 转往平台外,
  流出, 流入), its state and who holds it now (``holder``, ``holder_since``) so the queues and the overdue
  view are plain indexed filters. The member keeps exactly one formal org throughout: the switch happens
  at acceptance, through ``members.services``.
- ``TransferStep``: a dated row per thing that happened (who, what, when, note): the tracking view.
- ``TransferLetter``: the introduction letter (介绍信) the out-org issues on approval, with its validity.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import TimeStampedModel
from sanxin.members.models import Member
from sanxin.orgs.models import Org
from sanxin.transfers.credentials.models import *  # noqa: F403
from sanxin.transfers.ledger.models import *  # noqa: F403

__all__ = [
    "WAITING",
    "Kind",
    "State",
    "Transfer",
    "TransferLetter",
    "TransferStep",
]


class Kind(models.TextChoices):
    OUT = "out", _("转出（平台内）")
    EXTERNAL = "external", _("转往平台外")
    MOBILE_OUT = "mobile_out", _("流出")
    MOBILE_IN = "mobile_in", _("流入")


class State(models.TextChoices):
    APPLIED = "applied", _("待转出组织审批")
    ESCALATED = "escalated", _("待上级党组织审批")
    APPROVED = "approved", _("待接收")
    REJECTED = "rejected", _("未获批准")
    ACCEPTED = "accepted", _("已接收，待报到")
    RETURNED = "returned", _("已退回")
    REPORTED = "reported", _("已报到")
    CANCELLED = "cancelled", _("已撤销")
    EXPIRED = "expired", _("介绍信已过期")


# States in which someone still has to act (the holder).
WAITING = (State.APPLIED, State.ESCALATED, State.APPROVED, State.ACCEPTED)


class Transfer(TimeStampedModel):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.APPLIED)
    from_org = models.ForeignKey(
        Org, verbose_name=_("转出组织"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_org = models.ForeignKey(
        Org,
        verbose_name=_("接收组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    to_name = models.CharField(_("接收组织名称（平台外）"), max_length=200, blank=True)
    to_code = models.CharField(_("接收组织代码（平台外）"), max_length=40, blank=True)
    # The higher level that approves when the transfer crosses committees or leaves the platform.
    approver = models.ForeignKey(
        Org,
        verbose_name=_("上级审批组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_to_approve",
    )
    holder = models.ForeignKey(
        Org,
        verbose_name=_("当前办理组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_held",
    )
    holder_since = models.DateField(_("办理起始日期"))
    reason = models.CharField(_("转接原因"), max_length=200)
    applied_on = models.DateField(_("申请日期"))
    decided_on = models.DateField(_("办结日期"), null=True, blank=True)
    outcome_note = models.CharField(_("驳回/退回/撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-applied_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "holder", "holder_since"], name="transfer_queue_idx"),
            models.Index(fields=["member", "state"], name="transfer_member_idx"),
        ]
        constraints = [
            # One open transfer per member: the database refuses a second while one is in progress.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=["applied", "escalated", "approved"]),
                name="transfer_one_open_per_member",
                violation_error_message="该党员已有一项正在办理的组织关系转接",
            ),
            models.CheckConstraint(
                condition=Q(to_org__isnull=False) | ~Q(to_name=""),
                name="transfer_has_destination",
                violation_error_message="请选择接收组织或填写平台外接收组织名称",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} → {self.destination}"

    @property
    def destination(self) -> str:
        return self.to_org.name if self.to_org_id else self.to_name

    @property
    def is_open(self) -> bool:
        return self.state in (State.APPLIED, State.ESCALATED, State.APPROVED)


class TransferStep(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("事项"), max_length=20)
    label = models.CharField(_("事项名称"), max_length=40)
    org = models.ForeignKey(
        Org, verbose_name=_("办理组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("转接步骤")
        verbose_name_plural = _("转接步骤")
        ordering = ["transfer_id", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.label} {self.on}"


class TransferLetter(models.Model):
    transfer = models.OneToOneField(Transfer, on_delete=models.CASCADE, related_name="letter")
    number = models.CharField(_("介绍信编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("开具日期"))
    valid_until = models.DateField(_("有效期至"))
    issued_by = models.ForeignKey(Org, verbose_name=_("开具组织"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("组织关系介绍信")
        verbose_name_plural = _("组织关系介绍信")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("issued_on")),
                name="letter_valid_after_issue",
                violation_error_message="有效期应晚于开具日期",
            )
        ]

    def __str__(self) -> str:
        return self.number
