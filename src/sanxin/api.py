"""The JSON API at /api/v1/: one NinjaAPI, one error format, auth by bearer token or session."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from sanxin.accounts.api import router as auth_router
from sanxin.accounts.services import token_user
from sanxin.appeals.api import router as appeals_router
from sanxin.community.activities.api import router as activities_router
from sanxin.community.affairs.api import router as affairs_router
from sanxin.community.api import router as community_router
from sanxin.community.awards.api import router as awards_router
from sanxin.core.api import router as core_router
from sanxin.core.apischema import (
    HTTP_ERROR_CODES,
    HTTP_ERROR_MESSAGES,
    document_errors,
    error_body,
    translate_pydantic,
)
from sanxin.core.context import set_actor_id
from sanxin.core.errors import ServiceError, validation_details
from sanxin.core.middleware import OUT_OF_RANGE, is_out_of_range
from sanxin.core.renderers import UTF8JSONRenderer
from sanxin.learning.api import router as learning_router
from sanxin.learning.discovery.api import router as discovery_router
from sanxin.learning.quiz.api import router as quiz_router
from sanxin.learning.training.api import router as training_router
from sanxin.meetings.api import router as meetings_router
from sanxin.members.api import router as members_router
from sanxin.members.findings.api import router as findings_router
from sanxin.members.funds.api import router as funds_router
from sanxin.members.pipeline.api import router as pipeline_router
from sanxin.orgs.api import people_router
from sanxin.orgs.api import router as orgs_router
from sanxin.points.api import router as points_router
from sanxin.registry.api import router as registry_router
from sanxin.stations.api import router as stations_router
from sanxin.transfers.api import router as transfers_router
from sanxin.transfers.credentials.api import router as credentials_router
from sanxin.transfers.ledger.api import router as ledger_router


class TokenAuth(HttpBearer):
    openapi_description = "POST /api/v1/auth/token 获取的令牌：Authorization: Bearer sx_..."

    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
            set_actor_id(user.pk)  # ActorMiddleware ran before the token was seen
        return user


class SessionAuth(APIKeyCookie):
    """The page session, with CSRF checked on unsafe methods (ninja's APIKeyCookie does that).

    CSRF is checked only when there *is* a logged-in session: a client whose bearer token has
    expired must get 401 (renew the token), not a 403 about a CSRF cookie it never had."""

    param_name = "sessionid"
    openapi_description = "页面登录会话（需CSRF令牌）"

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


class SanxinAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


api = SanxinAPI(
    title="三新党建智慧平台 API",
    version="1",
    description="sanxin JSON API。所有错误使用统一格式：{error: {code, message, details}, request_id}。",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionAuth()],
    renderer=UTF8JSONRenderer(),
)


def error_response(request, status: int, code: str, message: str, details=None):
    return api.create_response(request, error_body(request, code, message, details), status=status)


@api.exception_handler(NinjaValidationError)
def _validation(request, exc: NinjaValidationError):
    details = [translate_pydantic(e) for e in exc.errors]
    first = details[0] if details else {"loc": [], "msg": "输入有误"}
    loc = list(first["loc"])
    # ("body", "payload", "password") names the view's parameter second; people need the field.
    where_loc = loc[2:] if len(loc) > 2 and loc[0] == "body" else loc[1:] or loc
    where = ".".join(str(x) for x in where_loc)
    message = f"输入有误：{where} {first['msg']}".strip() if where else f"输入有误：{first['msg']}"
    return error_response(request, 422, "validation_error", message, details)


@api.exception_handler(ServiceError)
def _service(request, exc: ServiceError):
    details = exc.details or (
        [{"loc": [exc.field], "msg": exc.message, "type": exc.code}] if exc.field else []
    )
    return error_response(request, exc.status, exc.code, exc.message, details)


@api.exception_handler(DjangoValidationError)
def _django_validation(request, exc: DjangoValidationError):
    details = validation_details(exc)
    return error_response(
        request, 422, "validation_error", details[0]["msg"] if details else "输入有误", details
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request, exc):
    if not is_out_of_range(exc):
        raise exc
    return error_response(request, 422, "out_of_range", OUT_OF_RANGE)


@api.exception_handler(AuthenticationError)
def _auth(request, exc):
    return error_response(request, 401, "not_authenticated", "请先登录或提供有效的令牌")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", "对象不存在或无权访问")


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request, exc):
    return error_response(request, 403, "permission_denied", "没有执行此操作的权限")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return error_response(
        request,
        413,
        "too_large",
        f"请求内容过大（上限 {limit} MB）：请压缩照片或分次上传",
        [{"loc": ["body"], "msg": f"请求内容超过 {limit} MB", "type": "too_large"}],
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """ninja's own refusals carry English text; people get Chinese, in the one format."""
    status = exc.status_code
    code = HTTP_ERROR_CODES.get(status, "error")
    message = str(exc)
    details = []
    if status == 400 and message.startswith("Cannot parse request body"):
        message = "请求体不是有效的JSON（Content-Type: application/json）"
        details = [{"loc": ["body"], "msg": message, "type": "json_invalid"}]
    elif status == 403 and message.startswith("CSRF"):
        code, message = "csrf_failed", "CSRF校验失败：请刷新页面后重试"
    elif message.isascii():  # empty, or English
        message = HTTP_ERROR_MESSAGES.get(status, "请求未能完成")
    return error_response(request, status, code, message, details)


api.add_router("/auth", auth_router)
api.add_router("/core", core_router)
api.add_router("/orgs", orgs_router)
api.add_router("/people", people_router)
api.add_router("/registry", registry_router)
api.add_router("/members/pipeline", pipeline_router)
api.add_router("/members/findings", findings_router)
api.add_router("/members/funds", funds_router)
api.add_router("/members", members_router)
api.add_router("/transfers", transfers_router)
api.add_router("/meetings", meetings_router)
api.add_router("/points", points_router)
api.add_router("/appeals", appeals_router)
api.add_router("/stations", stations_router)
api.add_router("/learning/discovery", discovery_router)
api.add_router("/learning/quiz", quiz_router)
api.add_router("/learning/training", training_router)
api.add_router("/learning", learning_router)
api.add_router("/community/activities", activities_router)
api.add_router("/community/awards", awards_router)
api.add_router("/community/affairs", affairs_router)
api.add_router("/community", community_router)
api.add_router("/ledger", ledger_router)
api.add_router("/credentials", credentials_router)
