"""Training programmes, offline trainings, lesson views and reminders (part of the ``learning`` app).

- ``Programme`` (培训班): organised by an org for its subtree — online, offline or both, with dates, the
  published courses it is made of and the 学时 a participant needs to finish it. Its ``audience`` says
  how its cohorts are cut: 书记示范培训 by the province–city–county tier, 新生代企业家 by growth stage
  (初创期, 接班期, 成熟期), any other programme by round (第一期, 第二期 ...).
- ``Cohort`` (期/班次): one run of a programme, with its own dates inside the programme's.
- ``Enrolment``: a member in a cohort; a member takes a programme once (one cohort).
- ``Training`` (线下培训): an offline session entered by a secretary or office — date, place, hours,
  the organising org, optionally the programme/cohort it belongs to. ``Attendance`` marks who was
  there; each attendee present gets a ``learning.Credit`` of the training's hours (``training``
  instead of ``lesson``). Removing an attendee later records a reversing credit (negative hours) and
  keeps the attendance row with who removed it, when and why.
- ``LessonView``: a member opened a lesson on a day — one row per member, lesson and day, with the
  member's org and the course's column copied in so the statistics count views by column, org and
  period from one table.
- ``Reminder``: a secretary reminded a member who is behind on the year's hours (at most one a week).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import TimeStampedModel
from sanxin.orgs.models import Org

__all__ = [
    "Attendance",
    "Audience",
    "Cohort",
    "Enrolment",
    "LessonView",
    "Programme",
    "ProgrammeMode",
    "Reminder",
    "Track",
    "Training",
]


class ProgrammeMode(models.TextChoices):
    ONLINE = "online", _("线上")
    OFFLINE = "offline", _("线下")
    HYBRID = "hybrid", _("线上线下")


class Audience(models.TextChoices):
    GENERAL = "general", _("党员培训")
    SECRETARY = "secretary", _("书记示范培训")
    ENTREPRENEUR = "entrepreneur", _("新生代企业家培训")


class Track(models.TextChoices):
    NONE = "", _("—")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    STARTUP = "startup", _("初创期")
    SUCCESSION = "succession", _("接班期")
    MATURE = "mature", _("成熟期")


TRACKS = {
    Audience.GENERAL: (Track.NONE,),
    Audience.SECRETARY: (Track.PROVINCE, Track.CITY, Track.COUNTY),
    Audience.ENTREPRENEUR: (Track.STARTUP, Track.SUCCESSION, Track.MATURE),
}


class Programme(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("主办党组织"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("培训班名称"), max_length=120)
    summary = models.TextField(_("简介"), blank=True)
    mode = models.CharField(_("形式"), max_length=8, choices=ProgrammeMode.choices)
    audience = models.CharField(_("类别"), max_length=14, choices=Audience.choices, default=Audience.GENERAL)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    required_hours = models.DecimalField(_("结业学时"), max_digits=6, decimal_places=2)
    courses = models.ManyToManyField(
        "learning.Course", verbose_name=_("课程"), related_name="programmes", blank=True
    )

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["org", "-starts_on"], name="programme_org_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="programme_dates_in_order"),
            models.CheckConstraint(condition=Q(required_hours__gt=0), name="programme_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Cohort(TimeStampedModel):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("班次"), max_length=60)
    track = models.CharField(_("层级/成长阶段"), max_length=12, choices=Track.choices, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("培训班次")
        verbose_name_plural = _("培训班次")
        ordering = ["programme_id", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_name_once"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="cohort_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.title}·{self.name}"


class Enrolment(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("培训学员")
        verbose_name_plural = _("培训学员")
        ordering = ["cohort_id", "pk"]
        constraints = [
            # a member takes a programme once, in one of its cohorts
            models.UniqueConstraint(fields=["programme", "member"], name="enrolment_once_per_programme"),
        ]
        indexes = [models.Index(fields=["member"], name="enrolment_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.cohort_id}"


class Training(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("培训名称"), max_length=120)
    held_on = models.DateField(_("培训日期"))
    place = models.CharField(_("地点"), max_length=120)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=2)
    summary = models.TextField(_("内容摘要"), blank=True)
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="trainings"
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.PROTECT, related_name="trainings"
    )

    class Meta:
        verbose_name = _("线下培训")
        verbose_name_plural = _("线下培训")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["org", "-held_on"], name="training_org_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
            models.CheckConstraint(
                condition=Q(cohort__isnull=True) | Q(programme__isnull=False),
                name="training_cohort_has_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Who was at an offline training. A removed attendee's row stays (``present`` false, with who
    removed them, when and why); their credit is reversed, not deleted."""

    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="attendances")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("出席"), default=True)
    marked_at = models.DateTimeField(_("登记时间"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(_("更正时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_reason = models.CharField(_("更正原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("培训出勤")
        verbose_name_plural = _("培训出勤")
        ordering = ["training_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["training", "member"], name="attendance_once_per_training"),
            models.CheckConstraint(
                condition=Q(present=True) | Q(removed_at__isnull=False), name="attendance_removed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.training_id}"


class LessonView(models.Model):
    """A member opened a lesson on a day (Asia/Shanghai): reloading the page the same day counts once."""

    lesson = models.ForeignKey("learning.Lesson", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    on = models.DateField(_("日期"))
    # copied in when the view is counted: the viewer's org then, the course's column
    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    column = models.CharField(_("栏目"), max_length=10)

    class Meta:
        verbose_name = _("课时浏览")
        verbose_name_plural = _("课时浏览")
        constraints = [
            models.UniqueConstraint(fields=["member", "lesson", "on"], name="lesson_view_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["on", "column"], name="lesson_view_on_idx"),
            models.Index(fields=["lesson", "on"], name="lesson_view_lesson_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.lesson_id}@{self.on}"


class Reminder(models.Model):
    """A reminder sent to a member behind on the year's hours."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    on = models.DateField(_("提醒日期"))
    sent_at = models.DateTimeField(_("提醒时间"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hours = models.DecimalField(_("当时学时"), max_digits=8, decimal_places=2)
    required = models.DecimalField(_("年度要求"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("学时提醒")
        verbose_name_plural = _("学时提醒")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            # the weekly limit is the service's; the database refuses a second on the same day
            models.UniqueConstraint(fields=["member", "on"], name="reminder_once_a_day"),
        ]
        indexes = [models.Index(fields=["member", "-sent_at"], name="reminder_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.on}"
