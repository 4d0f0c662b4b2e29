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


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_attempts"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(
    *, request, username: str, password: str, name: str = "", lifetime_days: int = 30
) -> tuple[ApiToken, str]:
    # Authenticate outside any transaction of ours: django-axes records a failed attempt (the
    # brute-force lockout) in the database, and rolling back on AuthFailed would erase the record,
    # leaving this endpoint open to unlimited password guessing.
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts("登录失败次数过多，已暂时锁定，请稍后再试")
    if user is None or not user.is_active:
        raise AuthFailed("用户名或密码错误，或账号已被锁定")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
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


# --- grants ---------------------------------------------------------------------------------------


def _invalidate(user) -> None:
    user.__dict__.pop("_sanxin_grants", None)


@transaction.atomic
def grant_create(
    *,
    actor,
    user: User,
    role: str,
    org=None,
    region=None,
    industry=None,
    assignment_kind: str = "",
    object_ids: list[str] | None = None,
    valid_from=None,
    valid_to=None,
    note: str = "",
):
    """Give ``role`` to ``user`` over exactly one anchor. The actor must hold accounts.grant over the
    anchor (an org or region grant of theirs covering it); superusers and system jobs may grant any."""
    from sanxin.core.errors import InvalidInput
    from sanxin.core.scope import scope_for

    from .matrix import Anchor, Role, anchors_of_role
    from .models import Grant, GrantAssignment

    if role not in Role.values:
        raise InvalidInput("无效的角色", field="role")
    given = [k for k, v in (("org", org), ("region", region), ("industry", industry)) if v is not None]
    if assignment_kind:
        given.append("assignment")
    if len(given) != 1:
        raise InvalidInput("授权范围必须且只能是组织、区划、行业或指定清单之一", field="anchor")
    anchor = given[0]
    if anchor not in anchors_of_role(role):
        raise InvalidInput(f"角色“{Role(role).label}”不能按“{Anchor(anchor).label}”授权", field="anchor")
    if actor is not None and not actor.is_superuser:
        allowed = scope_for(actor, "accounts", "grant")
        target = org if org is not None else None
        if target is not None and not allowed.contains(target):
            raise NotFound()
        if region is not None and not allowed.covers_place(region.code):
            raise NotFound()
        if anchor in {"industry", "assignment"} and not allowed.everything:
            from sanxin.core.errors import PermissionDenied

            raise PermissionDenied("只有上级组织部门可以按行业或清单授权")
    grant = Grant.objects.create(
        user=user,
        role=role,
        anchor=anchor,
        org=org,
        region=region,
        industry=industry,
        assignment_kind=assignment_kind,
        note=note,
        created_by=actor,
        **({"valid_from": valid_from} if valid_from else {}),
        valid_to=valid_to,
    )
    for oid in object_ids or []:
        GrantAssignment.objects.create(grant=grant, object_id=str(oid))
    audit.record(
        actor=actor,
        action="grant",
        obj=grant,
        after={
            "user": user.pk,
            "role": role,
            "anchor": anchor,
            "org": getattr(org, "pk", None),
            "region": getattr(region, "pk", None),
            "industry": getattr(industry, "pk", None),
            "assignment_kind": assignment_kind,
            "objects": [str(o) for o in object_ids or []],
        },
    )
    _invalidate(user)
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant, on=None):
    on = on or timezone.localdate()
    if grant.valid_to is None or grant.valid_to > on:
        before = {"valid_to": grant.valid_to.isoformat() if grant.valid_to else None}
        grant.valid_to = on
        grant.save(update_fields=["valid_to"])
        audit.record(
            actor=actor, action="revoke", obj=grant, before=before, after={"valid_to": on.isoformat()}
        )
    _invalidate(grant.user)
    return grant
