"""Helpers of the API fuzz suite: aiming generated ids at real objects, and reading input as DRF reads it."""

import datetime
import re
import uuid
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.dateparse import parse_date, parse_datetime
from schemathesis.core.parameters import ParameterLocation


@dataclass
class World:
    """A fuzzing entity, its all-scopes key and the ids of its real objects, in a fixed order."""

    entity_id: str
    token: str
    ids: dict[str, list[str]] = field(default_factory=dict)


def idempotency_key_for(case) -> dict:
    """Return an `Idempotency-Key` header naming this exact request, if the case generated a valid key.

    Generated keys repeat across cases (one entity serves them all), so a case would be answered
    with another's stored outcome; a key derived from the request replays only the same request.
    Idempotency itself is tested in tests/erp.
    """
    if "Idempotency-Key" not in (case.headers or {}) or case.meta.is_negative_at(ParameterLocation.HEADER):
        return {}
    request = (case.method, case.formatted_path, sorted((case.query or {}).items()), case.body)
    return {"Idempotency-Key": f"fuzz-{digest(request)}"}


def digest(value) -> int:
    """Return a stable hash of a generated value (the same on every run, unlike hash())."""
    return zlib.crc32(repr(value).encode())


def is_uuid(value) -> bool:
    """Return whether `value` is a uuid written as text."""
    try:
        return isinstance(value, str) and uuid.UUID(value) is not None
    except ValueError:
        return False


def aimed(values: list[str], generated, *, negated: bool = False):
    """Swap a generated id for one of `values` three times in four; never one generated invalid."""
    if negated or not values or digest(generated) % 4 == 0:
        return generated
    return values[digest(generated) % len(values)]


BODY_REFERENCES = {"customer_id": "customers", "account_id": "customers", "vendor_id": "vendors"}
APPLICATION_REFERENCES = {"order_id": "invoices", "invoice_id": "invoices", "bill_id": "vendor-bills"}


def aim(case, world: World) -> None:
    """Point a case's ids at the world's real objects and, for half the bodies, its money at cents.

    Path ids are replaced only when the path was generated valid, body ids only when they are
    uuids: a value made invalid on purpose (negative mode) stays invalid, and schemathesis
    re-validates an edited case before judging it.
    """
    path = case.path_parameters or {}
    path_negated = case.meta.is_negative_at(ParameterLocation.PATH)
    if "entity_id" in path and not path_negated:
        path["entity_id"] = world.entity_id
    if "id" in path:
        resource = case.operation.path.split("/")[2]
        path["id"] = aimed(world.ids.get(resource, []), path["id"], negated=path_negated)
    body = case.body
    if not isinstance(body, dict):
        return
    for name, resource in BODY_REFERENCES.items():
        if name in body:
            body[name] = aimed(world.ids[resource], body[name], negated=not is_uuid(body[name]))
    listed = body.get("applications")
    applications = [item for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
    for application in applications:
        for name, resource in APPLICATION_REFERENCES.items():
            if name in application:
                value = application[name]
                application[name] = aimed(world.ids[resource], value, negated=not is_uuid(value))
        if is_uuid(application.get("order_id")) and is_uuid(application.get("invoice_id")):
            application["invoice_id"] = application["order_id"]
    if isinstance(body.get("vendor_credit_ids"), list):
        body["vendor_credit_ids"] = [
            aimed(world.ids["vendor-credits"], value, negated=not is_uuid(value))
            for value in body["vendor_credit_ids"]
        ]
    if case.meta.generation.mode.is_positive and digest(body) % 2:
        _aim_money(case.operation.path, body, applications, world)


def _aim_money(path: str, body: dict, applications: list[dict], world: World) -> None:
    """Make a valid money body plausible: amounts in cents that add up, distinct documents, no stray fields.

    Schema-valid money is mostly refused by the rules (a random amount exceeds any balance); this
    lets half the cases get past them to the locks, postings and numbering, and their 201 bodies.
    """
    for line in body.get("lines") or []:
        if isinstance(line, dict):
            line["unit_price"] = f"{digest(line) % 50_000 / 100:.2f}"
            line["quantity"] = digest(line) % 3 + 1
    body.pop("due_date", None)  # random dates fall before the document's date half the time
    if body.get("payment_method", body.get("method")) != "check":
        body.pop("check_number", None)
        body.pop("check_date", None)
    if path.endswith("/migration/counters/advance"):
        advance_to = digest(body) % 1000 + 10
        body.clear()
        body.update({"counter_type": "invoice", "advance_to": advance_to})
    if applications:
        # The world's first two invoices and bills are open (the third of each is paid).
        invoices = path == "/v1/payments/multi-invoice-apply"
        documents = world.ids["invoices" if invoices else "vendor-bills"][:2]
        body["applications"] = applications = applications[: len(documents)]
        for document, application in zip(documents, applications, strict=False):
            application.pop("invoice_id", None)
            application["order_id" if invoices else "bill_id"] = document
            application["amount_applied"] = f"{digest(application) % 2_000 / 100 + 0.01:.2f}"
        if "amount" in body:
            body["amount"] = str(sum(Decimal(a["amount_applied"]) for a in applications))
    elif "amount" in body:
        body["amount"] = f"{digest(body) % 50_000 / 100 + 0.01:.2f}"


# DRF's IntegerField drops a trailing ".0…" and whitespace before int().
_INTEGRAL_TEXT = re.compile(r"^\s*[+-]?\d+(\.0*)?\s*$")
_DRF_TRUE = {"true", "True", "TRUE", "1", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y", "t", "T", 1}
_DRF_FALSE = {"false", "False", "FALSE", "0", "no", "No", "NO", "off", "Off", "OFF", "n", "N", "f", "F", 0}


def read_as_drf(value, schema: dict, bundle: dict):
    """Return `value` as DRF's fields read it, guided by the JSON schema that documents them.

    DRF is lenient by design: a CharField takes a number and trims whitespace, an IntegerField
    takes "12" or 12.0, a UUIDField takes an integer or any spelling uuid.UUID parses, a DateField
    and a DateTimeField take ISO 8601 variants (no seconds, no offset), a BooleanField takes "yes".
    """
    schema = _resolved(schema, bundle)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            branches = [b for b in schema[combinator] if b.get("type") != "null"]
            if isinstance(value, dict) and len(branches) > 1:
                # A body of several forms (the migration advance: one counter or `counters`) is
                # read as the one form whose required fields it has, as the view picks it.
                branches = [
                    b for b in branches if set(_resolved(b, bundle).get("required", [])) <= set(value)
                ]
            if value is None or len(branches) != 1:
                return value
            return read_as_drf(value, branches[0], bundle)
    kind = schema.get("type")
    if kind == "object" and isinstance(value, dict):
        properties = schema.get("properties", {})
        return {key: read_as_drf(item, properties.get(key, {}), bundle) for key, item in value.items()}
    if kind == "array" and isinstance(value, list):
        return [read_as_drf(item, schema.get("items", {}), bundle) for item in value]
    if kind == "string":
        return _read_text(value, schema)
    if kind == "integer":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INTEGRAL_TEXT.match(value):
            return int(Decimal(value.strip()))
    if kind == "boolean" and not isinstance(value, bool | float):
        if value in _DRF_TRUE:
            return True
        if value in _DRF_FALSE:
            return False
    return value


def _resolved(schema: dict, bundle: dict) -> dict:
    while "$ref" in schema:
        schema = bundle[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _read_text(value, schema: dict):
    if isinstance(value, int | float) and not isinstance(value, bool):
        if schema.get("format") == "uuid" and isinstance(value, int) and 0 <= value < 2**128:
            return str(uuid.UUID(int=value))
        value = str(value)
    if not isinstance(value, str):
        return value
    if schema.get("format") == "uuid":
        return str(uuid.UUID(value)) if _parses(uuid.UUID, value) else value
    if schema.get("format") == "date":
        parsed = parse_date(value) if _parses(parse_date, value) else None
        return value if parsed is None else parsed.isoformat()
    if schema.get("format") == "date-time":
        parsed = parse_datetime(value) if _parses(parse_datetime, value) else None
        if parsed is None:
            return value
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        return parsed.isoformat()
    if "format" in schema or "enum" in schema:
        return value
    return value.strip()


def _parses(parser, value) -> bool:
    try:
        parser(value)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def body_is_valid_as_drf_reads_it(case) -> bool:
    """Return whether a case's body, read the way DRF reads it, satisfies the documented schema."""
    if not isinstance(case.body, dict | list) or case.media_type is None:
        return False
    alternative = case.operation.get_body_for_media_type(case.media_type)
    if alternative is None:
        return False
    schema = alternative.validation_schema
    read = read_as_drf(case.body, schema, schema.get("x-bundled", {}))
    # The validator schemathesis itself re-validates edited cases with (its API as pinned, 4.32).
    validator = case.operation.schema.adapter.jsonschema_validator_cls
    return case._validate_component(ParameterLocation.BODY, read, validator)


def negative_only_in(case, *locations: ParameterLocation) -> bool:
    """Return whether every component generated invalid lies in `locations`."""
    negated = {location for location in case.meta.components if case.meta.is_negative_at(location)}
    return bool(negated) and negated <= set(locations)
