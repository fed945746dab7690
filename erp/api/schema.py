"""The OpenAPI schema of the native API: errors, Idempotency-Key, a tag per area and request examples.

drf-spectacular documents what it can read from a view (parameters, bodies, 2xx responses). This
schema class adds, for every operation of a Folio view, what the base classes do for it: the error
envelope with the codes the operation can return, the `Idempotency-Key` header on writes and the
area's tag. An InputSerializer's body is closed (`additionalProperties: false`: the API refuses
unknown fields, docs/api.md), and the postprocessing hook adds a request example where a view gave none.
"""

import datetime
import re

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, get_lib_doc_excludes

from erp.api.base import IDEMPOTENT_METHODS, EntityPathMixin, FolioAPIMixin
from erp.api.livemode import document_livemode
from erp.api.permissions import ANY_KEY
from erp.services.idempotency import ALIAS_HEADER, MAX_KEY_LENGTH

ERROR_COMPONENT = "Error"
ERROR_TYPES = {
    400: "validation_error",
    401: "permission_error",
    403: "permission_error",
    404: "not_found",
    409: "conflict",
    413: "validation_error",
    415: "validation_error",
    422: "validation_error",
    429: "rate_limit",
    500: "internal",
    503: "unavailable",
}
STATUS_TEXT = {
    400: "Bad request",
    401: "Missing or invalid API key",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Request body over 1 MiB",
    415: "Unsupported media type",
    422: "A business rule refused the request",
    429: "Over the rate limit; retry after `Retry-After` seconds (docs/api.md, Rate limits and outages)",
    500: "Internal error (quote the request_id)",
    503: "The database is unavailable; retry after `Retry-After` seconds (writes: same Idempotency-Key)",
}
# The answers that say when to come back (erp/api/errors.py sets the header).
RETRY_AFTER = {
    "Retry-After": {
        "description": "Whole seconds to wait before retrying (at least 1).",
        "schema": {"type": "integer", "minimum": 1},
    }
}
# The areas of the API, one tag each (described in SPECTACULAR_SETTINGS["TAGS"]), by a view's package.
AREA_TAGS = {
    "erp": "entities",
    "numbering": "numbering",
    "ledger": "ledger",
    "receivables": "receivables",
    "payables": "payables",
}
ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error envelope of every 4xx and 5xx (docs/api.md, Errors).",
    "required": ["error", "request_id"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["type", "code", "message"],
            "properties": {
                "type": {"type": "string", "enum": sorted(set(ERROR_TYPES.values()) | {"rate_limit"})},
                "code": {
                    "type": "string",
                    "pattern": "^[a-z][a-z0-9_]*$",
                    "description": "A stable snake_case code; each response lists the codes it can carry.",
                },
                "message": {"type": "string"},
                "param": {
                    "type": "string",
                    "description": "The field or parameter at fault, nested as `list[index].field`.",
                },
                "hint": {"type": "string"},
                "required": {"type": "string", "description": "insufficient_scope: the scope needed."},
            },
        },
        "request_id": {"type": "string", "description": "Also in the X-Request-Id header."},
    },
}


def lib_doc_excludes() -> list[type]:
    """Return the classes whose docstrings describe the framework, not an operation or a body."""
    from erp.api.base import FolioAPIView, FolioGenericAPIView, FolioViewSet
    from erp.api.serializers import InputSerializer

    return [*get_lib_doc_excludes(), FolioAPIView, FolioGenericAPIView, FolioViewSet, InputSerializer]


def _operation_key(view) -> str:
    """Return the name a view's `error_codes` knows an operation by: its action, or its HTTP method."""
    action = getattr(view, "action", None)
    return action or view.request.method.lower()


class InputSerializerExtension(OpenApiSerializerExtension):
    """An InputSerializer's body is closed: `additionalProperties: false`, as unknown fields are refused."""

    target_class = "erp.api.serializers.InputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


class FolioAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus what every Folio operation shares (see the module docstring)."""

    def get_tags(self) -> list[str]:
        package = type(self.view).__module__.split(".", 1)[0]
        return [AREA_TAGS.get(package, package)]

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or not isinstance(self.view, FolioAPIMixin):
            return operation
        parameters = operation.setdefault("parameters", [])
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter["in"] == "query" and schema.get("type") == "string" and "enum" not in schema:
                schema.setdefault("minLength", 1)  # an empty filter is refused, not ignored
        if self.method in IDEMPOTENT_METHODS and not any(p["name"] == "Idempotency-Key" for p in parameters):
            parameters.append(idempotency_parameter())
        if not parameters:
            del operation["parameters"]
        registry.register_on_missing(
            ResolvedComponent(
                ERROR_COMPONENT, ResolvedComponent.SCHEMA, schema=ERROR_SCHEMA, object=ERROR_COMPONENT
            )
        )
        responses = operation["responses"]
        for status, codes in sorted(self.error_codes(operation).items()):
            responses.setdefault(str(status), error_response(status, codes))
        return operation

    def error_codes(self, operation: dict) -> dict[int, list[str]]:
        """Return {status: codes} an operation can answer: the generic ones, then the view's own."""
        has_body = "requestBody" in operation
        lists = self._is_list_view()
        detail = bool(re.search(r"\{(id|pk)\}", self.path))
        codes: dict[int, list[str]] = {
            400: ["unknown_parameter"],
            401: ["missing_api_key", "invalid_api_key"],
            413: ["request_too_large"],  # any request: the size is judged before anything else
        }
        if lists:
            codes[400] += ["parameter_invalid", "invalid_choice"]
        if has_body:
            codes[400] += ["invalid_json", "parameter_missing", "parameter_invalid"]
            codes[415] = ["unsupported_media_type"]
        scopes = getattr(self.view, "required_scopes", None) or {}
        if any(scope != ANY_KEY for scope in scopes.values()):
            codes[403] = ["insufficient_scope"]
        if isinstance(self.view, EntityPathMixin):
            codes.setdefault(403, []).append("entity_mismatch")
        if detail:
            codes[404] = ["not_found"]
        if self.method in IDEMPOTENT_METHODS:
            codes[400] += ["invalid_idempotency_key", "idempotency_key_too_long"]
            codes[409] = [
                "idempotency_key_mismatch",
                "idempotency_key_in_use",
                "concurrent_update",
                "retry_later",
            ]
        declared = getattr(self.view, "error_codes", None) or {}
        for key in ("*", _operation_key(self.view)):
            for status, names in declared.get(key, {}).items():
                codes.setdefault(status, []).extend(names)
        codes[429] = ["rate_limited"]  # every key's own limit; a wrong key's address limit
        codes[500] = ["internal_error"]
        codes[503] = ["database_unavailable"]
        return {status: list(dict.fromkeys(names)) for status, names in codes.items()}


def idempotency_parameter() -> dict:
    """Return the `Idempotency-Key` header parameter every write documents."""
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": (
            f"Run this write once: a retry with the same key and body within 24 hours returns the stored "
            f"response (header `Idempotent-Replayed: true`); the same key with another body is 409 "
            f"`idempotency_key_mismatch`. At most {MAX_KEY_LENGTH} characters. `{ALIAS_HEADER}` is accepted "
            f"as an alias (docs/api.md, Idempotency)."
        ),
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    }


EXAMPLE_MESSAGES = {
    "unknown_parameter": "colour is not a parameter of this operation.",
    "parameter_invalid": "limit must be an integer from 1 to 100.",
    "parameter_missing": "This field is required.",
    "invalid_json": "JSON parse error.",
    "missing_api_key": "An API key is required: Authorization: Bearer <key>.",
    "invalid_api_key": "Invalid API key.",
    "insufficient_scope": "This API key lacks the required scope.",
    "entity_mismatch": "This API key belongs to another entity.",
    "not_found": "Not found.",
    "idempotency_key_mismatch": "This Idempotency-Key was used with a different request.",
    "internal_error": "Something went wrong on our side. Quote the request_id when reporting it.",
}


def error_response(status: int, codes: list[str]) -> dict:
    """Return a documented error response: the envelope, its codes listed and one example per code."""
    listed = ", ".join(f"`{code}`" for code in codes)
    error_type = ERROR_TYPES[status]
    examples = {
        code: {
            "value": {
                "error": {
                    "type": error_type,
                    "code": code,
                    "message": code.replace("_", " ").capitalize() + ".",
                },
                "request_id": "req_3f2a9c1e5b7d4a60",
            }
        }
        for code in codes
    }
    response = {
        "description": f"{STATUS_TEXT[status]} (`{error_type}`): {listed}.",
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"},
                "examples": examples,
            }
        },
    }
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


# --- postprocessing ------------------------------------------------------------------------------

SAMPLE_UUID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
SAMPLE_DATE = datetime.date(2026, 3, 2)


def postprocess(result, generator, request, public):
    """Give every request body of the native API an example, every response object `livemode` (a hook)."""
    schemas = result.get("components", {}).get("schemas", {})
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content is None or content.get("examples") or "example" in content:
                continue
            example = sample(content.get("schema", {}), schemas)
            content["examples"] = {"Example": {"value": example}}
    document_livemode(result)
    return result


def _resolved(schema: dict, schemas: dict) -> dict:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def sample(schema: dict, schemas: dict, name: str = ""):
    """Return a plausible value for a JSON schema: its example, its first choice, or a typed sample."""
    schema = _resolved(schema, schemas)
    if "example" in schema:
        return schema["example"]
    for combinator in ("oneOf", "anyOf", "allOf"):
        branches = [b for b in schema.get(combinator, []) if b.get("type") != "null"]
        if branches:
            return sample(branches[0], schemas, name)
    if schema.get("enum"):
        return next(value for value in schema["enum"] if value not in ("", None))
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        return {
            key: sample(value, schemas, key)
            for key, value in schema.get("properties", {}).items()
            if key in required
        }
    if kind == "array":
        return [sample(schema.get("items", {}), schemas, name)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(schema.get("minimum", 1), 1) if schema.get("maximum", 1) >= 1 else schema["maximum"]
    if kind == "number":
        return 100
    if kind == "boolean":
        return True
    return _sample_text(schema, name)


def _sample_text(schema: dict, name: str) -> str:
    text_format = schema.get("format")
    if text_format == "uuid":
        return SAMPLE_UUID
    if text_format == "date":
        return SAMPLE_DATE.isoformat()
    if text_format == "date-time":
        return f"{SAMPLE_DATE.isoformat()}T09:30:00Z"
    if name == "email":
        return "billing@example.com"
    text = name.replace("_", " ").capitalize() or "Text"
    return text[: schema.get("maxLength", len(text))]
