"""Errors that services raise. Pages render them as Chinese form errors, the API as the one error
format (see ``sanxin.api``). Raise these instead of returning error values."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """A request that cannot be carried out. ``code`` is stable for API clients; ``message`` is
    Chinese for people; ``field`` names the input at fault when there is one."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.details = details or []


class RuleViolation(ServiceError):
    """A business rule refuses the change (409)."""


class InvalidInput(ServiceError):
    """Input that passes the schema but not the domain's validation (422)."""

    status = 422
    code = "validation_error"


class NotFound(ServiceError):
    """The object does not exist *or lies outside the caller's scope* (404, indistinguishable)."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "对象不存在或无权访问", **kw):
        super().__init__(message, **kw)


class PermissionDenied(ServiceError):
    status = 403
    code = "permission_denied"

    def __init__(self, message: str = "没有执行此操作的权限", **kw):
        super().__init__(message, **kw)


def validation_details(exc: ValidationError) -> list[dict]:
    """Django ValidationError -> [{"loc": [...], "msg": ...}] in the API's error format."""
    out: list[dict] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for e in errors:
                for msg in e.messages:
                    out.append(
                        {
                            "loc": [field] if field != "__all__" else [],
                            "msg": msg,
                            "type": e.code or "invalid",
                        }
                    )
    else:
        for e in exc.error_list:
            for msg in e.messages:
                out.append({"loc": [], "msg": msg, "type": e.code or "invalid"})
    return out
