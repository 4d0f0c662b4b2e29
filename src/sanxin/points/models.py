"""Points (积分管理): the committees' rule catalogues, members' claims and their review, the immutable
ledger with each member's balance, and the services members buy with points.

- ``Catalogue``: one version of a committee's 积分细则, effective-dated; its ``Item`` rows (category,
  基础分/先锋分, points per occurrence, caps per month and year, the evidence required, declared or
  automatic) and, for automatic items, ``AutoRule`` rows mapping a domain event to the item. A deed is
  judged by the catalogue in force, for the member's branch, on the day of the deed.
- ``Claim``: a member's declaration (个人申报) and its way through 党支部审核, 党委认定 and 积分公示
  (a core ``PublicNotice`` to the branch); each step is a ``ClaimStep``.
- ``Entry``: one immutable ledger row. ``points`` is its change to the member's **earned** points
  (rankings, awards and assessment use them; spending never lowers them); ``spendable`` its change to
  the **spendable** balance (a credit adds to both; a purchase takes only from the spendable balance; a
  deduction or reversal takes from the spendable balance no more than is left in it). Corrections are
  reversing rows. The database refuses updates (and, on PostgreSQL, deletes) of ledger rows.
- ``Balance``: the running sums of a member's ledger, locked by every write so that caps and the
  spendable balance are checked without races; the database keeps the spendable balance ≥ 0.
- ``Partner``, ``Offer``, ``Voucher``: the 惠民服务 bought with points (阅读, 诊疗, 文旅, 托幼, 学历提升),
  with stock, validity and a one-time voucher code the partner redeems.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import DatedModel, Event, PublicNotice, StoredFile, TimeStampedModel
from sanxin.members.models import Member
from sanxin.orgs.models import Org


class Category(models.TextChoices):
    LIFE = "life", _("党的生活")
    STUDY = "study", _("学习培训")
    VOLUNTEER = "volunteer", _("志愿服务")
    GOVERNANCE = "governance", _("基层治理")
    PRAISE = "praise", _("工作好评")


class Tier(models.TextChoices):
    BASIC = "basic", _("基础分")
    PIONEER = "pioneer", _("先锋分")


class Evidence(models.TextChoices):
    NONE = "none", _("无需材料")
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("证明材料")
    RECORD = "record", _("系统记录")


class Mode(models.TextChoices):
    DECLARED = "declared", _("个人申报")
    AUTOMATIC = "automatic", _("自动计分")


class Catalogue(DatedModel):
    """One version of a committee's catalogue, in force over [start_on, end_on) for the members of the
    committee's subtree (a nearer committee's catalogue wins)."""

    org = models.ForeignKey(
        Org, verbose_name=_("制定组织"), on_delete=models.PROTECT, related_name="point_catalogues"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=100)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("积分细则")
        verbose_name_plural = _("积分细则")
        ordering = ["org_id", "-start_on"]
        constraints = [
            *DatedModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "version"], name="catalogue_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class Item(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("编号"), max_length=12, help_text=_("各版本间不变，上限按编号累计"))
    name = models.CharField(_("项目"), max_length=100)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    tier = models.CharField(_("分类"), max_length=8, choices=Tier.choices)
    points = models.SmallIntegerField(_("每次分值"), help_text=_("扣分项为负数"))
    month_cap = models.PositiveSmallIntegerField(_("每月上限"), null=True, blank=True)
    year_cap = models.PositiveSmallIntegerField(_("每年上限"), null=True, blank=True)
    evidence = models.CharField(_("证明材料"), max_length=10, choices=Evidence.choices, default=Evidence.NONE)
    mode = models.CharField(_("计分方式"), max_length=10, choices=Mode.choices, default=Mode.DECLARED)
    description = models.CharField(_("计分标准"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("积分项目")
        verbose_name_plural = _("积分项目")
        ordering = ["catalogue_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="item_code_unique"),
            models.CheckConstraint(
                condition=~Q(points=0), name="item_points_nonzero", violation_error_message="分值不能为0"
            ),
            models.CheckConstraint(
                condition=Q(month_cap__isnull=True)
                | Q(year_cap__isnull=True)
                | Q(month_cap__lte=F("year_cap")),
                name="item_month_cap_within_year",
                violation_error_message="每月上限不能超过每年上限",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_deduction(self) -> bool:
        return self.points < 0


class AutoRule(models.Model):
    """An automatic credit: when ``event_name`` is published with a payload matching ``conditions``
    (key → value, or a list of allowed values), the member named by ``member_key`` gets ``item`` for the
    day named by ``date_key``."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="auto_rules")
    event_name = models.CharField(_("来源事件"), max_length=60, db_index=True)
    conditions = models.JSONField(_("条件"), default=dict, blank=True)
    member_key = models.CharField(max_length=30, default="member_id")
    date_key = models.CharField(max_length=30, default="on")

    class Meta:
        verbose_name = _("自动计分规则")
        verbose_name_plural = _("自动计分规则")
        ordering = ["item_id", "id"]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.item}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待支部审核")
    RETURNED = "returned", _("退回补充材料")
    APPROVED = "approved", _("待党委认定")
    NOTICE = "notice", _("公示中")
    OBJECTED = "objected", _("有异议待复核")
    CREDITED = "credited", _("已计入")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_CLAIM = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.RETURNED,
    ClaimStatus.APPROVED,
    ClaimStatus.NOTICE,
    ClaimStatus.OBJECTED,
)
# Claims whose points are held against the item's caps: confirmed by the committee, not yet credited.
RESERVING = (ClaimStatus.NOTICE, ClaimStatus.OBJECTED)


class Claim(TimeStampedModel):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="point_claims")
    branch = models.ForeignKey(Org, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(Org, verbose_name=_("认定党委"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        Item, verbose_name=_("积分项目"), on_delete=models.PROTECT, related_name="claims"
    )
    deed_on = models.DateField(_("事项日期"))
    description = models.TextField(_("事项说明"))
    evidence = models.ManyToManyField(StoredFile, blank=True, related_name="+", verbose_name=_("证明材料"))
    record_ref = models.CharField(_("系统记录编号"), max_length=60, blank=True)
    points = models.SmallIntegerField(_("申报分值"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED, db_index=True
    )
    due_on = models.DateField(_("本环节办理期限"), null=True, blank=True)
    reason = models.CharField(_("退回/不通过理由"), max_length=300, blank=True)
    notice = models.ForeignKey(
        PublicNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("积分申报")
        verbose_name_plural = _("积分申报")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["branch", "status"], name="claim_branch_status_idx"),
            models.Index(fields=["committee", "status"], name="claim_committee_status_idx"),
            models.Index(fields=["member", "status"], name="claim_member_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member}·{self.item.name}（{self.deed_on:%Y-%m-%d}）"


class ClaimStep(models.Model):
    class Action(models.TextChoices):
        DECLARE = "declare", _("申报")
        RESUBMIT = "resubmit", _("补充材料后重新提交")
        WITHDRAW = "withdraw", _("撤回")
        APPROVE = "approve", _("支部审核通过")
        RETURN = "return", _("退回补充材料")
        REJECT = "reject", _("不予通过")
        CONFIRM = "confirm", _("党委认定，开始公示")
        OBJECTED = "objected", _("公示期满有异议")
        SETTLE_CREDIT = "settle_credit", _("异议不成立，予以计入")
        SETTLE_REJECT = "settle_reject", _("异议成立，不予计入")
        CREDIT = "credit", _("公示无异议，计入积分")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=14, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("意见"), max_length=300, blank=True)

    class Meta:
        ordering = ["claim_id", "at", "id"]

    def __str__(self) -> str:
        return self.get_action_display()


class EntryKind(models.TextChoices):
    CREDIT = "credit", _("加分")
    DEDUCTION = "deduction", _("扣分")
    REVERSAL = "reversal", _("冲正")
    SPEND = "spend", _("兑换")
    REFUND = "refund", _("退还")


EARNING_KINDS = (EntryKind.CREDIT, EntryKind.DEDUCTION, EntryKind.REVERSAL)


class ServiceKind(models.TextChoices):
    READING = "reading", _("阅读")
    MEDICAL = "medical", _("诊疗")
    TRAVEL = "travel", _("文旅")
    CHILDCARE = "childcare", _("托幼")
    EDUCATION = "education", _("学历提升")


class Partner(TimeStampedModel):
    """A 服务合作方 contracted by a committee (``org``) to serve the members of its subtree. Its staff
    hold the PARTNER role with an assignment grant (kind ``points_partners``) naming it."""

    org = models.ForeignKey(Org, verbose_name=_("签约组织"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("服务类别"), max_length=10, choices=ServiceKind.choices)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("合作中"), default=True)

    class Meta:
        verbose_name = _("服务合作方")
        verbose_name_plural = _("服务合作方")
        ordering = ["org_id", "name"]

    def __str__(self) -> str:
        return self.name


class Offer(TimeStampedModel):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(_("服务类别"), max_length=10, choices=ServiceKind.choices)
    title = models.CharField(_("服务名称"), max_length=100)
    description = models.TextField(_("服务说明"), blank=True)
    price = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("剩余数量"))
    valid_from = models.DateField(_("兑换开始"))
    valid_to = models.DateField(_("兑换截止"))
    voucher_days = models.PositiveSmallIntegerField(_("兑换券有效天数"), default=30)
    active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("积分兑换服务")
        verbose_name_plural = _("积分兑换服务")
        ordering = ["price", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0),
                name="offer_price_positive",
                violation_error_message="所需积分应大于0",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")),
                name="offer_valid_period",
                violation_error_message="兑换截止不能早于兑换开始",
            ),
            models.CheckConstraint(
                condition=Q(voucher_days__gte=1),
                name="offer_voucher_days_positive",
                violation_error_message="兑换券有效天数至少为1天",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("待使用")
    REDEEMED = "redeemed", _("已核销")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


class Voucher(TimeStampedModel):
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="vouchers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="point_vouchers")
    code = models.CharField(_("兑换码"), max_length=16, unique=True)
    price = models.PositiveIntegerField(_("积分"))
    status = models.CharField(
        _("状态"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED, db_index=True
    )
    expires_on = models.DateField(_("有效期至"), db_index=True)
    redeemed_at = models.DateTimeField(_("核销时间"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("兑换券")
        verbose_name_plural = _("兑换券")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.offer.title}（{self.code}）"


class LedgerIsImmutable(Exception):
    pass


class Entry(models.Model):
    """One ledger row; never changed or deleted (a correction is a reversing row)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="point_entries")
    branch = models.ForeignKey(Org, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(Org, verbose_name=_("管理党委"), on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    item_code = models.CharField(_("项目编号"), max_length=12, blank=True)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices, blank=True)
    tier = models.CharField(_("分类"), max_length=8, choices=Tier.choices, blank=True)
    points = models.IntegerField(_("积分变动"))
    spendable = models.IntegerField(_("可用积分变动"))
    reason = models.CharField(_("事由"), max_length=200)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    voucher = models.ForeignKey(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    source_key = models.CharField(max_length=120, null=True, blank=True)  # unique: see Meta
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分台账")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["member", "-id"], name="entry_member_idx"),
            models.Index(fields=["member", "item_code", "on"], name="entry_member_code_idx"),
            models.Index(fields=["branch", "on"], name="entry_branch_on_idx"),
            models.Index(fields=["committee", "on"], name="entry_committee_on_idx"),
        ]
        constraints = [
            # a constraint, not unique=True: PostgreSQL would add a LIKE index no query uses
            models.UniqueConstraint(fields=["source_key"], name="entry_source_key_unique"),
            models.CheckConstraint(
                condition=~Q(kind="spend") | (Q(points=0) & Q(spendable__lt=0)),
                name="entry_spend_takes_spendable_only",
            ),
            models.CheckConstraint(
                condition=~Q(kind="refund") | (Q(points=0) & Q(spendable__gt=0)),
                name="entry_refund_returns_spendable_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}：{self.reason}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise LedgerIsImmutable("积分台账记录不可修改，请用冲正记录更正")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsImmutable("积分台账记录不可删除，请用冲正记录更正")


class Balance(models.Model):
    """The sums of a member's ledger, kept in the same transaction as each row."""

    member = models.OneToOneField(
        Member, primary_key=True, on_delete=models.PROTECT, related_name="point_balance"
    )
    earned = models.IntegerField(_("累计积分"), default=0)
    spendable = models.IntegerField(_("可用积分"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("积分余额")
        verbose_name_plural = _("积分余额")
        constraints = [
            models.CheckConstraint(condition=Q(spendable__gte=0), name="balance_spendable_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.earned}/{self.spendable}"
