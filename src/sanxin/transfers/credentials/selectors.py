"""Reads of the member credential: verification of a token, the published keys, a member's
credentials. Verification reveals nothing beyond what the token itself carries, plus — when refused
for revocation — when and the category why."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db.models import Max
from django.utils import timezone

from sanxin.transfers import keys

from . import codec
from .models import Credential, CredentialKey, Revocation

VALID = "valid"
REVOKED = "revoked"
EXPIRED = "expired"
BAD_SIGNATURE = "bad_signature"
UNKNOWN_KEY = "unknown_key"
UNKNOWN_CREDENTIAL = "unknown_credential"
UNSUPPORTED_ALG = "unsupported_alg"
MALFORMED = "malformed"

MESSAGES = {
    VALID: "有效：签名、有效期和注销状态均已核验",
    REVOKED: "已注销",
    EXPIRED: "已过期",
    BAD_SIGNATURE: "签名无效：内容已被改动，或并非本平台签发",
    UNKNOWN_KEY: "签名密钥未知，无法核验",
    UNKNOWN_CREDENTIAL: "本平台没有签发过此证",
    UNSUPPORTED_ALG: "不支持的签名算法",
    MALFORMED: "无法识别：不是党员数字身份证的编码",
}


@dataclasses.dataclass(frozen=True)
class Verdict:
    status: str
    message: str
    claims: codec.Claims | None = None  # only when the signature holds
    kid: str = ""
    alg: str = ""
    revoked_at: dt.datetime | None = None
    revocation: str = ""  # the category's label

    @property
    def valid(self) -> bool:
        return self.status == VALID


def _b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def verify(token: str, *, now: dt.datetime | None = None) -> Verdict:
    """Check a token: format, key, signature, then revocation and expiry."""
    now = now or timezone.now()
    try:
        env = codec.decode(token)
    except codec.FormatError:
        return Verdict(MALFORMED, MESSAGES[MALFORMED])
    if env.alg not in codec.ALG_NAMES:
        return Verdict(UNSUPPORTED_ALG, f"{MESSAGES[UNSUPPORTED_ALG]}（{env.alg}）", kid=env.kid)
    key = CredentialKey.objects.filter(kid=env.kid).first()
    if key is None:
        return Verdict(UNKNOWN_KEY, f"{MESSAGES[UNKNOWN_KEY]}（密钥标识 {env.kid}）", kid=env.kid)
    base = {"kid": env.kid, "alg": env.alg_name}
    if key.alg != env.alg_name:
        return Verdict(BAD_SIGNATURE, MESSAGES[BAD_SIGNATURE], **base)
    try:
        Ed25519PublicKey.from_public_bytes(bytes(key.public_key)).verify(env.signature, env.to_be_signed())
    except InvalidSignature:
        return Verdict(BAD_SIGNATURE, MESSAGES[BAD_SIGNATURE], **base)
    try:
        claims = env.claims()
    except codec.FormatError:
        return Verdict(MALFORMED, MESSAGES[MALFORMED], **base)
    row = (
        Credential.objects.filter(cid=claims.credential_id, key=key)
        .values("revoked_at", "revocation", "expires_at")
        .first()
    )
    if row is None:
        return Verdict(UNKNOWN_CREDENTIAL, MESSAGES[UNKNOWN_CREDENTIAL], claims=claims, **base)
    if row["revoked_at"] is not None:
        label = Revocation(row["revocation"]).label
        when = timezone.localtime(row["revoked_at"])
        return Verdict(
            REVOKED,
            f"{MESSAGES[REVOKED]}：{when:%Y-%m-%d %H:%M}，原因：{label}",
            claims=claims,
            revoked_at=row["revoked_at"],
            revocation=str(label),
            **base,
        )
    if now >= claims.expires_at:
        when = timezone.localtime(claims.expires_at)
        return Verdict(EXPIRED, f"{MESSAGES[EXPIRED]}：有效期至 {when:%Y-%m-%d %H:%M}", claims=claims, **base)
    return Verdict(VALID, MESSAGES[VALID], claims=claims, **base)


def published_keys(*, now: dt.datetime | None = None) -> list[dict]:
    """The public keys a verifier needs, as JWKs (RFC 8037 OKP/Ed25519): every configured key, and every
    key that signed a credential not yet expired, with the last expiry (``not_after``) and whether it
    signs new credentials now (``current``)."""
    from .services import PURPOSE, SETTING

    now = now or timezone.now()
    configured = keys.signing_keys(SETTING, purpose=PURPOSE)
    current = configured[0].kid
    out: dict[str, dict] = {}
    stored = CredentialKey.objects.annotate(not_after=Max("credentials__expires_at")).order_by(
        "first_used_at"
    )
    for k in stored:
        if k.kid in {c.kid for c in configured} or (k.not_after and k.not_after > now):
            out[k.kid] = _jwk(k.kid, k.alg, bytes(k.public_key), k.not_after, k.kid == current)
    for c in configured:
        if c.kid not in out:
            out[c.kid] = _jwk(c.kid, c.alg, c.public_bytes, None, c.kid == current)
    return list(out.values())


def _jwk(kid: str, alg: str, public: bytes, not_after, current: bool) -> dict:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": alg,
        "use": "sig",
        "kid": kid,
        "x": _b64url(public),
        "current": current,
        "not_after": not_after.isoformat() if not_after else None,
    }


def current_for(member) -> Credential | None:
    return Credential.objects.filter(member=member, revoked_at__isnull=True).select_related("key").first()


def member_credentials(member):
    return Credential.objects.filter(member=member).select_related("key").order_by("-issued_at", "-pk")


def is_expired(credential: Credential, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= credential.expires_at
