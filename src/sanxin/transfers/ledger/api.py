"""/api/v1/ledger: the transparency ledger.

Public (no login, as a Certificate Transparency log): the signed tree heads, consistency proofs and the
public keys. Scoped: inclusion proofs, the opened commitments and the proof bundles — a member for their
own events, an office for the members in its people scope.
"""

import base64
import functools

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import AuthenticationError
from pydantic import Field

from sanxin.core.errors import InvalidInput
from sanxin.core.permissions import Perm, permission
from sanxin.core.scope import request_scope

from . import note, selectors, services
from .models import LedgerOpening

router = Router(tags=["透明账本"])

MAX_ENTRIES = 1000


def _b64(b: bytes) -> str:
    return base64.b64encode(bytes(b)).decode()


def member_or_scope(module: str, action: str, *, model=None, lookup: str | None = None):
    """Like ``permission(module, action)``, except that a signed-in user whose grants give no scope is
    not refused: their scope is then their own rows only (the models' ``owner`` mapping). The walker
    sees the ordinary scoped permission."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = getattr(request, "auth", None) or getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                raise AuthenticationError()
            request.scope = request_scope(request, module, action)
            return view(request, *args, **kwargs)

        wrapper.sanxin_permission = Perm(module, action, model, lookup)
        return wrapper

    return decorator


class HeadOut(Schema):
    origin: str
    size: int
    root: str = Field(description="根哈希（base64）")
    timestamp: int = Field(description="签名时间（毫秒，UTC）")
    key_id: str
    signature: str = Field(description="Ed25519 签名（base64），对 checkpoint 正文签名")
    checkpoint: str = Field(description="C2SP 签名 checkpoint 全文")


def _head(h) -> dict:
    return {
        "origin": services.origin(),
        "size": h.size,
        "root": _b64(h.root),
        "timestamp": h.timestamp,
        "key_id": h.key_id,
        "signature": _b64(h.signature),
        "checkpoint": selectors.signed_note(h),
    }


@router.get("/sth", response=HeadOut, auth=None, summary="最新签名树头")
@permission.public()
def latest_sth(request):
    return _head(selectors.latest_head())


@router.get("/sth/{size}", response=HeadOut, auth=None, summary="指定大小的签名树头")
@permission.public()
def sth(request, size: int):
    return _head(selectors.head(size))


class ConsistencyQuery(Schema):
    first: int = Field(ge=1)
    second: int = Field(ge=1)


class ProofOut(Schema):
    proof: list[str] = Field(description="RFC 9162 证明路径（base64）")


@router.get("/proof/consistency", response=ProofOut, auth=None, summary="一致性证明（RFC 9162）")
@permission.public()
def consistency(request, q: Query[ConsistencyQuery]):
    return {"proof": [_b64(h) for h in selectors.consistency(q.first, q.second)]}


class LedgerKeyOut(Schema):
    key_id: str
    alg: str
    public_key: str = Field(description="Ed25519 公钥（base64，32 字节）")
    verifier_key: str = Field(description="C2SP signed note 校验密钥")
    signing: bool


class LedgerKeysOut(Schema):
    origin: str
    keys: list[LedgerKeyOut]


@router.get("/public-key", response=LedgerKeysOut, auth=None, summary="签名公钥")
@permission.public()
def public_key(request):
    keys = services.public_keys()
    first = next(iter(keys))
    return {
        "origin": services.origin(),
        "keys": [
            {
                "key_id": kid,
                "alg": services.ALG,
                "public_key": _b64(pub),
                "verifier_key": note.verifier_key(services.origin(), pub),
                "signing": kid == first,
            }
            for kid, pub in keys.items()
        ],
    }


class InclusionQuery(Schema):
    index: int = Field(ge=0)
    size: int = Field(ge=1)


class InclusionOut(Schema):
    index: int
    size: int
    leaf_hash: str
    proof: list[str]


@router.get("/proof/inclusion", response=InclusionOut, summary="包含证明（仅限本人或管辖范围内的记录）")
@member_or_scope("people", "view")
def inclusion(request, q: Query[InclusionQuery]):
    if q.index >= q.size:
        raise InvalidInput("序号应小于树大小", field="index")
    o = selectors.opening(request.scope, q.index)
    return {
        "index": q.index,
        "size": q.size,
        "leaf_hash": _b64(note.merkle.leaf_hash(bytes(o.leaf.commitment))),
        "proof": [_b64(h) for h in selectors.inclusion(q.index, q.size)],
    }


class EntriesQuery(Schema):
    start: int = Field(0, ge=0)
    end: int = Field(ge=1)


class LedgerEntryOut(Schema):
    index: int
    kind: str
    created_at: str
    commitment: str
    member_id: int | None
    salt: str | None = Field(description="盐（base64）；已销毁则为 null")
    event: dict | None = Field(description="规范化事件；已销毁则为 null")


@router.get("/entries", response=list[LedgerEntryOut], summary="打开的承诺（仅限本人或管辖范围内的记录）")
@member_or_scope("people", "view")
def entries(request, q: Query[EntriesQuery]):
    if q.end <= q.start:
        raise InvalidInput("end 应大于 start", field="end")
    if q.end - q.start > MAX_ENTRIES:
        raise InvalidInput(f"一次最多 {MAX_ENTRIES} 条", field="end")
    import json

    rows = selectors.openings(request.scope).filter(leaf_id__gte=q.start, leaf_id__lt=q.end)
    return [
        {
            "index": o.leaf_id,
            "kind": o.leaf.kind,
            "created_at": o.leaf.created_at.isoformat(),
            "commitment": _b64(o.leaf.commitment),
            "member_id": o.member_id,
            "salt": _b64(o.salt) if o.salt is not None else None,
            "event": json.loads(o.event) if o.event is not None else None,
        }
        for o in rows
    ]


@router.get("/entries/{index}/bundle", summary="下载证明包（离线校验）")
@member_or_scope("people", "view", model=LedgerOpening, lookup="index")
def bundle(request, index: int):
    o = selectors.opening(request.scope, index)
    response = HttpResponse(selectors.bundle(o), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ledger-proof-{index}.txt"'
    return response
