"""Organization life (三会一课 / 主题党日): the rules a branch is held to, the venues, the meetings and
their series, attendance with check-in and leave, minutes with amendments, make-up (补学).

- ``MeetingRule``: how often an org type must hold a kind of meeting (kind, period, minimum count,
  who must attend, quorum), effective-dated: compliance for a period is judged by the rule in force
  when that period began, so a change of rules never rewrites the past.
- ``Venue``: a place meetings are held (a room, a party-mass service centre, a station), with its
  coordinates for location check-in; reserving it for a meeting is checked for overlaps.
- ``Series``: a recurrence (RFC 5545 RRULE, local Asia/Shanghai time) from which meetings are
  materialized; ``SeriesException`` skips or moves one occurrence.
- ``Meeting``: one meeting of an org. When it is closed its attendance is counted once and kept
  (invited, voting members, present, quorum met), so later changes of membership do not rewrite it.
- ``Attendance``: one invited member of one meeting: checked in (how, when, how far), late, on leave
  (asked, granted or refused), absent, made up.
- ``Minutes`` with ``Decision`` rows and ``MinutesAmendment`` rows once signed; ``MakeUp`` for an
  absent member.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import DatedModel, StoredFile, TimeStampedModel
from sanxin.members.models import Member
from sanxin.orgs.models import Org, Person


class Kind(models.TextChoices):
    GENERAL = "general", _("支部党员大会")
    COMMITTEE = "committee", _("支委会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    HALF_YEAR = "half_year", _("每半年")
    YEAR = "year", _("每年")


class Audience(models.TextChoices):
    MEMBERS = "members", _("全体党员")
    COMMITTEE = "committee", _("支部委员")
    GROUP = "group", _("党小组成员")


class Quorum(models.TextChoices):
    NONE = "none", _("不作要求")
    VOTING_MAJORITY = "voting_majority", _("有表决权的党员过半数")
    INVITED_MAJORITY = "invited_majority", _("应到人数过半数")


class MeetingRule(DatedModel):
    """What an org type must hold: ``min_count`` meetings of ``kind`` in each ``period``. An empty
    ``org_type`` is the default for every branch type; a rule for the org type itself wins."""

    org_type = models.CharField(_("组织类别"), max_length=20, blank=True)
    kind = models.CharField(_("会议类型"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices)
    min_count = models.PositiveSmallIntegerField(_("每周期至少召开次数"), default=1)
    audience = models.CharField(_("参加人员"), max_length=10, choices=Audience.choices)
    quorum = models.CharField(_("到会要求"), max_length=16, choices=Quorum.choices, default=Quorum.NONE)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("组织生活制度")
        verbose_name_plural = _("组织生活制度")
        ordering = ["kind", "org_type", "start_on"]
        constraints = [
            *DatedModel.Meta.constraints,
            models.CheckConstraint(condition=Q(min_count__gte=1), name="meetingrule_min_count_positive"),
            models.UniqueConstraint(
                fields=["org_type", "kind"],
                condition=Q(end_on__isnull=True),
                name="meetingrule_one_open_rule",
                violation_error_message="该类别的这类会议已有现行制度，请先设定其结束日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.get_period_display()}至少{self.min_count}次"


class VenueKind(models.TextChoices):
    ROOM = "room", _("会议室/活动室")
    CENTRE = "centre", _("党群服务中心")
    STATION = "station", _("服务站点/驿站")
    OTHER = "other", _("其他场所")


class Venue(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=VenueKind.choices, default=VenueKind.ROOM)
    org = models.ForeignKey(Org, verbose_name=_("管理组织"), on_delete=models.PROTECT, related_name="venues")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度（WGS-84）"), null=True, blank=True)
    lng = models.FloatField(_("经度（WGS-84）"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True)
    active = models.BooleanField(_("可预约"), default=True)
    # Set by the stations module when a station registers itself as a venue.
    source_key = models.CharField(_("来源"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("活动场所")
        verbose_name_plural = _("活动场所")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lng__isnull=True))
                | (Q(lat__gte=-90) & Q(lat__lte=90) & Q(lng__gte=-180) & Q(lng__lte=180)),
                name="venue_coordinates_valid",
                violation_error_message="坐标无效：纬度在-90到90之间，经度在-180到180之间，且须同时填写",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Mode(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上（云会议）")
    HYBRID = "hybrid", _("线上线下结合")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待召开")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


def _secret() -> str:
    return secrets.token_hex(16)


class Series(TimeStampedModel):
    """A recurring meeting, e.g. 主题党日 on the 15th of each month at 9:00. ``rrule`` is an RFC 5545
    RRULE read with ``dateutil.rrule``; times are local Asia/Shanghai wall-clock times."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="meeting_series")
    kind = models.CharField(_("会议类型"), max_length=16, choices=Kind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    rrule = models.CharField(_("重复规则"), max_length=200)
    first_on = models.DateField(_("首次日期"))
    local_time = models.TimeField(_("开始时间"))
    minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=90)
    mode = models.CharField(_("形式"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("地点说明"), max_length=200, blank=True)
    online_url = models.URLField(_("线上会议链接"), blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("周期性会议")
        verbose_name_plural = _("周期性会议")

    def __str__(self) -> str:
        return self.topic


class SeriesException(models.Model):
    """One occurrence of a series skipped (``moved_to`` empty) or moved to another local date/time."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="exceptions")
    on = models.DateField(_("原定日期"))
    moved_to = models.DateTimeField(_("改期至"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "on"], name="series_exception_once")]

    def __str__(self) -> str:
        return f"{self.series_id}@{self.on}"


class Meeting(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("会议类型"), max_length=16, choices=Kind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    held_on = models.DateField(_("召开日期"))  # the local date of starts_at: periods filter on it
    mode = models.CharField(_("形式"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("场所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    place = models.CharField(_("地点说明"), max_length=200, blank=True)
    online_url = models.URLField(_("线上会议链接"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    series_on = models.DateField(_("周期内原定日期"), null=True, blank=True)
    lecturer = models.ForeignKey(
        Person, verbose_name=_("授课人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    remind_minutes = models.PositiveIntegerField(_("提前提醒（分钟）"), default=24 * 60)
    reminded_at = models.DateTimeField(null=True, blank=True)
    checkin_secret = models.CharField(max_length=32, default=_secret, editable=False)
    checkin_radius_m = models.PositiveIntegerField(_("定位签到半径（米）"), default=300)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # Counted once when the meeting is closed (see services.meeting_close).
    invited_count = models.PositiveIntegerField(default=0)
    voting_count = models.PositiveIntegerField(default=0)
    present_count = models.PositiveIntegerField(default=0)
    present_voting = models.PositiveIntegerField(default=0)
    quorum_met = models.BooleanField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["org", "held_on"], name="meeting_org_day"),
            models.Index(fields=["held_on", "kind"], name="meeting_day_kind"),
            models.Index(fields=["venue", "starts_at"], name="meeting_venue_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message="结束时间应晚于开始时间",
            ),
            models.UniqueConstraint(
                fields=["series", "series_on"], condition=Q(series__isnull=False), name="meeting_series_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", _("待参加")
    PRESENT = "present", _("已签到")
    LATE = "late", _("迟到")
    LEAVE_ASKED = "leave_asked", _("请假待批")
    EXCUSED = "excused", _("请假")
    ABSENT = "absent", _("缺席")
    MADE_UP = "made_up", _("已补学")


ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class CheckinMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    LOCATION = "location", _("定位签到")
    ONLINE = "online", _("线上参会")
    MANUAL = "manual", _("书记补录")


class Attendance(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(
        _("出席情况"), max_length=12, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED
    )
    voting = models.BooleanField(_("有表决权"), default=True)  # 正式党员 on the day of the meeting
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    method = models.CharField(_("签到方式"), max_length=10, choices=CheckinMethod.choices, blank=True)
    distance_m = models.PositiveIntegerField(_("签到距离（米）"), null=True, blank=True)
    leave_reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leave_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("参会记录")
        verbose_name_plural = _("参会记录")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]
        indexes = [models.Index(fields=["member", "status"], name="attendance_member_status")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.member_id}: {self.status}"


class Minutes(TimeStampedModel):
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    content = models.TextField(_("会议记录"))
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="+", verbose_name=_("附件"))
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")


class Decision(models.Model):
    """A matter decided at the meeting, with the vote when one was taken."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(_("事项"), max_length=200)
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    abstentions = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    entitled = models.PositiveIntegerField(_("应到有表决权党员"), null=True, blank=True)
    carried = models.BooleanField(_("通过"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class MinutesAmendment(TimeStampedModel):
    """A correction of signed minutes: the signed text stays; the correction is kept beside it."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="amendments")
    text = models.TextField(_("更正内容"))
    reason = models.CharField(_("更正原因"), max_length=200)

    class Meta:
        ordering = ["created_at", "pk"]


class MakeUp(TimeStampedModel):
    """补学: an absent member reads the minutes and materials and writes a short reflection."""

    attendance = models.OneToOneField(Attendance, on_delete=models.CASCADE, related_name="makeup")
    due_on = models.DateField(_("完成期限"))
    reflection = models.TextField(_("学习体会"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补学")
        verbose_name_plural = _("补学")


class FeedToken(models.Model):
    """The secret in a member's calendar feed URL (only its SHA-256 is stored); reissuing replaces it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"feed of user {self.user_id}"
