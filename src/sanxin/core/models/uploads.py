from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """An uploaded file kept outside the web root under a random name. It is only ever served by
    ``core.uploads.serve`` after the purpose's access check, as an attachment with Range support."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("用途"), max_length=64, db_index=True)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.BigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, db_index=True)
    storage_name = models.CharField(max_length=200, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("到期删除"), null=True, blank=True)

    class Meta:
        verbose_name = _("上传文件")
        verbose_name_plural = _("上传文件")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def path(self):
        return settings.UPLOAD_ROOT / self.storage_name

    def sidecar(self, suffix: str):
        """A file derived from this one (an import's parsed rows), removed with it by ``remove_files``."""
        return self.path.with_name(f"{self.path.name}.{suffix}")

    def remove_files(self) -> None:
        self.path.unlink(missing_ok=True)
        for derived in self.path.parent.glob(f"{self.path.name}.*"):
            derived.unlink(missing_ok=True)
