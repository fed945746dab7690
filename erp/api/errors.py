"""The one error envelope: {"error": {"type", "code", "message", "param"?, ...}, "request_id"}."""

import logging
import math
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from erp.api.permissions import InsufficientScope
from erp.exceptions import FolioError, RequestTooLarge
from erp.request_context import current_request_id
from erp.transactions import lost_race_noted

logger = logging.getLogger("folio.api")

# DRF exception class -> (error type, code used when DRF's own code says nothing more).
_DRF_ERRORS: list[tuple[type[exceptions.APIException], str, str]] = [
    (exceptions.NotAuthenticated, "permission_error", "missing_api_key"),
    (exceptions.AuthenticationFailed, "permission_error", "invalid_api_key"),
    (exceptions.PermissionDenied, "permission_error", "permission_denied"),
    (exceptions.NotFound, "not_found", "not_found"),
    (exceptions.MethodNotAllowed, "validation_error", "method_not_allowed"),
    (exceptions.NotAcceptable, "validation_error", "not_acceptable"),
    (exceptions.UnsupportedMediaType, "validation_error", "unsupported_media_type"),
    (exceptions.ParseError, "validation_error", "invalid_json"),
    (exceptions.Throttled, "rate_limit", "rate_limited"),
    (exceptions.ValidationError, "validation_error", "invalid_request"),
]


def envelope(error: dict) -> dict:
    """Wrap an error object with the request id."""
    return {"error": error, "request_id": current_request_id.get()}


def error_response(status_code: int, error: dict, headers: dict | None = None) -> Response:
    """Return a DRF response carrying the envelope."""
    return Response(envelope(error), status=status_code, headers=headers)


def exception_handler(exc, context):
    """Turn any exception raised in a DRF view into the envelope; never leak internals."""
    if isinstance(exc, RequestDataTooBig):
        # Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE), met when a view reads the body itself.
        exc = RequestTooLarge()
    if isinstance(exc, FolioError):
        return error_response(exc.status_code, exc.as_error())
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        return _api_exception_response(exc)
    if isinstance(exc, IntegrityError):
        # A uniqueness or check the service validated was lost to a concurrent writer.
        logger.warning("integrity error mapped to 409: %s", exc)
        return error_response(
            409,
            {
                "type": "conflict",
                "code": "concurrent_update",
                "message": "The request conflicted with a concurrent change; retry it.",
            },
        )
    if isinstance(exc, DatabaseError) and getattr(exc.__cause__, "sqlstate", None) in {
        "55P03",
        "40P01",
        "40001",
    }:
        # Lock timeout, deadlock or serialization failure: transient, safe to retry. An Idempotency-Key's
        # transaction runs again by itself after a deadlock (erp.transactions.all_or_nothing).
        lost_race_noted(exc)
        return error_response(
            409,
            {
                "type": "conflict",
                "code": "retry_later",
                "message": "The data is busy; retry shortly.",
            },
        )
    if database_unavailable(exc):
        logger.warning("database unavailable: %s", exc)
        return error_response(503, database_unavailable_error(), {"Retry-After": "1"})
    logger.exception("unhandled error in %s", type(context.get("view")).__name__)
    return error_response(500, internal_error())


# Connection failures (class 08), the server shutting down or starting (57P01-57P03), and a connection
# lost with no SQLSTATE at all: the database is away, not the request wrong.
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03"}


def database_unavailable(exc: BaseException) -> bool:
    """Return whether `exc` says the database cannot be reached (a restart, a lost connection)."""
    if isinstance(exc, InterfaceError):
        return True  # Django's "connection already closed"
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES


def database_unavailable_error() -> dict:
    """Return the error object of a 503 answered while the database is unreachable."""
    return {
        "type": "unavailable",
        "code": "database_unavailable",
        "message": "The database is unavailable; retry shortly (writes with the same Idempotency-Key).",
    }


def internal_error() -> dict:
    """Return the error object of a 500."""
    return {
        "type": "internal",
        "code": "internal_error",
        "message": "Something went wrong on our side. Quote the request_id when reporting it.",
    }


def _api_exception_response(exc: exceptions.APIException) -> Response:
    error_type, code = "internal", "error"
    for cls, cls_type, cls_code in _DRF_ERRORS:
        if isinstance(exc, cls):
            error_type, code = cls_type, cls_code
            break
    headers = {}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if isinstance(exc, exceptions.Throttled):
        # Whole seconds, rounded up: a client waiting that long finds a token (never "0").
        seconds = max(1, math.ceil(exc.wait or 1))
        headers["Retry-After"] = str(seconds)
        return error_response(
            exc.status_code,
            {"type": error_type, "code": code, "message": f"{_limit_reached(exc)} Retry after {seconds} s."},
            headers,
        )
    if isinstance(exc, exceptions.ValidationError):
        param, message, detail_code = first_validation_error(exc.detail)
        error = {"type": error_type, "code": _validation_code(detail_code), "message": message}
        if param:
            error["param"] = param
        return error_response(exc.status_code, error, headers)
    own_code = exc.get_codes() if isinstance(exc.get_codes(), str) else None
    if own_code and own_code not in {cls.default_code for cls, _, _ in _DRF_ERRORS}:
        code = own_code  # a subclass with its own code, e.g. insufficient_scope
    error = {"type": error_type, "code": code, "message": str(exc.detail)}
    if isinstance(exc, InsufficientScope):
        error["required"] = exc.required
    return error_response(exc.status_code, error, headers)


def _limit_reached(exc: exceptions.Throttled) -> str:
    # DRF raises a plain Throttled for a key's limit; erp/api/throttling.py raises RateLimited for the others.
    return getattr(exc, "reason", "Too many requests with this API key.")


# DRF's generic field codes, renamed to the codes the services give for the same rule (docs/api.md).
_FIELD_CODES = {
    "required": "parameter_missing",
    "null": "parameter_missing",
    "blank": "parameter_missing",
    "invalid": "parameter_invalid",
    "null_characters_not_allowed": "parameter_invalid",
    "does_not_exist": "resource_missing",
}


def _validation_code(detail_code: str | None) -> str:
    if not detail_code:
        return "invalid_request"
    return _FIELD_CODES.get(detail_code, detail_code)


def first_validation_error(detail, path: str = "") -> tuple[str | None, str, str | None]:
    """Return (param, message, code) of the first error in a nested DRF error structure.

    Nested fields become `applications[3].amount_applied`; non-field errors have no param.
    """
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                sub_path = path
            elif isinstance(key, int):  # DRF keys a list serializer's item errors by index
                sub_path = f"{path}[{key}]"
            else:
                sub_path = f"{path}.{key}" if path else str(key)
            if _has_error(value):
                return first_validation_error(value, sub_path)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                if _has_error(value):
                    return first_validation_error(value, f"{path}[{index}]")
            else:
                return path or None, str(value), getattr(value, "code", None)
    else:
        return path or None, str(detail), getattr(detail, "code", None)
    return path or None, "Invalid request.", None


def _has_error(value) -> bool:
    if isinstance(value, dict):
        return any(_has_error(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_error(v) for v in value)
    return bool(value)


# The native API and the dialects (docs/dialects.md): JSON errors, never Django's HTML pages.
API_PATH_PREFIXES = ("/v1/", "/ia/api/v1/", "/portos/")


def _is_api_path(request) -> bool:
    return request.path.startswith(API_PATH_PREFIXES)


# Exempt: the API authenticates with bearer keys, never cookies, so an unknown /v1/ path must answer
# the 404 envelope to a POST as well, not Django's HTML CSRF page.
@csrf_exempt
def not_found_view(request, exception=None):
    """Django-level 404: the envelope for API paths, Django's page elsewhere."""
    if _is_api_path(request):
        return JsonResponse(
            envelope({"type": "not_found", "code": "not_found", "message": "No such endpoint."}),
            status=status.HTTP_404_NOT_FOUND,
        )
    return defaults.page_not_found(request, exception)


def server_error_view(request):
    """Django-level 500: the envelope for API paths, Django's page elsewhere; 503 when the database is away.

    Django calls it while handling the exception (a view's or a middleware's, e.g. the session
    middleware's), so sys.exc_info() names it.
    """
    if database_unavailable(sys.exc_info()[1]):
        headers = {"Retry-After": "1"}
        if _is_api_path(request):
            return JsonResponse(envelope(database_unavailable_error()), status=503, headers=headers)
        page = "<h1>Service unavailable</h1><p>The database is unavailable; retry in a moment.</p>"
        return HttpResponse(page, status=503, headers=headers)
    if _is_api_path(request):
        return JsonResponse(envelope(internal_error()), status=500)
    return defaults.server_error(request)
