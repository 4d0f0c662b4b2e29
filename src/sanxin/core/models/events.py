from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """A domain event in the transactional outbox: written in the publisher's transaction, delivered
    to each subscriber after commit. Payloads carry ids, never personal identifiers."""

    name = models.CharField(_("事件"), max_length=100, db_index=True)
    payload = models.JSONField(_("内容"), default=dict)
    key = models.CharField(_("幂等键"), max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("领域事件")
        verbose_name_plural = _("领域事件")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name}#{self.pk}"


class EventDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待投递")
        DONE = "done", _("已投递")
        FAILED = "failed", _("失败待重试")
        DEAD = "dead", _("多次失败")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(_("订阅者"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("事件投递")
        verbose_name_plural = _("事件投递")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="event_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="event_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_id}->{self.subscriber}:{self.status}"
