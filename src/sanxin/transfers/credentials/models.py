"""党员数字身份证: the signed credentials issued to members and the public keys that signed them.

- ``Credential``: one issued credential — its id (the CWT id in the token), the member, what the
  token says (kept as the token itself, so the QR is drawn again without signing again), the key
  that signed it, its validity, and its revocation (when, why — a category shown to verifiers — and
  a note kept for the audit). At most one unrevoked credential per member (a partial unique index):
  issuing again revokes the previous one as 已换发.
- ``CredentialKey``: every public key that ever signed a credential, by key id, so credentials signed
  before a rotation still verify (and stay published) after the private key has left the
  configuration, until the last of them expires.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanxin.members.models import Member

__all__ = ["Credential", "CredentialKey", "Revocation"]


class Revocation(models.TextChoices):
    REISSUED = "reissued", _("已换发新证")
    TRANSFER_OUT = "transfer_out", _("组织关系已转出")
    ORG_CHANGED = "org_changed", _("组织关系已调整")
    MEMBERSHIP_ENDED = "membership_ended", _("党员身份已终止")
    SUSPENDED = "suspended", _("已停止党籍")
    DECEASED = "deceased", _("党员已去世")
    LOST = "lost", _("遗失")
    MISUSE = "misuse", _("冒用或不当使用")
    OTHER = "other", _("其他")


MANUAL_REVOCATIONS = (Revocation.LOST, Revocation.MISUSE, Revocation.OTHER)


class CredentialKey(models.Model):
    kid = models.CharField(_("密钥标识"), max_length=32, unique=True)
    alg = models.CharField(_("算法"), max_length=16)
    public_key = models.BinaryField(_("公钥"))
    first_used_at = models.DateTimeField(_("首次签发"), auto_now_add=True)

    class Meta:
        verbose_name = _("身份证签名公钥")
        verbose_name_plural = _("身份证签名公钥")
        ordering = ["first_used_at"]

    def __str__(self) -> str:
        return f"{self.kid}（{self.alg}）"


class Credential(models.Model):
    cid = models.CharField(_("证书编号"), max_length=32, unique=True)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="credentials")
    token = models.TextField(_("编码"))
    key = models.ForeignKey(CredentialKey, on_delete=models.PROTECT, related_name="credentials")
    org_name = models.CharField(_("组织名称"), max_length=200)
    org_code = models.CharField(_("组织代码"), max_length=40)
    status = models.CharField(_("党员类别"), max_length=8)
    issued_at = models.DateTimeField(_("签发时间"))
    expires_at = models.DateTimeField(_("有效期至"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revocation = models.CharField(_("注销原因"), max_length=20, choices=Revocation.choices, blank=True)
    revocation_note = models.CharField(_("注销说明"), max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("党员数字身份证")
        verbose_name_plural = _("党员数字身份证")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["member", "-issued_at"], name="credential_member_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(revoked_at__isnull=True),
                name="credential_one_current_per_member",
                violation_error_message="该党员已有一张有效的数字身份证",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")),
                name="credential_expires_after_issue",
                violation_error_message="有效期须晚于签发时间",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revocation="")
                | Q(revoked_at__isnull=False) & ~Q(revocation=""),
                name="credential_revocation_has_reason",
                violation_error_message="注销须注明原因",
            ),
        ]

    def __str__(self) -> str:
        return f"党员数字身份证 {self.cid[:8]}"
