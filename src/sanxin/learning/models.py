"""Learning (学习教育): the course library and what members make of it.

- ``Course``: published by an org to its subtree (a member sees the courses of every org on their org's
  ancestor chain), in a column (理论课堂, 先锋故事, 政策解读, 技能培训 and its sub-columns), through
  draft → review → published → archived, each step with who and when.
- ``Lesson``: a part of a course — an article (text), a video or an audio (an uploaded file of purpose
  ``learning.media``, streamed with HTTP Range by the core), or a live class (a scheduled time, a link,
  and the replay as a file) — with its credit hours (学时), its duration (seconds: the media's length,
  an article's minimum reading time), tags, target occupations (``members.WorkKind``), the short-lesson
  slot (班前班后五分钟 / 午间一刻钟) and an optional check question whose answer never leaves the server.
- ``Progress``: a member's place in a lesson, as the player's heartbeats report it, and the watched
  time the server has accumulated from them (``rules.advance``: never more than the wall time between
  two heartbeats, so a jump to the end gains nothing).
- ``Credit``: a completed lesson's 学时 and 学分 for a member, once (a unique constraint); the year's
  sum is what the annual requirement is judged by.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import StoredFile, TimeStampedModel
from sanxin.orgs.models import Org


class Column(models.TextChoices):
    THEORY = "theory", _("理论课堂")
    STORIES = "stories", _("先锋故事")
    POLICY = "policy", _("政策解读")
    SKILLS = "skills", _("技能培训")


class SubColumn(models.TextChoices):
    NONE = "", _("—")
    INSURANCE = "insurance", _("职工互助保险")
    LEGAL = "legal", _("法律援助")
    BUSINESS = "business", _("业务技能")
    FIRST_AID = "first_aid", _("急救知识")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待审核")
    PUBLISHED = "published", _("已发布")
    ARCHIVED = "archived", _("已下架")


class Course(TimeStampedModel):
    title = models.CharField(_("课程名称"), max_length=120)
    summary = models.TextField(_("简介"), blank=True)
    column = models.CharField(_("栏目"), max_length=10, choices=Column.choices)
    sub_column = models.CharField(_("子栏目"), max_length=10, choices=SubColumn.choices, blank=True)
    publisher = models.ForeignKey(
        Org, verbose_name=_("发布党组织"), on_delete=models.PROTECT, related_name="+"
    )
    tags = models.JSONField(_("标签"), default=list, blank=True)
    occupations = models.JSONField(_("面向的从业类型"), default=list, blank=True)  # members.WorkKind
    status = models.CharField(
        _("状态"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("下架时间"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "publisher"], name="course_status_publisher_idx"),
            models.Index(fields=["publisher", "status"], name="course_publisher_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sub_column="") | Q(column="skills"),
                name="course_sub_column_only_in_skills",
                violation_error_message="子栏目只用于“技能培训”栏目",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="course_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def column_label(self) -> str:
        label = self.get_column_display()
        return f"{label}·{self.get_sub_column_display()}" if self.sub_column else str(label)


class LessonKind(models.TextChoices):
    ARTICLE = "article", _("图文")
    VIDEO = "video", _("视频")
    AUDIO = "audio", _("音频")
    LIVE = "live", _("直播课")


class ShortSlot(models.TextChoices):
    NONE = "", _("—")
    SHIFT = "shift", _("班前班后五分钟")
    NOON = "noon", _("午间一刻钟")


class Lesson(TimeStampedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("课时名称"), max_length=120)
    kind = models.CharField(_("形式"), max_length=10, choices=LessonKind.choices)
    body = models.TextField(_("正文"), blank=True)  # an article's text; a media lesson's notes
    media = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # video or audio
    # Seconds: a media's (or a live class's replay's) length; an article's minimum reading time.
    duration_s = models.PositiveIntegerField(_("时长（秒）"), null=True, blank=True)
    credit_hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=2)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    occupations = models.JSONField(_("面向的从业类型"), default=list, blank=True)
    short = models.CharField(_("微课时段"), max_length=6, choices=ShortSlot.choices, blank=True)
    starts_at = models.DateTimeField(_("直播时间"), null=True, blank=True)
    live_url = models.URLField(_("直播链接"), blank=True)
    replay = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # a live class's recording
    question = models.CharField(_("检测题"), max_length=300, blank=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    answer = models.PositiveSmallIntegerField(_("正确选项"), null=True, blank=True)  # index into choices

    class Meta:
        verbose_name = _("课时")
        verbose_name_plural = _("课时")
        ordering = ["course_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(credit_hours__gte=0), name="lesson_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(question="") | Q(answer__isnull=False), name="lesson_question_has_answer"
            ),
            models.CheckConstraint(
                condition=~Q(kind="live") | Q(starts_at__isnull=False), name="lesson_live_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def playable(self) -> StoredFile | None:
        """The file the player plays: the media, or a live class's replay."""
        return self.media if self.kind != LessonKind.LIVE else self.replay


class Progress(models.Model):
    """A member's progress in a lesson. ``watched_s`` only grows by heartbeats (``rules.advance``);
    ``beat_at``/``beat_position`` are the last heartbeat the server accepted, the start of the next
    interval it may count."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    position_s = models.FloatField(_("播放位置（秒）"), default=0)
    watched_s = models.FloatField(_("累计有效学习时间（秒）"), default=0)
    beat_at = models.DateTimeField(null=True, blank=True)
    beat_position = models.FloatField(default=0)
    beats = models.PositiveIntegerField(default=0)
    answered = models.BooleanField(_("检测题已答对"), default=False)
    wrong_answers = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(fields=["member", "lesson"], name="progress_one_per_lesson"),
            models.CheckConstraint(condition=Q(watched_s__gte=0), name="progress_watched_not_negative"),
        ]
        indexes = [models.Index(fields=["member", "-updated_at"], name="progress_member_recent_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.lesson_id}"


class Credit(models.Model):
    """学时 and 学分 a member earned by completing a lesson or attending an offline training (exactly one
    of ``lesson`` / ``training``); written once, never changed. A training's credit taken back when its
    attendance is corrected is a second row that ``reverses`` it with the opposite hours (and a third,
    reversing that, if the member is marked present again), so the sums stay right and the history
    stays whole."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.PROTECT, related_name="credits"
    )
    training = models.ForeignKey(
        "learning.Training", null=True, blank=True, on_delete=models.PROTECT, related_name="credits"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    on = models.DateField(_("完成日期"))
    year = models.PositiveSmallIntegerField(_("年度"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=2)
    credits = models.DecimalField(_("学分"), max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时记录")
        ordering = ["-on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "lesson"], name="credit_once_per_lesson"),
            models.CheckConstraint(
                condition=Q(lesson__isnull=False, training__isnull=True)
                | Q(lesson__isnull=True, training__isnull=False),
                name="credit_lesson_or_training",
            ),
            models.UniqueConstraint(
                fields=["member", "training"],
                condition=Q(reverses__isnull=True),
                name="credit_once_per_training",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(training__isnull=False),
                name="credit_reversal_only_of_training",
            ),
        ]
        indexes = [models.Index(fields=["member", "year"], name="credit_member_year_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.lesson_id or f't{self.training_id}'} {self.hours}"


# The module's other parts keep their models beside their services; they are this app's models.
from sanxin.learning.discovery.models import *  # noqa: E402, F403
from sanxin.learning.quiz.models import *  # noqa: E402, F403
from sanxin.learning.training.models import *  # noqa: E402, F403
