"""Quizzes and knowledge contests (知识竞赛): question banks, lesson quizzes, contests, attempts and
certificates.

- ``Bank``: a question bank (题库) owned by an org, managed by that org's publishers; it holds
  ``Question``s of four kinds — single choice, multiple choice, true/false and fill-in — each with a
  stem, options (A–F), the answer key, an explanation and tags. A stem appears once in a bank (its
  normalised form, ``stem_key``, is unique there).
- ``Quiz``: the 课后测验 of a lesson: ``count`` questions drawn from a bank for each attempt, passed at
  ``pass_percent``; taken by a learner once the lesson is credited.
- ``Contest``: a 知识竞赛 an org publishes to its subtree, with a time window, a random draw per
  participant by kind counts, points per kind, a time limit, a pass score and the number of prize
  ranks.
- ``Attempt``: one member's paper — of a contest (at most one per member, a unique constraint) or of a
  lesson quiz (as many as they like). The drawn questions are stored as shown (``questions``) and the
  answer key beside them (``key``), which no route sends before the paper is submitted. The deadline
  is fixed by the server when the attempt starts; a paper submitted after it (beyond a small grace) is
  recorded as expired, without a score.
- ``Certificate``: a 参赛证书 (passed) or 获奖证书 (a prize rank) of a finished contest, with a number and
  a secret token for the public verification page its QR code points at.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import TimeStampedModel
from sanxin.orgs.models import Org

__all__ = [
    "Attempt",
    "AttemptStatus",
    "Bank",
    "Certificate",
    "CertificateKind",
    "Contest",
    "ContestStatus",
    "Question",
    "QuestionKind",
    "Quiz",
]

LETTERS = "ABCDEF"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    JUDGE = "judge", _("判断题")
    FILL = "fill", _("填空题")


class Bank(TimeStampedModel):
    name = models.CharField(_("题库名称"), max_length=100)
    owner = models.ForeignKey(Org, verbose_name=_("所属党组织"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("题库")
        verbose_name_plural = _("题库")
        ordering = ["owner_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="quiz_bank_name_per_owner",
                violation_error_message="该党组织已有同名题库",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Question(TimeStampedModel):
    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    stem = models.TextField(_("题干"))
    stem_key = models.CharField(max_length=64)  # sha256 of the normalised stem (scoring.stem_key)
    options = models.JSONField(_("选项"), default=list, blank=True)  # choice kinds: 2 to 6 texts
    # Choice kinds: the letters ("A", "C"); true/false: ["对"] or ["错"]; fill-in: the accepted answers.
    answer = models.JSONField(_("答案"), default=list)
    explanation = models.TextField(_("解析"), blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["bank_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "stem_key"],
                name="quiz_question_unique_stem",
                violation_error_message="题库中已有相同的题目",
            )
        ]
        indexes = [models.Index(fields=["bank", "active", "kind"], name="quiz_question_draw_idx")]

    def __str__(self) -> str:
        return self.stem[:60]

    @property
    def lettered(self) -> list[tuple[str, str]]:
        return list(zip(LETTERS, self.options, strict=False))

    @property
    def answer_text(self) -> str:
        if self.kind == QuestionKind.FILL:
            return " | ".join(self.answer)
        return "".join(self.answer)


class Quiz(TimeStampedModel):
    lesson = models.OneToOneField(
        "learning.Lesson", verbose_name=_("课时"), on_delete=models.CASCADE, related_name="quiz"
    )
    bank = models.ForeignKey(Bank, verbose_name=_("题库"), on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(_("每次抽题数"))
    tag = models.CharField(_("只抽该标签的题"), max_length=20, blank=True)
    pass_percent = models.PositiveSmallIntegerField(_("及格线（%）"), default=60)

    class Meta:
        verbose_name = _("课后测验")
        verbose_name_plural = _("课后测验")
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1) & Q(count__lte=50), name="quiz_count_between_1_and_50"
            ),
            models.CheckConstraint(condition=Q(pass_percent__lte=100), name="quiz_pass_percent_le_100"),
        ]

    def __str__(self) -> str:
        return f"课后测验：{self.lesson}"


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")


class Contest(TimeStampedModel):
    title = models.CharField(_("竞赛名称"), max_length=120)
    description = models.TextField(_("竞赛说明"), blank=True)
    organiser = models.ForeignKey(
        Org, verbose_name=_("主办党组织"), on_delete=models.PROTECT, related_name="+"
    )
    bank = models.ForeignKey(Bank, verbose_name=_("题库"), on_delete=models.PROTECT, related_name="+")
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    time_limit_s = models.PositiveIntegerField(_("答题时限（秒）"))
    draw = models.JSONField(_("各题型抽题数"), default=dict)  # {kind: count}
    points = models.JSONField(_("各题型每题分值"), default=dict)  # {kind: points}
    pass_score = models.PositiveIntegerField(_("合格分数"))
    award_top = models.PositiveSmallIntegerField(_("获奖名次数"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=ContestStatus.choices, default=ContestStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certified_at = models.DateTimeField(_("证书发放时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("知识竞赛")
        verbose_name_plural = _("知识竞赛")
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["organiser", "status"], name="quiz_contest_organiser_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="contest_window"),
            models.CheckConstraint(condition=Q(time_limit_s__gte=60), name="contest_time_limit_min"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def question_count(self) -> int:
        return sum(int(v) for v in (self.draw or {}).values())

    @property
    def max_score(self) -> int:
        return sum(int(n) * int((self.points or {}).get(k, 0)) for k, n in (self.draw or {}).items())

    def phase_at(self, now) -> str:
        """upcoming / open / closed / draft / cancelled, as the learner sees it."""
        if self.status != ContestStatus.PUBLISHED:
            return str(self.status)
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class AttemptStatus(models.TextChoices):
    RUNNING = "running", _("答题中")
    SUBMITTED = "submitted", _("已交卷")
    EXPIRED = "expired", _("超时未交卷")


class Attempt(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    # The member's org when they started (their activity org if hosted elsewhere): the branch they
    # are ranked in.
    branch = models.ForeignKey(Org, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+")
    contest = models.ForeignKey(
        Contest, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    quiz = models.ForeignKey(Quiz, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts")
    questions = models.JSONField(default=list)  # [{"id", "kind", "stem", "options", "points"}] as drawn
    key = models.JSONField(default=list)  # [{"answer": [...], "explanation": ...}], in the same order
    answers = models.JSONField(default=list)  # what was submitted, in the same order
    results = models.JSONField(default=list)  # [{"correct": bool, "points": int}]
    status = models.CharField(
        _("状态"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.RUNNING
    )
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True)  # contests only
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    seconds_used = models.PositiveIntegerField(_("用时（秒）"), null=True, blank=True)
    score = models.PositiveIntegerField(_("得分"), null=True, blank=True)
    max_score = models.PositiveIntegerField(_("满分"))
    passed = models.BooleanField(_("合格"), null=True, blank=True)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "member"],
                condition=Q(contest__isnull=False),
                name="quiz_one_attempt_per_contest",
                violation_error_message="每名党员每场竞赛只能答题一次",
            ),
            models.CheckConstraint(
                condition=(Q(contest__isnull=False) & Q(quiz__isnull=True))
                | (Q(contest__isnull=True) & Q(quiz__isnull=False)),
                name="attempt_of_contest_or_quiz",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | (Q(score__isnull=False) & Q(submitted_at__isnull=False)),
                name="attempt_submitted_has_score",
            ),
            models.CheckConstraint(
                condition=~Q(status="expired") | Q(score__isnull=True), name="attempt_expired_no_score"
            ),
        ]
        indexes = [
            models.Index(fields=["contest", "status", "-score", "seconds_used"], name="attempt_ranking_idx"),
            models.Index(fields=["member", "-started_at"], name="attempt_member_idx"),
            models.Index(fields=["quiz", "member"], name="attempt_quiz_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.contest_id or ''}{self.quiz_id or ''}"


class CertificateKind(models.TextChoices):
    AWARD = "award", _("获奖证书")
    PARTICIPATION = "participation", _("参赛证书")


class Certificate(models.Model):
    number = models.CharField(_("证书编号"), max_length=24, unique=True)
    token = models.CharField(max_length=32, unique=True)  # the secret of the public verification URL
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="certificates")
    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="certificate")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("证书类型"), max_length=14, choices=CertificateKind.choices)
    rank = models.PositiveIntegerField(_("名次"))
    score = models.PositiveIntegerField(_("得分"))
    issued_at = models.DateTimeField(_("发放时间"))

    class Meta:
        verbose_name = _("竞赛证书")
        verbose_name_plural = _("竞赛证书")
        ordering = ["contest_id", "rank", "pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def honour(self) -> str:
        return f"获奖（第{self.rank}名）" if self.kind == CertificateKind.AWARD else "合格"
