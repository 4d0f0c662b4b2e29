from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("全部正确才导入")
        VALID_ONLY = "valid", _("只导入正确的行")

    class Status(models.TextChoices):
        MAPPING = "mapping", _("待确认列")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        REJECTED = "rejected", _("有错误未导入")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    importer = models.CharField(_("导入类型"), max_length=64)
    source = models.ForeignKey("core.StoredFile", null=True, on_delete=models.SET_NULL, related_name="+")
    source_name = models.CharField(_("文件名"), max_length=255)
    source_sha256 = models.CharField(max_length=64, db_index=True)
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.MAPPING)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, help_text="column index (str) -> field name")
    context = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    error_report = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.importer} {self.source_name}"

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status in {self.Status.DONE, self.Status.REJECTED} else 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.REJECTED, self.Status.FAILED}


class ImportMapping(models.Model):
    """The column mapping a user confirmed for a header layout, offered again for the same layout."""

    importer = models.CharField(max_length=64)
    header_signature = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["importer", "header_signature"], name="import_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.importer}:{self.header_signature[:8]}"
