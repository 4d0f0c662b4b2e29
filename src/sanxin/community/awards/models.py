"""Community models: annual selections (评选) with nomination, review, public vote and certificates; 四亮 records.

- An ``AwardSelection`` (e.g. 2026年度“最美货车司机”) is run by one org for its subtree: who may be
  nominated (work kinds, members only or workers too, years in the job, years of membership), how many
  are awarded, and the dates of its phases — nomination, review, public vote; the organiser closes the
  vote and publishes the result.
- An ``AwardCandidate`` is a nominated person with the reasons (and photos), approved or rejected by the
  organiser. Only approved candidates are voted for.
- An ``AwardVote`` is one person's vote of one day (a unique constraint on selection, voter, local day);
  it carries hashes of the device id and of IP + user agent (never the raw values), and is flagged when
  too many accounts voted from one device that day; the organiser keeps or voids flagged votes.
  ``AwardVoteRequest`` rows count vote requests for the per-user rate limit.
- An ``AwardCertificate`` is an awardee's certificate: a number and the secret token of its public
  verification page.
- A ``SiliangRecord`` is one of the 四亮: 亮旗帜 (per branch), 亮身份, 亮标识 (with a photo), 亮承诺 (a pledge
  text and its date), per member.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import StoredFile, TimeStampedModel
from sanxin.orgs.models import Org, Person

USER = settings.AUTH_USER_MODEL

__all__ = [
    "AwardCandidate",
    "AwardCertificate",
    "AwardSelection",
    "AwardVote",
    "AwardVoteRequest",
    "CandidateStatus",
    "FlagReview",
    "SelectionStatus",
    "SiliangKind",
    "SiliangRecord",
]


class SelectionStatus(models.TextChoices):
    RUNNING = "running", _("进行中")
    CLOSED = "closed", _("投票已结束")
    PUBLISHED = "published", _("结果已公布")


class AwardSelection(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("主办党组织"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("评选名称"), max_length=80)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("评选说明"), blank=True)
    # Eligibility: work kinds (members.WorkKind values; empty: any), members only or workers too, years.
    work_kinds = models.JSONField(_("从业类型"), default=list, blank=True)
    members_only = models.BooleanField(_("仅限党员"), default=False)
    min_job_years = models.PositiveSmallIntegerField(_("最低从业年限"), default=0)
    min_party_years = models.PositiveSmallIntegerField(_("最低党龄"), default=0)
    awardees = models.PositiveSmallIntegerField(_("评选名额"))
    nominate_from = models.DateField(_("提名开始"))
    nominate_until = models.DateField(_("提名截止"))
    vote_from = models.DateField(_("投票开始"))
    vote_until = models.DateField(_("投票截止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.RUNNING
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评选活动")
        verbose_name_plural = _("评选活动")
        ordering = ["-year", "-vote_from", "-pk"]
        indexes = [models.Index(fields=["org", "year"], name="award_selection_org_idx")]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "title"], name="award_selection_once_a_year"),
            models.CheckConstraint(condition=Q(awardees__gte=1), name="award_selection_has_awardees"),
            models.CheckConstraint(
                condition=Q(nominate_until__gte=F("nominate_from"))
                & Q(vote_from__gt=F("nominate_until"))
                & Q(vote_until__gte=F("vote_from")),
                name="award_selection_phases_in_order",
                violation_error_message="阶段日期应依次为：提名开始 ≤ 提名截止 < 投票开始 ≤ 投票截止",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, today=None) -> str:
        """nominate / review / vote / counting (vote window over, not closed) / closed / published."""
        if self.status == SelectionStatus.PUBLISHED:
            return "published"
        if self.status == SelectionStatus.CLOSED:
            return "closed"
        today = today or timezone.localdate()
        if today < self.nominate_from:
            return "upcoming"
        if today <= self.nominate_until:
            return "nominate"
        if today < self.vote_from:
            return "review"
        if today <= self.vote_until:
            return "vote"
        return "counting"

    PHASE_LABELS = {
        "upcoming": "尚未开始",
        "nominate": "提名中",
        "review": "资格审核中",
        "vote": "投票中",
        "counting": "投票期已过，待结束投票",
        "closed": "投票已结束，待公布结果",
        "published": "结果已公布",
    }

    @property
    def phase_label(self) -> str:
        return self.PHASE_LABELS[self.phase()]


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("未通过")


class AwardCandidate(TimeStampedModel):
    selection = models.ForeignKey(AwardSelection, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey(Person, verbose_name=_("被提名人"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, verbose_name=_("所在组织"), on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField(_("推荐理由"))
    photos = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    nominated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("审核状态"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    review_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Set when the result is published.
    votes = models.PositiveIntegerField(_("有效票数"), default=0)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    awarded = models.BooleanField(_("当选"), default=False)
    story_course = models.ForeignKey(
        "learning.Course", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("评选候选人")
        verbose_name_plural = _("评选候选人")
        ordering = ["selection_id", "pk"]
        indexes = [models.Index(fields=["selection", "status"], name="award_candidate_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="award_candidate_once"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_reason=""), name="award_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(awarded=False) | Q(status="approved"), name="award_awardee_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.selection} · {self.person}"


class FlagReview(models.TextChoices):
    PENDING = "", _("待复核")
    KEPT = "kept", _("认定有效")
    VOIDED = "voided", _("认定无效")


class AwardVote(models.Model):
    selection = models.ForeignKey(AwardSelection, on_delete=models.PROTECT, related_name="votes")
    candidate = models.ForeignKey(AwardCandidate, on_delete=models.PROTECT, related_name="vote_rows")
    voter = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("投票日"))  # the local date
    at = models.DateTimeField(default=timezone.now)
    # HMACs (core.crypto.blind_index), never the raw device id, IP or user agent.
    device_hash = models.CharField(max_length=64)
    client_hash = models.CharField(max_length=64)
    flagged = models.BooleanField(_("疑似刷票"), default=False)
    flag_reason = models.CharField(_("标记原因"), max_length=200, blank=True)
    review = models.CharField(_("复核结论"), max_length=8, choices=FlagReview.choices, blank=True, default="")
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("评选投票")
        verbose_name_plural = _("评选投票")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["selection", "device_hash", "day"], name="award_vote_device_idx"),
            models.Index(fields=["candidate", "flagged"], name="award_vote_candidate_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["selection", "voter", "day"], name="award_vote_once_a_day"),
            models.CheckConstraint(
                condition=Q(flagged=True) | Q(review=""), name="award_vote_review_flagged"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.candidate_id} ({self.day})"

    @property
    def valid(self) -> bool:
        return not self.flagged or self.review == FlagReview.KEPT


class AwardVoteRequest(models.Model):
    """One vote request of a user (counted for the rate limit, whatever its outcome)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "at"], name="award_vote_request_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.at}"


class AwardCertificate(models.Model):
    candidate = models.OneToOneField(AwardCandidate, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("证书编号"), max_length=24, unique=True)
    token = models.CharField(max_length=32, unique=True)  # the secret of the public verification URL
    issued_at = models.DateTimeField(_("发证时间"))

    class Meta:
        verbose_name = _("评选荣誉证书")
        verbose_name_plural = _("评选荣誉证书")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class SiliangKind(models.TextChoices):
    FLAG = "flag", _("亮旗帜")
    IDENTITY = "identity", _("亮身份")
    MARK = "mark", _("亮标识")
    PLEDGE = "pledge", _("亮承诺")


class SiliangRecord(TimeStampedModel):
    """One 四亮 fact: 亮旗帜 of a branch (no person), or 亮身份 / 亮标识 / 亮承诺 of a member of it."""

    kind = models.CharField(_("类别"), max_length=10, choices=SiliangKind.choices)
    org = models.ForeignKey(Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)  # e.g. 佩戴党员徽章、骑手App亮身份
    pledge = models.TextField(_("承诺内容"), blank=True)
    on = models.DateField(_("日期"))
    photo = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("四亮记录")
        verbose_name_plural = _("四亮记录")
        ordering = ["org_id", "kind", "pk"]
        indexes = [models.Index(fields=["org", "kind"], name="siliang_org_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="flag") & Q(person__isnull=True))
                | (~Q(kind="flag") & Q(person__isnull=False)),
                name="siliang_flag_is_branch_others_person",
            ),
            models.CheckConstraint(
                condition=~Q(kind="pledge") | ~Q(pledge=""), name="siliang_pledge_has_text"
            ),
            models.UniqueConstraint(
                fields=["kind", "person"], condition=Q(person__isnull=False), name="siliang_once_a_person"
            ),
            models.UniqueConstraint(
                fields=["kind", "org"], condition=Q(person__isnull=True), name="siliang_flag_once_a_branch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person or self.org}"
