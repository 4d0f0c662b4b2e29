from __future__ import annotations

import re

from django.conf import settings
from django.http import JsonResponse

from .context import _actor_id, _request_id, new_request_id

_SAFE_ID = re.compile(r"[A-Za-z0-9\-]{8,64}")
_KEEP_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _api_error(request, response):
    """An error that never reached the API's handlers (no such route, a method the route lacks,
    a crash, a body over Django's limit) in the API's one error format instead of an HTML page."""
    from .apischema import HTTP_ERROR_CODES, HTTP_ERROR_MESSAGES, error_body

    status = response.status_code
    message = HTTP_ERROR_MESSAGES.get(status, "请求未能完成")
    if status == 404:
        message = "接口或对象不存在"
    out = JsonResponse(
        error_body(request, HTTP_ERROR_CODES.get(status, "error"), message),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name in _KEEP_HEADERS:
        if name in response:
            out[name] = response[name]
    return out


class RequestContextMiddleware:
    """Gives every request an id (an incoming ``X-Request-ID`` is kept when well-formed) and returns
    it in the response, so a user's error report can be matched with the audit log and logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.fullmatch(incoming) else new_request_id()
        request.request_id = rid
        t1 = _request_id.set(rid)
        t2 = _actor_id.set(None)
        try:
            response = self.get_response(request)
            if (
                response.status_code >= 400
                and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")
                and not (settings.DEBUG and response.status_code >= 500)  # keep the debug page
            ):
                response = _api_error(request, response)
        finally:
            _request_id.reset(t1)
            _actor_id.reset(t2)
        response["X-Request-ID"] = rid
        return response


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _actor_id.set(user.pk)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: no inline script, no eval, nothing from other origins (offices are often
    offline, and the platform never uses a CDN)."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )
    # The OpenAPI docs page (swagger-ui) needs inline styles it injects at run time.
    DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path.startswith("/api/v1/docs")
            response["Content-Security-Policy"] = self.DOCS_POLICY if docs else self.POLICY
        if not settings.DEBUG:
            response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class ServiceErrorMiddleware:
    """Pages: a service's NotFound is the 404 page, PermissionDenied the 403 page, and any other
    refusal a page that says why in Chinese (views normally catch them and re-render their form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render
        from django.views import defaults

        from .errors import NotFound, PermissionDenied, ServiceError

        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        if isinstance(exception, ServiceError):
            return render(request, "error.html", {"message": exception.message}, status=exception.status)
        if is_out_of_range(exception):
            return render(request, "error.html", {"message": OUT_OF_RANGE}, status=400)
        return None


OUT_OF_RANGE = "输入有误：数值超出允许范围"


def is_out_of_range(exc: BaseException) -> bool:
    """A number no column can hold (an id of 2**70 in a path, a page of 10**30): SQLite's driver refuses to
    bind it (OverflowError), PostgreSQL refuses to store it (numeric_value_out_of_range). Nothing of the
    request was done; the answer is the client's error, not a crash."""
    from django.db import DataError

    if isinstance(exc, OverflowError):
        return True
    if isinstance(exc, DataError):
        cause = exc.__cause__
        return getattr(cause, "sqlstate", None) == "22003"  # numeric_value_out_of_range
    return False
