"""Intacct's error shape: {"ia::error": {code, message, errorId, supportId, details: [...]}}."""

import re

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from erp.api.errors import exception_handler as folio_exception_handler
from erp.request_context import current_request_id

# The HTTP status an Intacct client sees -> Intacct's kind of error, `code` (docs/dialects.md, "Errors").
_KINDS = {
    400: "invalidRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "notFound",
    405: "methodNotAllowed",
    409: "conflict",
    413: "payloadTooLarge",
    415: "unsupportedMediaType",
    429: "tooManyRequests",
    500: "internalError",
}

# Service parameters whose Intacct names are not their camelCase spelling.
_FIELD_OF_PARAM = {
    "name": "id",
    "reset": "rollover.isEnabled",
    "fiscal_year_affix": "rollover.fiscalYearAffixPosition",
    "fiscal_year_separator": "rollover.separator",
    "rollover_enabled_date": "rollover.enabledDate",
    "updated_at": "whenModified",
}


def ia_field(param: str | None) -> str | None:
    """Spell a service parameter (fiscal_years[1].next_number) as Intacct does (fiscalYears[1].nextNumber)."""
    if not param:
        return None
    head, dot, rest = param.partition(".")
    index = re.match(r"^([a-z_]+)(\[\d+\])$", head)
    base, suffix = (index.group(1), index.group(2)) if index else (head, "")
    base = _FIELD_OF_PARAM.get(base, _camel(base))
    return base + suffix + (dot + ia_field(rest) if rest else "")


def _camel(name: str) -> str:
    first, *others = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in others)


def ia_error(status: int, *, code: str, message: str, field: str | None = None) -> dict:
    """Return the body of an Intacct error."""
    return {
        "ia::error": {
            "code": _KINDS.get(status, "invalidRequest" if status < 500 else "internalError"),
            "message": message,
            "errorId": code,
            "supportId": current_request_id.get(),
            "details": [{"code": code, "message": message, "field": field}],
        }
    }


def ia_exception_handler(exc, context):
    """Answer any exception of an Intacct view in the Intacct shape (statuses and codes as the native API)."""
    response = folio_exception_handler(exc, context)
    error = response.data["error"]
    # A rule a well-formed request breaks is, to an Intacct client, a bad request.
    status = 400 if response.status_code == 422 else response.status_code
    message = error["message"]
    if error.get("required"):
        message = f"{message} Required scope: {error['required']}."
    response.data = ia_error(status, code=error["code"], message=message, field=ia_field(error.get("param")))
    response.status_code = status
    return response


# Bearer keys, never cookies: an unknown path answers a POST with this 404 too, not a CSRF page.
@csrf_exempt
def ia_not_found(request, *args, **kwargs):
    """Answer an unknown /ia/api/v1 path in the Intacct shape."""
    body = ia_error(404, code="not_found", message="No such endpoint.")
    return JsonResponse(body, status=404)
