from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from sanxin.core import audit
from sanxin.core.errors import NotFound, ServiceError

from .models import ApiToken, User

TOKEN_PREFIX = "sx_"  # noqa: S105  (a public prefix, not a secret)
DEFAULT_TOKEN_LIFETIME = dt.timedelta(days=30)


class AuthFailed(ServiceError):
    status = 401
    code = "authentication_failed"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_issue(
    *, request, username: str, password: str, name: str = "", lifetime_days: int = 30
) -> tuple[ApiToken, str]:
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise AuthFailed("用户名或密码错误，或账号已被锁定")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:10],
        key_hash=_hash(raw),
        expires_at=timezone.now() + dt.timedelta(days=max(1, min(lifetime_days, 365))),
    )
    audit.record(
        actor=user, action="token_issue", obj=token, after={"name": token.name, "prefix": token.prefix}
    )
    return token, raw


def token_user(raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor, action="token_revoke", obj=token, after={"revoked_at": token.revoked_at.isoformat()}
        )
    return token
