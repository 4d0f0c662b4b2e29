from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """Append-only record of every write made through a service.

    ``actor_id`` is a plain integer, not a foreign key: deleting a user must never rewrite history,
    and PostgreSQL forbids UPDATE/DELETE on this table by trigger (SQLite forbids UPDATE).
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True)
    actor_repr = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
            models.Index(fields=["actor_id", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        from ..audit import action_label

        return action_label(self.action)

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [k for k in keys if before.get(k) != after.get(k)]
