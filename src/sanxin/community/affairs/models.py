"""Community models: 党务公开, 协商议事, 党员示范岗 and 责任区.

- An ``AffairsNotice`` is published by an org to its members (the people whose org chain holds it) and
  read by the offices above. A read receipt (``NoticeRead``) is kept once per person. The 公示 kinds
  (发展党员公示, 评选结果) open a core ``PublicNotice`` whose audience is the notice itself, so members
  object during the period through the core 公示 service. A withdrawn notice stays, marked, with its
  reason (a check constraint).
- A ``Consultation`` (协商议事) is held by a party org on workers' major interests, optionally with an
  enterprise of the registry; its parties, meetings (online with a link or offline with a place — check
  constraints), the workers' opinions and the follow-up items of its outcome hang off it.
- A ``Designation`` is an org's 党员示范岗 or 责任区; who holds it over which period is a dated
  ``Holding`` row (at most one open at a time — a partial unique constraint), so a change of holder ends
  a row and starts another, never overwriting the history. ``Deed`` rows record what was done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import DatedModel, PublicNotice, StoredFile, TimeStampedModel
from sanxin.orgs.models import Org, Person

USER = settings.AUTH_USER_MODEL


# --- 党务公开 -------------------------------------------------------------------------------------------


class NoticeKind(models.TextChoices):
    NOTICE = "notice", _("通知")
    DECISION = "decision", _("决议决定")
    DUES = "dues", _("党费收缴公开")
    DEVELOPMENT = "development", _("发展党员公示")
    SELECTION = "selection", _("评选结果")
    OTHER = "other", _("其他")


# The kinds that are a 公示: members may object during the period (core.notices).
OBJECTION_KINDS = frozenset({NoticeKind.DEVELOPMENT, NoticeKind.SELECTION})


class AffairsNotice(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("发布组织"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    attachments = models.ManyToManyField(StoredFile, verbose_name=_("附件"), blank=True, related_name="+")
    published_on = models.DateField(_("发布日期"), default=timezone.localdate)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    pinned = models.BooleanField(_("置顶"), default=False)
    public_notice = models.OneToOneField(
        PublicNotice,
        verbose_name=_("公示"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn = models.BooleanField(_("已撤回"), default=False)
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("党务公开")
        verbose_name_plural = _("党务公开")
        indexes = [
            models.Index(fields=["org", "-pinned", "-published_on"], name="affairs_notice_board_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn=False) | ~Q(withdrawn_reason=""), name="affairs_notice_withdraw_reason"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("published_on")),
                name="affairs_notice_expiry_after_publish",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public_notice(self) -> bool:
        return self.kind in OBJECTION_KINDS


class NoticeRead(models.Model):
    notice = models.ForeignKey(AffairsNotice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="affairs_read_once")]
        indexes = [models.Index(fields=["user", "notice"], name="affairs_read_user_idx")]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.user_id}"


# --- 协商议事 -------------------------------------------------------------------------------------------


class ConsultationStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟协商")
    CONSULTING = "consulting", _("协商中")
    AGREED = "agreed", _("达成一致")
    NOT_AGREED = "not_agreed", _("未达成一致")
    FOLLOWING = "following", _("跟踪落实")
    CLOSED = "closed", _("已办结")


OPEN_FOR_OPINIONS = (ConsultationStatus.PROPOSED, ConsultationStatus.CONSULTING)
DECIDED = (
    ConsultationStatus.AGREED,
    ConsultationStatus.NOT_AGREED,
    ConsultationStatus.FOLLOWING,
    ConsultationStatus.CLOSED,
)


class Consultation(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("发起党组织"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("议题"), max_length=100)
    background = models.TextField(_("背景"))
    enterprise = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("涉及企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ConsultationStatus.choices, default=ConsultationStatus.PROPOSED
    )
    outcome = models.TextField(_("协商结果"), blank=True)
    decided_at = models.DateTimeField(_("形成结果时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("协商议事")
        verbose_name_plural = _("协商议事")
        indexes = [models.Index(fields=["org", "status", "-created_at"], name="affairs_consult_org_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "consulting"]) | ~Q(outcome=""),
                name="affairs_consult_outcome_when_decided",
            )
        ]

    def __str__(self) -> str:
        return self.topic


class PartySide(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业方")
    WORKERS = "workers", _("劳动者代表")
    UNION = "union", _("工会")
    PARTY = "party", _("党组织")
    OTHER = "other", _("其他")


class ConsultationParty(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("身份"), max_length=12, choices=PartySide.choices)
    name = models.CharField(_("名称或姓名"), max_length=60)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("协商参与方")
        verbose_name_plural = _("协商参与方")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "name"], name="affairs_party_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class MeetingMode(models.TextChoices):
    ONLINE = "online", _("线上（云议事）")
    OFFLINE = "offline", _("线下")


class ConsultationMeeting(TimeStampedModel):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="meetings")
    held_at = models.DateTimeField(_("时间"))
    mode = models.CharField(_("方式"), max_length=8, choices=MeetingMode.choices)
    link = models.URLField(_("会议链接"), blank=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    attended = models.ManyToManyField(
        ConsultationParty, verbose_name=_("出席方"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("协商会议")
        verbose_name_plural = _("协商会议")
        ordering = ["held_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(mode="online") & ~Q(link="")) | (Q(mode="offline") & ~Q(place="")),
                name="affairs_meeting_link_or_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}@{self.held_at:%Y-%m-%d}"


class Opinion(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="opinions")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("意见"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("职工意见")
        verbose_name_plural = _("职工意见")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:20]


class FollowUp(TimeStampedModel):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="followups")
    what = models.CharField(_("事项"), max_length=200)
    who = models.CharField(_("责任方"), max_length=60)
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("完成情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("跟踪落实事项")
        verbose_name_plural = _("跟踪落实事项")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["done_on", "due_on"], name="affairs_followup_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | ~Q(note=""), name="affairs_followup_done_with_note"
            )
        ]

    def __str__(self) -> str:
        return self.what

    def is_overdue(self, on) -> bool:
        return self.done_on is None and self.due_on < on


# --- 党员示范岗 and 责任区 --------------------------------------------------------------------------------


class DesignationKind(models.TextChoices):
    POST = "post", _("党员示范岗")
    AREA = "area", _("党员责任区")


class Designation(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("设岗组织"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=6, choices=DesignationKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    place = models.CharField(_("地点或区域"), max_length=200)
    stands_for = models.CharField(_("承诺与职责"), max_length=300, blank=True)
    ended_on = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("示范岗与责任区")
        verbose_name_plural = _("示范岗与责任区")
        indexes = [models.Index(fields=["org", "kind"], name="affairs_designation_org_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "name"],
                condition=Q(ended_on__isnull=True),
                name="affairs_designation_once",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Holding(DatedModel):
    designation = models.ForeignKey(Designation, on_delete=models.CASCADE, related_name="holdings")
    person = models.ForeignKey(Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+")

    class Meta(DatedModel.Meta):
        verbose_name = _("上岗记录")
        verbose_name_plural = _("上岗记录")
        ordering = ["start_on", "pk"]
        constraints = [
            *DatedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["designation"], condition=Q(end_on__isnull=True), name="affairs_one_open_holding"
            ),
        ]
        indexes = [models.Index(fields=["person", "end_on"], name="affairs_holding_person_idx")]

    def __str__(self) -> str:
        return f"{self.designation_id}:{self.person_id}"


class Deed(models.Model):
    designation = models.ForeignKey(Designation, on_delete=models.CASCADE, related_name="deeds")
    person = models.ForeignKey(Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("日期"))
    text = models.TextField(_("履职内容"))
    photo = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("履职记录")
        verbose_name_plural = _("履职记录")
        ordering = ["-done_on", "-pk"]
        indexes = [models.Index(fields=["designation", "-done_on"], name="affairs_deed_idx")]

    def __str__(self) -> str:
        return self.text[:20]
