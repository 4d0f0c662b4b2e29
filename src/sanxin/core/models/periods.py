from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel


class DatedModel(TimeStampedModel):
    """A fact that holds over the half-open period [start_on, end_on): a coverage, an assignment, a
    membership. History is kept by ending rows, never by overwriting them; ``active_q(on)`` selects the
    rows in force on a date (``prefix`` for lookups through a relation)."""

    start_on = models.DateField(_("起"))
    end_on = models.DateField(_("止"), null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gt=F("start_on")),
                name="%(app_label)s_%(class)s_positive_period",
                violation_error_message="结束日期应晚于开始日期",
            ),
        ]

    @staticmethod
    def active_q(on: dt.date, prefix: str = "") -> Q:
        return Q(**{f"{prefix}start_on__lte": on}) & (
            Q(**{f"{prefix}end_on__isnull": True}) | Q(**{f"{prefix}end_on__gt": on})
        )

    def active_on(self, on: dt.date) -> bool:
        return self.start_on <= on and (self.end_on is None or self.end_on > on)
