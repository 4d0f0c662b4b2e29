"""Discovery (为你推荐 and 搜索) of learning.

- ``SearchDoc``: one row per published course and per lesson of it, holding jieba's tokens of its title
  and of its text (a course's summary and tags; a lesson's body and tags), separated by spaces. The
  full-text index over them is the database's own: an FTS5 table kept by triggers on SQLite, a GIN
  index on ``setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body),
  'B')`` on PostgreSQL (both made by migration ``0004_discovery``). Only published courses are here.
- ``LessonSignal``: what the completions say about a lesson, computed for all lessons at once
  (``services.signals_rebuild``): how many completed it (in all, lately, by kind of work) and its
  nearest lessons by item–item cosine similarity over the member × lesson completion matrix.
- ``SignalRun``: when the signals were computed, and over how many members of each kind of work.
- ``Preference``: a member's choice of personalised recommendations (PIPL Art. 24); without a row,
  personalised.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["LessonSignal", "Preference", "SearchDoc", "SignalRun"]


class SearchDoc(models.Model):
    key = models.CharField(max_length=24, unique=True)  # "c<course id>" or "l<lesson id>"
    course = models.ForeignKey("learning.Course", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(
        "learning.Lesson", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.TextField(_("标题分词"))
    body = models.TextField(_("正文分词"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("检索条目")
        verbose_name_plural = _("检索条目")
        indexes = [models.Index(fields=["course"], name="searchdoc_course_idx")]

    def __str__(self) -> str:
        return self.key


class LessonSignal(models.Model):
    lesson = models.OneToOneField(
        "learning.Lesson", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    completions = models.PositiveIntegerField(default=0)
    recent = models.PositiveIntegerField(default=0)  # completions in the last RECENT_DAYS
    by_kind = models.JSONField(default=dict)  # {work kind: completions by members of that kind}
    neighbours = models.JSONField(default=list)  # [[lesson id, cosine], ...], the nearest first
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("课时推荐信号")
        verbose_name_plural = _("课时推荐信号")

    def __str__(self) -> str:
        return f"{self.lesson_id}"


class SignalRun(models.Model):
    computed_at = models.DateTimeField(db_index=True)
    members = models.PositiveIntegerField(default=0)
    lessons = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    kind_members = models.JSONField(default=dict)  # {work kind: members of that kind}
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("推荐信号计算")
        verbose_name_plural = _("推荐信号计算")
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M}"


class Preference(models.Model):
    member = models.OneToOneField(
        "members.Member", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    personalised = models.BooleanField(_("个性化推荐"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("推荐偏好")
        verbose_name_plural = _("推荐偏好")

    def __str__(self) -> str:
        return f"{self.member_id}:{'on' if self.personalised else 'off'}"
