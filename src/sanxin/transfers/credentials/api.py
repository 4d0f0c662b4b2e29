"""/api/v1/credentials: 党员数字身份证. Public: the published keys and verification. The caller's own:
their credential, issuing it (again). A member's credentials for the people scope: reading them
(``view``), issuing and revoking (``change``). The format is in docs/credential.md."""

import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from sanxin.core.errors import NotFound
from sanxin.core.permissions import permission
from sanxin.members.models import Member

from . import codec, selectors, services

router = Router(tags=["党员数字身份证"])


class CredentialKeyOut(Schema):
    kty: str = "OKP"
    crv: str = "Ed25519"
    alg: str = Field(description="签名算法（COSE alg 的名称），现为 EdDSA")
    use: str = "sig"
    kid: str = Field(description="密钥标识，与身份证 COSE 受保护头中的 kid 一致")
    x: str = Field(description="公钥（32 字节，base64url 无填充）")
    current: bool = Field(description="是否为当前签发所用的密钥")
    not_after: dt.datetime | None = Field(None, description="该密钥签发的身份证中最晚的到期时间")


class CredentialKeysOut(Schema):
    keys: list[CredentialKeyOut]


class ClaimsOut(Schema):
    credential_id: str
    name: str
    masked_id: str
    org_name: str
    org_code: str
    status: str = Field(description="正式 / 预备")
    issued_at: dt.datetime
    expires_at: dt.datetime


class VerifyIn(Schema):
    token: str = Field(min_length=1, max_length=codec.MAX_TOKEN, description="以 SX1: 开头的身份证编码")


class CredentialVerifyOut(Schema):
    valid: bool
    status: Literal[
        "valid",
        "revoked",
        "expired",
        "bad_signature",
        "unknown_key",
        "unknown_credential",
        "unsupported_alg",
        "malformed",
    ]
    message: str
    kid: str = ""
    alg: str = ""
    claims: ClaimsOut | None = Field(None, description="签名有效时，二维码所载的内容")
    revoked_at: dt.datetime | None = None
    revocation: str = Field("", description="注销原因类别")


class CredentialOut(Schema):
    id: int
    credential_id: str = Field(alias="cid")
    member_id: int
    kid: str
    org_name: str
    org_code: str
    status: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revocation: str
    token: str | None = Field(None, description="未注销时的编码（画二维码用）")

    @staticmethod
    def resolve_kid(obj):
        return obj.key.kid

    @staticmethod
    def resolve_token(obj):
        return obj.token if obj.revoked_at is None else None


class CredentialMineOut(Schema):
    credential: CredentialOut | None


class RevokeIn(Schema):
    category: Literal["lost", "misuse", "other"] = Field(description="遗失 / 冒用或不当使用 / 其他")
    reason: str = Field(min_length=1, max_length=200, description="说明（记入操作日志，不对外显示）")


@router.get("/keys", auth=None, response=CredentialKeysOut, summary="公布的签名公钥（JWK Set）")
@permission.public()
def keys(request):
    return {"keys": selectors.published_keys()}


@router.post("/verify", auth=None, response=CredentialVerifyOut, summary="核验党员数字身份证")
@permission.public()
def verify(request, payload: VerifyIn):
    v = selectors.verify(payload.token)
    return {
        "valid": v.valid,
        "status": v.status,
        "message": v.message,
        "kid": v.kid,
        "alg": v.alg,
        "claims": v.claims,
        "revoked_at": v.revoked_at,
        "revocation": v.revocation,
    }


def _own_member(request) -> Member:
    member = Member.objects.select_related("person").filter(person__user=request.auth).first()
    if member is None:
        raise NotFound("您尚未登记为党员")
    return member


@router.get("/mine", response=CredentialMineOut, summary="我的党员数字身份证")
@permission.own()
def mine(request):
    return {"credential": selectors.current_for(_own_member(request))}


@router.post("/mine", response={201: CredentialOut}, summary="申领（重新签发）我的党员数字身份证")
@permission.own()
def mine_issue(request):
    return Status(201, services.credential_issue(actor=request.auth, member=_own_member(request)))


@router.get("/members/{member_id}", response=list[CredentialOut], summary="党员的数字身份证签发记录")
@permission("people", "view", model=Member, lookup="member_id")
def member_credentials(request, member_id: int):
    member = request.scope.get(Member, pk=member_id)
    return list(selectors.member_credentials(member)[:100])


@router.post("/members/{member_id}/issue", response={201: CredentialOut}, summary="为党员签发数字身份证")
@permission("people", "change", model=Member, lookup="member_id")
def member_issue(request, member_id: int):
    member = request.scope.get(Member.objects.select_related("person"), pk=member_id)
    return Status(201, services.credential_issue(actor=request.auth, member=member))


@router.post("/members/{member_id}/revoke", response=CredentialOut, summary="注销党员的数字身份证")
@permission("people", "change", model=Member, lookup="member_id")
def member_revoke(request, member_id: int, payload: RevokeIn):
    member = request.scope.get(Member.objects.select_related("person"), pk=member_id)
    return services.credential_revoke(
        actor=request.auth, member=member, category=payload.category, reason=payload.reason
    )
