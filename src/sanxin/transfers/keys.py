"""Ed25519 signing keys of the transfers module (the ledger's tree heads, the member credential),
configured like the personal-data keys (``core.crypto``).

Each use reads one setting holding ``kid:base64(32-byte Ed25519 private seed)[,kid:base64...]``: the
first key signs, the others stay loaded so what they signed still verifies (rotate by putting the new
key first and keeping the old ones after it). Every signature travels with ``alg`` and ``kid`` so SM2
can replace Ed25519 later without a flag day. Outside production, when the setting is empty, a key is
derived from SECRET_KEY and the purpose (key id ``dev``) so development and tests work out of the box;
production refuses to start without it (``settings._required``).

Generate a seed with ``python -c "import base64,os;print(base64.b64encode(os.urandom(32)).decode())"``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALG = "EdDSA"
KID_RE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey
    alg: str = ALG

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def public_bytes(self) -> bytes:
        """The raw 32-byte public key (RFC 8032), what verifiers need."""
        return self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def parse(raw: str, *, setting: str) -> tuple[SigningKey, ...]:
    """Parse ``kid:base64seed[,kid:base64seed...]``; ``ImproperlyConfigured`` naming the setting."""
    out: list[SigningKey] = []
    for part in raw.split(","):
        if not part.strip():
            continue  # a trailing comma
        kid, _, b64 = part.strip().partition(":")
        kid = kid.strip()
        try:
            seed = base64.b64decode(b64.strip(), validate=True)
        except (binascii.Error, ValueError):
            seed = b""
        if len(seed) != 32 or not KID_RE.match(kid):
            raise ImproperlyConfigured(
                f"{setting}: each entry is kid:base64(32 bytes), kid of [A-Za-z0-9._-]"
            )
        if any(k.kid == kid for k in out):
            raise ImproperlyConfigured(f"{setting}: key id {kid} appears twice")
        out.append(SigningKey(kid=kid, private=Ed25519PrivateKey.from_private_bytes(seed)))
    if not out:
        raise ImproperlyConfigured(f"{setting}: each entry is kid:base64(32 bytes)")
    return tuple(out)


@lru_cache(maxsize=16)
def _load(setting: str, raw: str, purpose: str, secret: str) -> tuple[SigningKey, ...]:
    if raw:
        return parse(raw, setting=setting)
    seed = hashlib.sha256(f"sanxin-signing-key:{purpose}:".encode() + secret.encode()).digest()
    return (SigningKey(kid="dev", private=Ed25519PrivateKey.from_private_bytes(seed)),)


def signing_keys(setting: str, *, purpose: str) -> tuple[SigningKey, ...]:
    """All configured keys of ``setting`` (the Django setting's name), the signing one first.

    Cached by the setting's value, so ``override_settings`` in tests takes effect at once."""
    return _load(setting, getattr(settings, setting, "") or "", purpose, settings.SECRET_KEY)


def current(setting: str, *, purpose: str) -> SigningKey:
    return signing_keys(setting, purpose=purpose)[0]


def by_kid(setting: str, *, purpose: str) -> dict[str, SigningKey]:
    return {k.kid: k for k in signing_keys(setting, purpose=purpose)}
