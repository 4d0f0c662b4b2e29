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
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc:v1:"
ALG = "A256GCM"


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
        kid, _, b64 = part.strip().partition(":")
        key = base64.b64decode(b64)
        if len(key) != 32 or not kid:
            raise ImproperlyConfigured("SANXIN_FIELD_KEYS: each entry is kid:base64(32 bytes)")
        out.append((kid, key))
    return tuple(out)


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    if settings.INDEX_KEY:
        return base64.b64decode(settings.INDEX_KEY)
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
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    alg, kid, body = token[len(PREFIX) :].split(":", 2)
    if alg != ALG:
        raise ValueError(f"unsupported algorithm {alg}")
    keys = dict(_keys())
    if kid not in keys:
        raise ValueError(f"unknown key id {kid}")
    raw = _b64d(body)
    return AESGCM(keys[kid]).decrypt(raw[:12], raw[12:], aad.encode() or None).decode()


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
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_phone(value: str) -> str:
    return mask(value, head=3, tail=4)
