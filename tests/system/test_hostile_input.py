"""Hostile input to every write endpoint of the native API and both dialects: 4xx, envelope, nothing written.

The endpoints come from the URLconf (as in test_isolation_matrix.py), `/v1/`, `/ia/api/v1/` and
`/portos/` alike, so an endpoint added later is attacked without editing this file. Each one gets
oversized and deeply nested bodies, broken JSON, wrong shapes and types, control characters, lone
surrogates, huge numbers and a bad Idempotency-Key, with a real object of the caller's own entity in
its path (so the request gets past the 404 to its body). Then a few valid bodies with one hostile
field each show the field-level refusals (`param`), and the limits of docs/api.md ("Limits").
"""

import json
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, get_resolver

from erp.api.parsers import json_depth
from numbering.models import Sequence
from numbering.services import sequence_create
from tests.system.objects import object_for
from tests.system.test_isolation_matrix import PARAM, Endpoint, _walk, model_of

pytestmark = pytest.mark.django_db

PREFIXES = ("v1/", "ia/api/v1/", "portos/")
WRITE_METHODS = ("post", "patch", "put", "delete")
MB = 1_048_576


def write_endpoints() -> list[Endpoint]:
    """Return every (route, write method) the native API and the dialects serve."""
    endpoints = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        if not isinstance(pattern, URLPattern) or cls is None or not route.startswith(PREFIXES):
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions:
            for method, action in actions.items():
                if method in WRITE_METHODS:
                    endpoints.add(Endpoint(route, method.upper(), cls, action))
        else:
            for method in WRITE_METHODS:
                if hasattr(cls, method) and method in cls.http_method_names:
                    endpoints.add(Endpoint(route, method.upper(), cls, None))
    return sorted(endpoints, key=str)


ENDPOINTS = write_endpoints()


def test_every_api_and_both_dialects_are_attacked():
    roots = {next(p for p in PREFIXES if e.route.startswith(p)) for e in ENDPOINTS}
    assert roots == set(PREFIXES)
    assert len(ENDPOINTS) >= 25


def url_for(endpoint: Endpoint, entity) -> str:
    """Fill the path with the caller's own entity and a real object of its own."""
    made = {}

    def fill(match):
        name = match.group("name") or match.group("rname")
        if name == "entity_id":
            return str(entity.id)
        if endpoint.route.startswith(("ia/", "portos/")):
            if "sequence" not in made:
                made["sequence"] = sequence_create(entity=entity, name="Hostile", format="H{n}")
            sequence = made["sequence"]
            return str(sequence.key) if name == "key" else sequence.portos_id
        obj = made.setdefault("object", object_for(model_of(endpoint), entity=entity))
        return str(obj.pk)

    return "/" + PARAM.sub(fill, endpoint.route).replace("^", "").replace("$", "")


TABLES = sorted(
    model._meta.db_table
    for model in apps.get_models()
    if model._meta.app_label in {"erp", "numbering", "ledger", "receivables", "payables"}
)


def row_counts() -> dict:
    """Count the rows of every Folio table, the ledger's included (one statement)."""
    sql = " UNION ALL ".join(f"SELECT '{table}', count(*) FROM \"{table}\"" for table in TABLES)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


JSON = "application/json"

# (label, body, content type, extra headers, expected status or None for any 4xx, expected code or None).
# MAYBE_VALID bodies are valid for some operations (a PATCH changing nothing, an issue with defaults):
# there they may succeed; anywhere else they are refused like the rest. Never a 5xx.
HOSTILE = [
    ("json_over_1_mib", json.dumps({"name": "x" * (MB + 10)}), JSON, {}, 413, "request_too_large"),
    ("form_over_1_mib", "name=" + "x" * (MB + 10), "application/x-www-form-urlencoded", {}, 413, None),
    ("text_over_1_mib", "x" * (MB + 10), "text/plain", {}, 413, None),
    ("nested_5000_deep", "[" * 5000 + "]" * 5000, JSON, {}, 400, "invalid_json"),
    ("nested_33_deep", '{"name": ' + "[" * 33 + "]" * 33 + "}", JSON, {}, 400, "invalid_json"),
    ("objects_nested_3000_deep", '{"a":' * 3000 + "1" + "}" * 3000, JSON, {}, 400, "invalid_json"),
    ("broken_json", '{"name": ', JSON, {}, 400, "invalid_json"),
    ("not_utf8", b'{"name": "\xff\xfe"}', JSON, {}, 400, "invalid_json"),
    ("unknown_charset", '{"name": "x"}', JSON + "; charset=klingon", {}, 415, None),
    ("latin1_charset", '{"name": "x"}', JSON + "; charset=latin-1", {}, 415, None),
    ("nan", '{"amount": NaN, "name": Infinity}', JSON, {}, 400, "invalid_json"),
    ("lone_surrogate", '{"name": "\\ud800", "format": "\\udfff"}', JSON, {}, 400, "invalid_json"),
    ("integer_5000_digits", '{"amount": ' + "9" * 5000 + "}", JSON, {}, 400, "invalid_json"),
    ("empty_body", "", JSON, {}, None, None),
    ("array", "[]", JSON, {}, None, None),
    ("array_of_objects", '[{"name": "x"}]', JSON, {}, None, None),
    ("string", '"hello"', JSON, {}, None, None),
    ("number", "42", JSON, {}, None, None),
    ("null", "null", JSON, {}, None, None),
    ("empty_object", "{}", JSON, {}, None, None),
    ("xml", "<a/>", "application/xml", {}, 415, None),
    (
        "wrong_types",
        json.dumps(
            {
                "name": ["x"],
                "amount": {"a": 1},
                "lines": "x",
                "applications": {},
                "customer_id": 5,
                "counters": "x",
                "format": 7,
                "id": [],
                "numberings": 3,
            }
        ),
        JSON,
        {},
        None,
        None,
    ),
    (
        "huge_numbers",
        json.dumps({"amount": 10**40, "advance_to": 2**64, "count": -(10**30), "nextNumber": 10**300}),
        JSON,
        {},
        None,
        None,
    ),
    ("float_money", '{"amount": 1e308, "unit_price": 0.1, "amount_applied": -1e-300}', JSON, {}, None, None),
    ("infinite_float", '{"amount": 1e400}', JSON, {}, None, None),
    (
        "control_characters",
        json.dumps({"name": "a\x00b", "format": "F\x1b[31m{n}", "id": "x\x07", "reason": "r\x00"}),
        JSON,
        {},
        None,
        None,
    ),
    ("unicode_keys", json.dumps({"名前": "x", "": 1, "\u202e": "rtl"}), JSON, {}, None, None),
    ("nul_in_key", '{"na\\u0000me": "x"}', JSON, {}, None, None),
    ("idempotency_key_with_nul", '{"name": "x"}', JSON, {"HTTP_IDEMPOTENCY_KEY": "k\x00"}, 400, None),
    ("idempotency_key_with_escape", '{"name": "x"}', JSON, {"HTTP_IDEMPOTENCY_KEY": "k\x1b[2J"}, 400, None),
]


def assert_refused(response, endpoint, label, status, code):
    where = f"{endpoint} {label}: {response.status_code} {response.content[:300]!r}"
    assert 400 <= response.status_code < 500, where
    if status is not None:
        assert response.status_code == status, where
    body = response.json()
    if endpoint.route.startswith("ia/"):
        error = body["ia::error"]
        assert {"code", "message", "errorId", "supportId", "details"} <= set(error), where
        assert error["supportId"] == response["X-Request-Id"], where
        got = error["errorId"]
    else:
        error = body["error"]
        assert error["type"] in {"validation_error", "not_found", "conflict"}, where
        assert body["request_id"] == response["X-Request-Id"], where
        got = error["code"]
    assert got and got == got.lower() and " " not in got, where
    if code is not None:
        assert got == code, where


MAYBE_VALID = {"empty_body", "empty_object"}
# A DELETE reads no body: only what is judged before the view runs applies to it.
BEFORE_THE_VIEW = {
    "json_over_1_mib",
    "form_over_1_mib",
    "text_over_1_mib",
    "idempotency_key_with_nul",
    "idempotency_key_with_escape",
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_hostile_bodies_are_refused_with_the_envelope_and_write_nothing(endpoint, entity, api):
    url = url_for(endpoint, entity)
    for label, body, content_type, headers, status, code in HOSTILE:
        if endpoint.method == "DELETE" and label not in BEFORE_THE_VIEW:
            continue
        before = row_counts()
        response = api.generic(endpoint.method, url, body, content_type=content_type, **headers)
        if label in MAYBE_VALID and response.status_code < 300:
            continue
        assert_refused(response, endpoint, label, status, code)
        assert row_counts() == before, f"{endpoint} {label} wrote something"


# A valid body per operation and the path of one text field in it: each control character there is a 400
# naming the field, in the native API and both dialects.
TEXT_TARGETS = [
    ("POST", "/v1/customers", {"name": "Ok"}, ("name",), "name"),
    ("POST", "/v1/vendors", {"name": "Ok", "email": "a@example.com"}, ("email",), "email"),
    ("POST", "/v1/customers", {"name": "Ok", "external_reference": "r"}, ("external_reference",), None),
    ("POST", "/v1/document-sequences", {"name": "Ok", "format": "OK{n}"}, ("format",), "format"),
    ("POST", "/v1/document-sequences", {"name": "Ok", "format": "OK{n}"}, ("name",), "name"),
    (
        "POST",
        "/ia/api/v1/objects/company-config/document-sequence",
        {"id": "Ok", "printTitle": "Ok", "fixedPrefix": "P", "nextNumber": 1},
        ("fixedPrefix",),
        "fixedPrefix",
    ),
    (
        "POST",
        "/portos/stocktransfernumberings",
        {
            "id": "5a0000000000000000000009",
            "isActive": True,
            "type": "Transfer",
            "format": "T{i4}",
            "repeat": False,
        },
        ("format",),
        "format",
    ),
]
CONTROL = ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\t", "\n"]


@pytest.mark.parametrize("method, url, body, path, param", TEXT_TARGETS, ids=lambda v: str(v)[:40])
def test_a_control_character_in_a_text_field_is_a_400_naming_it(api, method, url, body, path, param):
    before = row_counts()
    for char in CONTROL:
        hostile = json.loads(json.dumps(body))
        hostile[path[0]] = f"{hostile[path[0]][:1]}{char}x"
        response = api.generic(method, url, json.dumps(hostile), content_type=JSON)
        where = f"{url} {char!r}: {response.content[:300]!r}"
        assert response.status_code == 400, where
        if url.startswith("/ia/"):
            error = response.json()["ia::error"]
            assert (error["errorId"], error["details"][0]["field"]) == ("parameter_invalid", param), where
        else:
            error = response.json()["error"]
            assert (error["code"], error["param"]) == ("parameter_invalid", param or path[0]), where
    assert row_counts() == before


def test_multi_line_text_keeps_tabs_and_line_breaks_but_no_other_control(api, customer):
    body = {
        "customer_id": str(customer.id),
        "invoice_date": "2026-03-02",
        "lines": [{"description": "Line one\n\tindented", "unit_price": "10.00"}],
        "notes": "First line\r\nSecond line",
    }
    assert api.post("/v1/invoices", body, format="json").status_code == 201
    before = row_counts()
    for field, value in [("notes", "a\x00b"), ("notes", "bell\x07"), ("lines", "esc\x1b")]:
        hostile = json.loads(json.dumps(body))
        if field == "lines":
            hostile["lines"][0]["description"] = value
        else:
            hostile[field] = value
        response = api.post("/v1/invoices", hostile, format="json")
        param = "lines[0].description" if field == "lines" else field
        assert response.status_code == 400, response.content
        assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
            "parameter_invalid",
            param,
        )
    assert row_counts() == before


def test_a_body_of_exactly_the_limit_is_read(api):
    # The limit is on the body, not on one field: 1 MiB of JSON is parsed and judged by its fields.
    padding = MB - len(json.dumps({"name": ""}))
    response = api.generic("POST", "/v1/customers", json.dumps({"name": "x" * padding}), content_type=JSON)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "name_too_long")


def test_json_nested_32_deep_is_read(api):
    body = '{"name": "Ok", "email": ' + "[" * 31 + "]" * 31 + "}"
    response = api.generic("POST", "/v1/customers", body, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "email"  # judged by the field, not refused as JSON


def test_an_unterminated_string_of_escaped_quotes_is_refused_in_one_pass(api):
    # Found by review: the depth check's string pattern rescanned from every quote, so this ~1 MiB body
    # cost about an hour of CPU; it now answers at once (pytest-timeout fails the test otherwise).
    body = '"' + '\\"' * ((MB - 2) // 2)
    response = api.generic("POST", "/v1/customers", body, content_type=JSON)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_json")
    assert json_depth('{"a": "x]\\"[", "b": [1, {"c": "}"}]}') == 3
    assert json_depth('"unterminated [[[') == 0


@pytest.mark.parametrize("field", ["fiscal_years", "numberings"])
def test_period_lists_hold_at_most_100_entries(api, field):
    base = {"name": "Yearly", "format": "Y{yyyy}-{n}", "reset": "fiscal_year"}
    if field == "fiscal_years":
        entries = [{"fiscal_year": 1901 + i, "next_number": 1} for i in range(101)]
    else:
        base = {"name": "Monthly", "format": "M{yyyy}{MM}-{n}", "reset": "month"}
        entries = [{"start": f"{2000 + i // 12}-{i % 12 + 1:02d}-01", "next_number": 1} for i in range(101)]
    before = row_counts()
    response = api.post("/v1/document-sequences", {**base, field: entries}, format="json")
    assert response.status_code == 400, response.content
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
        f"too_many_{field}",
        field,
    )
    assert row_counts() == before
    assert (
        api.post("/v1/document-sequences", {**base, field: entries[:100]}, format="json").status_code == 201
    )


def test_a_counter_advance_past_the_cap_is_refused(api, entity):
    sequence = sequence_create(entity=entity, name="Capped", format="C{n}")
    response = api.patch(f"/v1/document-sequences/{sequence.id}", {"next_number": 2**63 - 1}, format="json")
    assert response.status_code == 422, response.content
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
        "advance_too_far",
        "next_number",
    )
    migration = api.post(
        f"/v1/entities/{entity.id}/migration/counters/advance",
        {"counter_type": "invoice", "advance_to": 2**63 - 1},
        format="json",
    )
    assert migration.status_code == 200
    assert (migration.json()["results"][0]["code"], migration.json()["results"][0]["param"]) == (
        "advance_too_far",
        "advance_to",
    )
    assert Sequence.objects.get(pk=sequence.pk).version == sequence.version


@pytest.mark.parametrize("invoice_date", ["0001-01-01", "1899-12-31", "9999-12-31", "2999-01-01"])
def test_a_document_date_out_of_range_is_422(api, customer, invoice_date):
    before = row_counts()
    body = {
        "customer_id": str(customer.id),
        "invoice_date": invoice_date,
        "lines": [{"description": "x", "unit_price": "1.00"}],
    }
    response = api.post("/v1/invoices", body, format="json")
    assert response.status_code == 422, response.content
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
        "date_out_of_range",
        "invoice_date",
    )
    assert row_counts() == before


def test_an_unknown_path_with_a_huge_body_is_still_a_404(api):
    response = api.generic("POST", f"/v1/nothing-{uuid.uuid4().hex}", "x" * (MB + 10), content_type=JSON)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/v1/activity?action=x%01",
        "/v1/activity?occurred_after=2026-01-01%00",
        "/v1/document-sequences?name=a%00b",
        "/v1/invoices?status=open%1b",
        "/v1/reports/ar-aging?as_of=2026-01-01%00",
    ],
)
def test_a_control_character_in_a_query_string_is_a_400(api, url):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "parameter_invalid"
