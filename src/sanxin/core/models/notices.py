from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel


class PublicNotice(TimeStampedModel):
    """公示: a decision shown to an audience for a window of working days, during which anyone in the
    audience may object with a reason. Points, the development pipeline, awards and 党务公开 use it.

    ``subject`` is what is being announced (a points claim, a candidate...). ``audience`` is the object
    whose people may see and object (an org); modules register how to resolve it
    (``core.notices.register_audience``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("公示中")
        PASSED = "passed", _("公示期满无异议")
        OBJECTED = "objected", _("公示期满有异议")
        WITHDRAWN = "withdrawn", _("已撤回")

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    audience_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    audience_id = models.CharField(max_length=64, blank=True)
    audience = GenericForeignKey("audience_type", "audience_id")
    starts_on = models.DateField(_("公示开始"))
    window_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    ends_on = models.DateField(_("公示截止"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="notice_subject_idx")]

    def __str__(self) -> str:
        return self.title


class Objection(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("待核实")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="objections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    anonymous = models.BooleanField(_("匿名"), default=False)
    reason = models.TextField(_("异议理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    resolution = models.TextField(_("核实结果"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["created_at", "id"]
