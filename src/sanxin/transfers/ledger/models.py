"""The transparency ledger (透明账本): an append-only RFC 9162 Merkle tree of membership events.

- ``LedgerLeaf``: the public tree. Leaf ``index`` holds a 32-byte commitment
  ``SHA-256(salt || canonical event JSON)``, the event's kind and when it was appended. It reveals
  nothing about any person.
- ``LedgerOpening``: the private opening of a commitment — the salt, the canonical event (RFC 8785),
  its version and the member it concerns (for scoping). Crypto-shredding (PIPL erasure) deletes the
  salt and the event; the leaf, and so every root and proof, stays.
- ``LedgerNode``: the hash of every perfect subtree (``2**level`` leaves from ``index * 2**level``),
  written as leaves are appended; ``key = level << 48 | index``. Roots and proofs for any size read
  O(log n) of them by primary key.
- ``LedgerHead``: every signed tree head (size, root, time, Ed25519 signature, key id).
- ``LedgerState``: one row holding the size; appenders lock it, so indexes are dense.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["LedgerHead", "LedgerLeaf", "LedgerNode", "LedgerOpening", "LedgerState"]

LEVEL_SHIFT = 48


def node_key(level: int, index: int) -> int:
    return (level << LEVEL_SHIFT) | index


def node_of(key: int) -> tuple[int, int]:
    return key >> LEVEL_SHIFT, key & ((1 << LEVEL_SHIFT) - 1)


class LedgerState(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("账本状态")
        verbose_name_plural = _("账本状态")

    def __str__(self) -> str:
        return f"账本（{self.size}）"


class LedgerLeaf(models.Model):
    index = models.BigIntegerField(_("序号"), primary_key=True)
    commitment = models.BinaryField(_("承诺值"), max_length=32)
    kind = models.CharField(_("事件类型"), max_length=40)
    created_at = models.DateTimeField(_("记入时间"))

    class Meta:
        verbose_name = _("账本叶子")
        verbose_name_plural = _("账本叶子")
        ordering = ["index"]

    def __str__(self) -> str:
        return f"叶子 {self.index}"


class LedgerOpening(models.Model):
    leaf = models.OneToOneField(
        LedgerLeaf, primary_key=True, on_delete=models.CASCADE, related_name="opening", db_column="index"
    )
    # Not a constraint: an opening outlives nothing it points at, and shredding keeps the id only.
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    version = models.PositiveSmallIntegerField(_("编码版本"), default=1)
    salt = models.BinaryField(_("盐"), max_length=32, null=True)
    event = models.TextField(_("事件（规范化 JSON）"), null=True)
    shredded_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账本承诺的打开值")
        verbose_name_plural = _("账本承诺的打开值")
        indexes = [models.Index(fields=["member", "leaf"], name="ledger_opening_member_idx")]

    def __str__(self) -> str:
        return f"叶子 {self.leaf_id} 的打开值"

    @property
    def index(self) -> int:
        return self.leaf_id


class LedgerNode(models.Model):
    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("账本节点")
        verbose_name_plural = _("账本节点")

    def __str__(self) -> str:
        level, index = node_of(self.key)
        return f"节点 第{level}层 {index}"


class LedgerHead(models.Model):
    size = models.BigIntegerField(_("树大小"), unique=True)
    root = models.BinaryField(_("根哈希"), max_length=32)
    timestamp = models.BigIntegerField(_("签名时间（毫秒）"))
    key_id = models.CharField(_("密钥编号"), max_length=40)
    signature = models.BinaryField(_("签名"), max_length=64)

    class Meta:
        verbose_name = _("签名树头")
        verbose_name_plural = _("签名树头")
        ordering = ["size"]

    def __str__(self) -> str:
        return f"签名树头（{self.size}）"
