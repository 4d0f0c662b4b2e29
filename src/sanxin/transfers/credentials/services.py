"""Writes of the member credential: issue (or reissue) and revoke. Each takes the acting user (None
for the system: the event subscribers), checks the scope (people module), audits through the core
services.

A member may issue their own credential (from the phone page); a secretary or an office issues and
revokes for the members in their people scope. Issuing again revokes the previous credential as
已换发, so a member holds one valid credential at a time (the database's partial unique index backs
this against a double click). Revocation happens automatically when the member's organization
relationship is transferred out or moved, the membership is suspended (停止党籍) or ends — a death
said as such (``hooks``), and manually with a
category and a reason.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from sanxin.core.crypto import mask
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.members.models import Member, MemberStatus, OrgRelation, RelationKind, Standing
from sanxin.transfers import keys

from . import codec
from .models import MANUAL_REVOCATIONS, Credential, CredentialKey, Revocation

SETTING = "CREDENTIAL_KEYS"
PURPOSE = "member-credential"
VALIDITY = dt.timedelta(days=365)
STATUS_TEXT = {Standing.FULL: "正式", Standing.PROBATIONARY: "预备"}


def signing_key() -> keys.SigningKey:
    return keys.current(SETTING, purpose=PURPOSE)


def _register_key(sk: keys.SigningKey) -> CredentialKey:
    """The key's public half, recorded the first time it signs: credentials it signed verify (and its
    public key stays published) after it has left the configuration."""
    key, _ = CredentialKey.objects.get_or_create(
        kid=sk.kid, defaults={"alg": sk.alg, "public_key": sk.public_bytes}
    )
    if bytes(key.public_key) != sk.public_bytes or key.alg != sk.alg:
        raise RuleViolation(
            f"签名密钥“{sk.kid}”与此前登记的公钥不一致：轮换密钥时请使用新的密钥标识", code="key_conflict"
        )
    return key


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("person").get(pk=member.pk)


def _check(actor, member: Member, action: str = "change") -> None:
    """The member themself, or the actor's people scope; out of it is 404. ``actor=None`` is the system."""
    if actor is None or (member.person.user_id and member.person.user_id == actor.pk):
        return
    if not scope_for(actor, "people", action).contains(member):
        raise NotFound()


def _revoke(actor, credential: Credential, category: str, note: str = "") -> Credential:
    credential, _ = model_update(
        credential,
        actor=actor,
        data={
            "revoked_at": timezone.now(),
            "revocation": category,
            "revocation_note": note[:200],
            "revoked_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
        action="credential_revoke",
        message=Revocation(category).label,
    )
    return credential


@transaction.atomic
def credential_issue(*, actor, member: Member) -> Credential:
    """Sign a new credential for ``member`` from their current facts (name, masked resident ID, formal
    org, standing), valid for a year; the previous one, if any, is revoked as 已换发."""
    member = _lock(member)
    _check(actor, member)
    formal = (
        OrgRelation.objects.filter(member=member, kind=RelationKind.FORMAL, end_on__isnull=True)
        .select_related("org")
        .first()
    )
    if formal is None:
        raise RuleViolation("该党员的组织关系已结束，不能签发数字身份证", code="not_active")
    if member.status == MemberStatus.SUSPENDED:
        raise RuleViolation("该党员已停止党籍，恢复党籍后方可签发数字身份证", code="suspended")
    sk = signing_key()
    key = _register_key(sk)
    for previous in Credential.objects.select_for_update().filter(member=member, revoked_at__isnull=True):
        _revoke(actor, previous, Revocation.REISSUED)
    person, org = member.person, formal.org
    now = timezone.now().replace(microsecond=0)
    claims = codec.Claims(
        credential_id=secrets.token_hex(16),
        name=person.name,
        masked_id=mask(person.resident_id or ""),
        org_name=org.name,
        org_code=org.code or "",
        status=STATUS_TEXT[member.standing],
        issued_at=now,
        expires_at=now + VALIDITY,
    )
    token = codec.sign(claims, kid=sk.kid, alg=sk.alg, signer=sk.sign)
    return model_create(
        Credential,
        actor=actor,
        action="credential_issue",
        cid=claims.credential_id,
        member=member,
        token=token,
        key=key,
        org_name=claims.org_name,
        org_code=claims.org_code,
        status=claims.status,
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def credential_revoke(*, actor, member: Member, category: str, reason: str) -> Credential:
    """Revoke ``member``'s current credential by hand: a category verifiers are shown (遗失, 冒用, 其他)
    and a reason kept for the audit."""
    member = _lock(member)
    _check(actor, member)
    if category not in MANUAL_REVOCATIONS:
        raise InvalidInput("请选择注销原因", field="category")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写注销说明", field="reason")
    current = Credential.objects.select_for_update().filter(member=member, revoked_at__isnull=True).first()
    if current is None:
        raise RuleViolation("该党员没有未注销的数字身份证", code="no_credential")
    return _revoke(actor, current, category, reason)


@transaction.atomic
def credentials_revoke_for(*, member_id: int, category: str, note: str = "") -> int:
    """The system's revocation after an event about the member (transfer out, move, end of membership):
    the member's unrevoked credentials, if any. Returns how many; doing it twice revokes nothing more."""
    done = 0
    for credential in Credential.objects.select_for_update().filter(
        member_id=member_id, revoked_at__isnull=True
    ):
        _revoke(None, credential, category, note)
        done += 1
    return done
