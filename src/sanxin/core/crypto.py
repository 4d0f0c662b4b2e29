"""Personal data at rest: AES-256-GCM field encryption with key ids, keyed blind indexes, masking.

Ciphertext format (text, so it fits any column): ``enc:v1:<alg>:<kid>:<base64url(nonce || ct+tag)>``.
``alg`` and ``kid`` travel with every value so keys can rotate (encrypt with the first key, decrypt
with any) and SM4 can replace AES-GCM later without a flag day. The blind index is
HMAC-SHA256(index key, purpose || normalized value): equal values can be found without decrypting,
different purposes cannot be joined.

Keys come from the environment (``SANXIN_FIELD_KEYS``, ``SANXIN_INDEX_KEY``); outside production a
key is derived from SECRET_KEY so development and tests work out of the box.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc:v1:"
ALG = "A256GCM"


class DecryptionError(ValueError):
    """A value that cannot be decrypted: not ciphertext, an unknown algorithm or key id, or a
    ciphertext that fails authentication (tampered, or bound to other associated data)."""


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


@lru_cache(maxsize=1)
def _keys() -> tuple[tuple[str, bytes], ...]:
    raw = settings.FIELD_KEYS
    if not raw:
        derived = hashlib.sha256(b"sanxin-field-key:" + settings.SECRET_KEY.encode()).digest()
        return (("dev", derived),)
    out = []
    for part in raw.split(","):
        if not part.strip():
            continue  # a trailing comma
        kid, _, b64 = part.strip().partition(":")
        kid = kid.strip()
        try:
            key = base64.b64decode(b64.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32 or not kid:
            raise ImproperlyConfigured("SANXIN_FIELD_KEYS: each entry is kid:base64(32 bytes)")
        if kid in dict(out):
            raise ImproperlyConfigured(f"SANXIN_FIELD_KEYS: key id {kid} appears twice")
        out.append((kid, key))
    if not out:
        raise ImproperlyConfigured("SANXIN_FIELD_KEYS: each entry is kid:base64(32 bytes)")
    return tuple(out)


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    if settings.INDEX_KEY:
        try:
            key = base64.b64decode(settings.INDEX_KEY.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) < 16:
            raise ImproperlyConfigured("SANXIN_INDEX_KEY: base64 of at least 16 (better 32) random bytes")
        return key
    return hashlib.sha256(b"sanxin-index-key:" + settings.SECRET_KEY.encode()).digest()


def reset_key_cache() -> None:
    _keys.cache_clear()
    _index_key.cache_clear()


def encrypt(plaintext: str, *, aad: str = "") -> str:
    kid, key = _keys()[0]
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, plaintext.encode(), aad.encode() or None)
    return f"{PREFIX}{ALG}:{kid}:{_b64e(nonce + ct)}"


def decrypt(token: str, *, aad: str = "") -> str:
    """The plaintext of ``token``; ``DecryptionError`` (a ``ValueError``) for anything else."""
    if not is_encrypted(token):
        raise DecryptionError("not an encrypted value")
    parts = token[len(PREFIX) :].split(":", 2)
    if len(parts) != 3:
        raise DecryptionError("malformed encrypted value")
    alg, kid, body = parts
    if alg != ALG:
        raise DecryptionError(f"unsupported algorithm {alg}")
    keys = dict(_keys())
    if kid not in keys:
        raise DecryptionError(f"unknown key id {kid}")
    try:
        raw = _b64d(body)
        if len(raw) < 12 + 16:
            raise DecryptionError("truncated encrypted value")
        return AESGCM(keys[kid]).decrypt(raw[:12], raw[12:], aad.encode() or None).decode()
    except (InvalidTag, binascii.Error, UnicodeDecodeError) as exc:
        raise DecryptionError("the value fails authentication (tampered, or another key or context)") from exc


def is_encrypted(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def blind_index(value: str, *, purpose: str) -> str:
    normalized = "".join(value.split()).upper()
    return hmac.new(_index_key(), f"{purpose}\x00{normalized}".encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, head: int = 3, tail: int = 2) -> str:
    """``320102199001011234`` -> ``320*************34``: the first 3 and last 2 characters stay."""
    if not value:
        return ""
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def mask_phone(value: str) -> str:
    return mask(value, head=3, tail=4)
