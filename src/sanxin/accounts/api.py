from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from pydantic import Field

from sanxin.core.permissions import permission

from . import services

router = Router(tags=["认证"])


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)
    name: str = Field(default="", max_length=100)
    lifetime_days: int = Field(default=30, ge=1, le=365)


class TokenOut(Schema):
    id: int
    token: str
    expires_at: dt.datetime | None


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@router.post("/token", auth=None, response={201: TokenOut}, summary="用户名密码换取令牌")
@permission.public()
def issue_token(request, payload: TokenIn):
    token, raw = services.token_issue(
        request=request,
        username=payload.username,
        password=payload.password,
        name=payload.name,
        lifetime_days=payload.lifetime_days,
    )
    return Status(201, {"id": token.pk, "token": raw, "expires_at": token.expires_at})


@router.get("/tokens", response=list[TokenInfo], summary="我的令牌")
@permission.own()
def my_tokens(request):
    return list(request.auth.api_tokens.all()[:100])


@router.delete("/token/{token_id}", response={204: None}, summary="吊销令牌")
@permission.own()
def revoke_token(request, token_id: int):
    services.token_revoke(actor=request.auth, token_id=token_id)
    return Status(204, None)
