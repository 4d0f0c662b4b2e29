"""API conventions every router uses: the error format, pagination and ordering.

Errors (400/401/403/404/409/422) all have one shape::

    {"error": {"code": "validation_error", "message": "输入有误", "details": [{"loc": [...], "msg": ..., "type": ...}]},
     "request_id": "..."}
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from .errors import InvalidInput

MAX_PAGE_SIZE = 200


class ErrorDetail(Schema):
    loc: list[str | int] = []
    msg: str
    type: str = "invalid"


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorOut(Schema):
    error: ErrorBody
    request_id: str = ""


HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_error",
    429: "too_many_requests",
    500: "server_error",
}
HTTP_ERROR_MESSAGES = {
    400: "请求无效",
    401: "请先登录或提供有效的令牌",
    403: "没有执行此操作的权限",
    404: "对象不存在或无权访问",
    405: "不支持此请求方法",
    409: "操作冲突，请刷新后重试",
    413: "请求内容过大",
    422: "输入有误",
    429: "尝试过于频繁，已暂时锁定，请稍后再试",
    500: "服务器内部错误，请稍后重试；反馈问题时请附上请求编号",
}


def error_body(request, code: str, message: str, details=None) -> dict:
    return {
        "error": {"code": code, "message": message, "details": details or []},
        "request_id": getattr(request, "request_id", ""),
    }


# Chinese messages for pydantic's error types; unknown types fall back to the English message.
_PYDANTIC_ZH = {
    "missing": "必填项",
    "string_too_short": "长度不能少于{min_length}个字符",
    "string_too_long": "长度不能超过{max_length}个字符",
    "string_type": "应为文本",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为是/否",
    "bool_parsing": "应为是/否",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "应不小于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "应不大于{le}",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "应为日期",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "literal_error": "取值应为：{expected}",
    "enum": "取值应为：{expected}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "请求体不是有效的JSON",
    "too_short": "至少需要{min_length}项",
    "too_long": "最多{max_length}项",
    "uuid_parsing": "应为UUID",
    "value_error": "{error}",
    "extra_forbidden": "不允许的字段",
}


def translate_pydantic(err: dict) -> dict:
    etype = err.get("type", "invalid")
    template = _PYDANTIC_ZH.get(etype)
    msg = err.get("msg", "")
    if template:
        ctx = dict(err.get("ctx") or {})
        try:
            msg = template.format(**{k: str(v) for k, v in ctx.items()})
        except (KeyError, IndexError):
            msg = template
        if etype == "value_error" and msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
    return {
        "loc": [str(x) if not isinstance(x, int) else x for x in err.get("loc", [])],
        "msg": msg,
        "type": etype,
    }


class PageNumber(PaginationBase):
    """``?page=1&page_size=50`` (max 200) -> ``{items, count, page, page_size, pages}``."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="页码，从1开始")
        page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="每页条数，最多200")

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        count = self._items_count(queryset)
        start = (pagination.page - 1) * pagination.page_size
        # A page past the end is empty without asking the database, whose OFFSET is a 64-bit
        # integer: ?page=10**25 must be an empty page, not a 500.
        items = list(queryset[start : start + pagination.page_size]) if start < count else []
        pages = (count + pagination.page_size - 1) // pagination.page_size
        return {
            "items": items,
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "pages": pages,
        }


def apply_ordering(qs: QuerySet, ordering: str | None, *, allowed: set[str], default: str) -> QuerySet:
    """``?ordering=-created_at,name``: only whitelisted fields; unknown ones are a 422, not ignored."""
    if not ordering:
        return qs.order_by(default, "pk")
    keys = []
    for part in ordering.split(","):
        part = part.strip()
        name = part.removeprefix("-")  # one minus sign: "--code" is not a field name
        if name not in allowed:
            raise InvalidInput(f"不支持按“{name}”排序，可用：{', '.join(sorted(allowed))}", field="ordering")
        keys.append(part)
    return qs.order_by(*keys, "pk")


class FileIn(Schema):
    """A file in a JSON body (photos, evidence): its name and its bytes in base64. The type is judged
    from the content when it is stored (``core.uploads``), never from the name."""

    name: str = Field(max_length=255, description="文件名，如 现场照片.jpg")
    content_base64: str = Field(description="文件内容（base64）")


def decode_files(files, *, field: str) -> list:
    """``FileIn`` items as uploaded files for the services; a bad base64 is a 422 on ``field``."""
    import base64
    import binascii

    from django.core.files.uploadedfile import SimpleUploadedFile

    from .errors import InvalidInput

    out = []
    for f in files or []:
        try:
            content = base64.b64decode(f.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"文件“{f.name}”不是有效的 base64", field=field) from None
        out.append(SimpleUploadedFile(f.name, content))
    return out


# The refusals any operation may answer with, documented on every operation in the one error format: the
# handlers in ``sanxin.api`` turn every refusal into it, so a client (and the API fuzzer) can rely on it.
DOCUMENTED_ERRORS = (400, 401, 403, 404, 409, 413, 422, 429)


def document_errors(schema: dict) -> dict:
    """Add the error format (``ErrorOut``) to the document's components and the refusals to every
    operation's responses (401 too: missing credentials, or wrong ones where a token is issued), keeping
    any an operation declares itself."""
    from ninja.openapi.schema import REF_TEMPLATE

    generated = ErrorOut.model_json_schema(ref_template=REF_TEMPLATE)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(generated.pop("$defs", {}))
    components["ErrorOut"] = generated
    content = {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in DOCUMENTED_ERRORS:
                if code not in responses and str(code) not in responses:
                    responses[code] = {"description": HTTP_ERROR_MESSAGES[code], "content": content}
    _partial_times(schema)
    return schema


PARTIAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"


def _partial_times(node) -> None:
    """A ``datetime.time`` travels as "08:30:00", without an offset: RFC 3339's partial-time. JSON Schema's
    "time" format is the full-time, which requires one, so a validator would refuse every time we send;
    document what is sent instead."""
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            node["format"] = "partial-time"
            node.setdefault("pattern", PARTIAL_TIME)
        for value in node.values():
            _partial_times(value)
    elif isinstance(node, list):
        for value in node:
            _partial_times(value)
