"""Community models: 需求征集 → 活动开展 → 效果评估, volunteer teams and hours.

- A ``Need`` is proposed by a member or worker to an org on their chain (an activity or a service they
  want), voted for by the others of that org's audience (``NeedVote``: once a person, never by the
  proposer — a proposal is not a vote), and adopted (it becomes the origin of an ``Activity``) or
  declined with a reason by the org.
- An ``Activity`` of an org is published to the org's audience (those whose chain holds the org). Each
  person's ``Participation`` is signed up, waitlisted (when the activity is full) or cancelled; a
  signed-up participant is checked in by the organizer's roster or by the activity's check-in code
  during the activity window, which credits the activity's volunteer hours once; a checked-in
  participant rates it once (1–5).
- A ``Team`` (志愿服务队) of an org has dated memberships; activities may belong to a team.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import TimeStampedModel
from sanxin.orgs.models import Org

USER = settings.AUTH_USER_MODEL

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "CheckInMethod",
    "Need",
    "NeedStatus",
    "NeedVote",
    "Participation",
    "ParticipationStatus",
    "Team",
    "TeamMembership",
]


class ActivityKind(models.TextChoices):
    ACTIVITY = "activity", _("活动")
    SERVICE = "service", _("服务")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("征集中")
    ADOPTED = "adopted", _("已采纳")
    DECLINED = "declined", _("未采纳")


class Need(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("征集党组织"), on_delete=models.PROTECT, related_name="+")
    proposer = models.ForeignKey(USER, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("需求"), max_length=80)
    body = models.TextField(_("说明"))
    kind = models.CharField(_("类型"), max_length=10, choices=ActivityKind.choices)
    vote_starts = models.DateTimeField(_("投票开始"), null=True, blank=True)
    vote_ends = models.DateTimeField(_("投票截止"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    votes = models.PositiveIntegerField(_("票数"), default=0)
    reason = models.TextField(_("办理说明"), blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("活动需求")
        verbose_name_plural = _("活动需求")
        ordering = ["-votes", "-created_at", "-pk"]
        indexes = [models.Index(fields=["org", "status", "-votes"], name="need_org_status_votes_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""), name="need_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(vote_starts__isnull=True)
                | Q(vote_ends__isnull=True)
                | Q(vote_ends__gt=models.F("vote_starts")),
                name="need_vote_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NeedVote(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="vote_rows")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "user"], name="need_vote_once_a_person")]

    def __str__(self) -> str:
        return f"{self.user_id} 投票 {self.need_id}"


class Team(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("所属党组织"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("服务队名称"), max_length=60)
    description = models.CharField(_("简介"), max_length=300, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["org__path", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="team_name_once_an_org")]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务队队员")
        verbose_name_plural = _("服务队队员")
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(left_on__isnull=True), name="team_member_once_open"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="team_member_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.team_id}"


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class Activity(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("主办党组织"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("活动名称"), max_length=80)
    description = models.TextField(_("活动内容"))
    kind = models.CharField(_("类型"), max_length=10, choices=ActivityKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("驿站"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    capacity = models.PositiveIntegerField(_("名额"))
    signup_deadline = models.DateTimeField(_("报名截止"))
    hours = models.DecimalField(
        _("志愿时长（小时/人）"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    need = models.OneToOneField(
        Need,
        verbose_name=_("来源需求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("志愿服务队"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="activities",
    )  # fmt: skip
    organizer = models.ForeignKey(USER, verbose_name=_("组织人"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    checkin_code = models.CharField(_("签到码"), max_length=6, editable=False)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    summary = models.TextField(_("活动总结"), blank=True)
    summary_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("组织活动")
        verbose_name_plural = _("组织活动")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["org", "starts_at"], name="activity_org_starts_idx"),
            models.Index(fields=["status", "starts_at"], name="activity_status_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="activity_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(signup_deadline__lte=models.F("ends_at")), name="activity_deadline_before_end"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="activity_cancel_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def where(self) -> str:
        if self.station_id and self.place:
            return f"{self.station.name}（{self.place}）"
        return self.station.name if self.station_id else self.place


class ParticipationStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


class CheckInMethod(models.TextChoices):
    ROSTER = "roster", _("组织人点名")
    CODE = "code", _("签到码")


class Participation(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="participations")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=ParticipationStatus.choices)
    signed_up_at = models.DateTimeField(_("报名时间"))  # the waitlist's order
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checkin_method = models.CharField(max_length=8, choices=CheckInMethod.choices, blank=True)
    hours = models.DecimalField(_("志愿时长"), max_digits=4, decimal_places=1, null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["signed_up_at", "pk"]
        indexes = [
            models.Index(fields=["activity", "status", "signed_up_at"], name="participation_queue_idx"),
            models.Index(fields=["user", "checked_in_at"], name="participation_user_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="participation_once_a_person"),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="signed_up"),
                name="participation_checked_in_signed_up",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(rating__gte=1, rating__lte=5, checked_in_at__isnull=False),
                name="participation_rating_1_to_5_checked_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.activity_id}"
