"""The member registry (党员信息库): who is a member, where every member belongs — the formal org
(组织关系所在) and the activity org (where they take part in organization life) as dated rows, so
the answer holds for any past date — mobility (流动党员), and what everyone, member or not, does for a
living on the new-employment platforms.

- ``Member``: the membership facts of a person (join date, 预备/正式, conversion, whether the membership
  is current, suspended — 停止党籍 — or has ended, and how), and the 口袋党员 / 隐形党员 flag, which
  only the organization department sees.
- ``OrgRelation``: a member's formal or activity org over [start_on, end_on). A member has exactly one
  formal org at every instant from joining: periods of one kind never overlap (an exclusion
  constraint on PostgreSQL, a trigger on SQLite), at most one is open (a partial unique index), and
  the one service that changes them (``services.membership_move``) keeps them contiguous.
- ``Mobility``: 外出 (away from the formal org) or 流入 (挂靠 at a host org, which becomes the activity
  org), with the 流动党员活动证.
- ``Employment``: a person's new-employment work (kind, platform or employer, work area, since).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import DatedModel, Region, TimeStampedModel
from sanxin.orgs.models import Org, Person


class Standing(models.TextChoices):
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("停止党籍")
    ENDED = "ended", _("党籍终止")


class EndKind(models.TextChoices):
    """How a membership ended (or left this platform's register)."""

    PROBATION_CANCELLED = "probation_cancelled", _("取消预备党员资格")
    DECEASED = "deceased", _("去世")
    WITHDRAWN = "withdrawn", _("退党")
    REMOVED = "removed", _("除名")
    EXPELLED = "expelled", _("开除党籍")
    TRANSFERRED_OUT = "transferred_out", _("组织关系转出本平台")


# Ending kinds an office records by its own decision (the others come from their own workflows: the
# development pipeline cancels a probation, an accepted transfer moves a member off the platform).
DECIDED_ENDS = (EndKind.DECEASED, EndKind.WITHDRAWN, EndKind.REMOVED, EndKind.EXPELLED)


class Hidden(models.TextChoices):
    NONE = "", _("无")
    POCKET = "pocket", _("口袋党员")
    INVISIBLE = "invisible", _("隐形党员")


class Member(TimeStampedModel):
    person = models.OneToOneField(Person, primary_key=True, on_delete=models.PROTECT, related_name="member")
    standing = models.CharField(_("党员类别"), max_length=16, choices=Standing.choices)
    joined_on = models.DateField(_("入党日期"))
    converted_on = models.DateField(_("转正日期"), null=True, blank=True)
    # 口袋党员 (keeps the relationship letter in a pocket) / 隐形党员 (never showed themselves): labels
    # of people who have not chosen to show themselves, seen by the organization department only.
    hidden = models.CharField(_("口袋/隐形党员"), max_length=10, choices=Hidden.choices, blank=True)
    hidden_found_how = models.CharField(_("发现途径"), max_length=200, blank=True)
    hidden_found_on = models.DateField(_("发现日期"), null=True, blank=True)
    # Whether the membership is current: 停止党籍 keeps the member on the branch's register (restorable),
    # an ended one keeps its history only. ``status_on`` is the day of the last change, with its reason
    # and the decision's document number.
    status = models.CharField(
        _("党籍状态"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    status_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    end_kind = models.CharField(_("终止方式"), max_length=20, choices=EndKind.choices, blank=True)
    status_reason = models.CharField(_("状态变更原因"), max_length=200, blank=True)
    status_document = models.CharField(_("决定文号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="ended") & ~Q(end_kind="")) | (~Q(status="ended") & Q(end_kind="")),
                name="member_end_kind_iff_ended",
                violation_error_message="党籍终止须有终止方式，其他状态不得有",
            ),
            models.CheckConstraint(
                condition=Q(converted_on__isnull=True) | Q(converted_on__gt=models.F("joined_on")),
                name="member_converted_after_joined",
                violation_error_message="转正日期应晚于入党日期",
            ),
            models.CheckConstraint(
                condition=~Q(standing="full") | Q(converted_on__isnull=False),
                name="member_full_has_conversion",
                violation_error_message="正式党员须有转正日期",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)


class RelationKind(models.TextChoices):
    FORMAL = "formal", _("组织关系")
    ACTIVITY = "activity", _("参加组织生活")


class RelationSource(models.TextChoices):
    REGISTER = "register", _("登记")
    MOVE = "move", _("调整")
    TRANSFER = "transfer", _("组织关系转接")
    MERGE = "merge", _("组织合并")
    SPLIT = "split", _("组织拆分")
    MOBILE_IN = "mobile_in", _("流入挂靠")
    MOBILE_END = "mobile_end", _("流动结束")
    FOLLOW = "follow", _("随组织关系调整")


class OrgRelation(DatedModel):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="relations")
    org = models.ForeignKey(
        Org, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="member_relations"
    )
    kind = models.CharField(_("关系"), max_length=10, choices=RelationKind.choices)
    source = models.CharField(_("原因"), max_length=12, choices=RelationSource.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("组织关系")
        verbose_name_plural = _("组织关系")
        ordering = ["member_id", "kind", "start_on"]
        indexes = [
            models.Index(fields=["org", "kind", "start_on", "end_on"], name="relation_org_period_idx"),
            models.Index(fields=["member", "kind", "start_on"], name="relation_member_idx"),
        ]
        constraints = [
            *DatedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=Q(end_on__isnull=True),
                name="relation_one_open_per_kind",
                violation_error_message="该党员已有一个未结束的组织关系",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.org}（{self.get_kind_display()}）"


class Direction(models.TextChoices):
    OUT = "out", _("外出")
    IN = "in", _("流入")


class Mobility(DatedModel):
    """流动党员: ``OUT`` away from the formal org (destination, expected return), ``IN`` 挂靠 at
    ``host`` (which is the activity org meanwhile). ``end_on`` is the return (or the end of 挂靠)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="mobilities")
    direction = models.CharField(_("流动方向"), max_length=3, choices=Direction.choices)
    host = models.ForeignKey(
        Org,
        verbose_name=_("流入挂靠组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_mobilities",
    )
    destination = models.CharField(_("外出去向"), max_length=200, blank=True)
    expected_return = models.DateField(_("预计返回日期"), null=True, blank=True)
    certificate_no = models.CharField(_("流动党员活动证编号"), max_length=40, blank=True)
    certificate_valid_until = models.DateField(_("活动证有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("流动党员登记")
        verbose_name_plural = _("流动党员登记")
        ordering = ["member_id", "-start_on"]
        constraints = [
            *DatedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["member", "direction"],
                condition=Q(end_on__isnull=True),
                name="mobility_one_open_per_direction",
                violation_error_message="该党员已有一条未结束的同类流动登记",
            ),
            models.CheckConstraint(
                condition=~Q(direction="in") | Q(host__isnull=False),
                name="mobility_in_has_host",
                violation_error_message="流入须选择挂靠的党组织",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_direction_display()}"


class WorkKind(models.TextChoices):
    COURIER = "courier", _("快递员")
    RIDER = "rider", _("外卖骑手")
    RIDE_HAILING = "ride_hailing", _("网约车司机")
    TRUCK = "truck", _("货车司机")
    STREAMER = "streamer", _("网络主播")
    WRITER = "writer", _("网络写手")
    HOUSEKEEPING = "housekeeping", _("网约家政")
    OTHER = "other", _("其他")


class Employment(DatedModel):
    """What a person (member or not) does on the new-employment platforms, over a period."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employments")
    kind = models.CharField(_("新就业形态"), max_length=16, choices=WorkKind.choices)
    platform = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("平台/用工单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_name = models.CharField(_("平台/用工单位名称"), max_length=200, blank=True)
    work_region = models.ForeignKey(
        Region, verbose_name=_("工作区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    work_area = models.CharField(_("工作地点"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("从业情况")
        verbose_name_plural = _("从业情况")
        ordering = ["person_id", "-start_on"]
        indexes = [models.Index(fields=["kind", "start_on", "end_on"], name="employment_kind_idx")]
        constraints = DatedModel.Meta.constraints

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"


class IncomeDeclaration(DatedModel):
    """What a member's dues are computed on, from the month ``start_on`` (a month's first day: the service
    writes whole months) until the
    next declaration: the basis (``dues.Basis``) and the declared amount (after-tax income, pension, or
    a rural member's chosen 0.2–1 yuan; none for the flat 0.2)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="declarations")
    basis = models.CharField(_("党费计算方式"), max_length=10)
    amount = models.DecimalField(_("申报金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("收入申报")
        verbose_name_plural = _("收入申报")
        ordering = ["member_id", "start_on"]
        constraints = [
            *DatedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(end_on__isnull=True),
                name="declaration_one_open",
                violation_error_message="该党员已有一份现行的收入申报",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.start_on:%Y-%m}"


class Channel(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    BANK = "bank", _("银行转账")
    PAYROLL = "payroll", _("工资代扣")


class DuesPayment(TimeStampedModel):
    """Dues paid for the months ``month_from``..``month_to`` (first days, both included) to the formal
    org of the time. ``due`` is what the rules asked for those months; ``amount`` may be more (自愿多交),
    never less."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="payments")
    org = models.ForeignKey(
        Org, verbose_name=_("收缴党组织"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    month_from = models.DateField(_("起始月份"))
    month_to = models.DateField(_("截止月份"))
    due = models.DecimalField(_("应交（元）"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("实交（元）"), max_digits=12, decimal_places=2)
    channel = models.CharField(_("交纳方式"), max_length=10, choices=Channel.choices)
    paid_on = models.DateField(_("交纳日期"))
    receipt_no = models.CharField(_("收据编号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("党费交纳")
        verbose_name_plural = _("党费交纳")
        ordering = ["member_id", "month_from"]
        indexes = [models.Index(fields=["org", "month_from"], name="dues_org_month_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(month_to__gte=models.F("month_from")),
                name="dues_months_in_order",
                violation_error_message="截止月份不能早于起始月份",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=models.F("due")) & Q(due__gte=0),
                name="dues_not_less_than_due",
                violation_error_message="实交金额不能少于应交金额",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month_from:%Y-%m}—{self.month_to:%Y-%m}"


# The module's other parts keep their models beside their services; they are this app's models.
from sanxin.members.findings.models import *  # noqa: E402, F403
from sanxin.members.funds.models import *  # noqa: E402, F403
from sanxin.members.pipeline.models import *  # noqa: E402, F403
