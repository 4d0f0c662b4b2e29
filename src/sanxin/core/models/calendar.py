from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel


class CalendarDay(TimeStampedModel):
    """An office's override of the working-day calendar for one date: a holiday or a 调休 workday
    that the packaged calendar does not know (a new year's State Council notice), or a local one."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("例如：春节、国庆节调休上班"))

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"
