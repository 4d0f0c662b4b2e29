from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. The person behind it (name, identifiers, posts) is the organization module's person
    record; roles and data scope are grants."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class Grant(models.Model):
    """A role given to a user over an anchor: an org subtree, a region subtree, an industry, or an
    explicit list of objects (``assignments``). A user's rights are the union of their grants."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=32)
    anchor = models.CharField(_("范围类型"), max_length=12)
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    industry = models.ForeignKey(
        "core.Industry",
        verbose_name=_("行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignment_kind = models.CharField(_("清单类型"), max_length=40, blank=True)
    valid_from = models.DateField(_("生效日期"), default=timezone.localdate)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        ordering = ["user_id", "role", "id"]
        indexes = [models.Index(fields=["user", "valid_to"], name="grant_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.anchor_label}"

    @property
    def anchor_label(self) -> str:
        if self.anchor == "org" and self.org_id:
            return str(self.org)
        if self.anchor == "region" and self.region_id:
            return str(self.region)
        if self.anchor == "industry" and self.industry_id:
            return str(self.industry)
        if self.anchor == "assignment":
            return f"{self.assignment_kind}（{self.assignments.count()}项）"
        return ""


class GrantAssignment(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="assignments")
    object_id = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grant", "object_id"], name="grant_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.grant_id}:{self.object_id}"
