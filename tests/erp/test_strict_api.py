"""Nothing silently ignored: an unknown field or query parameter, a bad limit, ordering or cursor is a 400."""

import base64
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from rest_framework import serializers

from erp.api.errors import first_validation_error
from erp.api.serializers import InputSerializer
from numbering.services import sequence_create, sequence_issue_next
from tests.helpers import error_of
from tests.payables.factories import VendorBillFactory
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

GHOST = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def invoice_body(customer, **extra) -> dict:
    return {
        "customer_id": str(customer.pk),
        "invoice_date": "2026-03-02",
        "lines": [{"description": "Work", "unit_price": "10.00"}],
        **extra,
    }


# --- body fields ---------------------------------------------------------------------------------


def test_an_unknown_body_field_is_400_naming_it(api, customer):
    response = api.post("/v1/invoices", invoice_body(customer, due="2026-04-01"), format="json")
    assert error_of(response) == (400, "unknown_parameter", "due")
    assert response.json()["error"]["type"] == "validation_error"


def test_an_unknown_field_of_a_line_names_its_path(api, customer):
    body = invoice_body(customer)
    body["lines"] = [{"description": "A", "unit_price": 1}, {"description": "B", "unit_price": 1, "tax": 2}]
    assert error_of(api.post("/v1/invoices", body, format="json")) == (
        400,
        "unknown_parameter",
        "lines[1].tax",
    )


def test_an_unknown_field_is_reported_before_a_missing_one(api):
    assert error_of(api.post("/v1/customers", {"nmae": "Acme"}, format="json")) == (
        400,
        "unknown_parameter",
        "nmae",
    )


def test_an_unknown_field_of_an_application_names_its_path(api, customer, invoices):
    body = {
        "account_id": str(customer.pk),
        "payment_method": "ach",
        "amount": "10.00",
        "applications": [{"order_id": str(invoices[0].pk), "amount_applied": "10.00", "discount": "1"}],
    }
    response = api.post("/v1/payments/multi-invoice-apply", body, format="json")
    assert error_of(response) == (400, "unknown_parameter", "applications[0].discount")


def test_an_unknown_field_of_an_ap_payment_application_names_its_path(api, vendor):
    bill = VendorBillFactory(vendor=vendor)
    body = {
        "vendor_id": str(vendor.pk),
        "method": "ach",
        "amount": "1.00",
        "applications": [{"bill_id": str(bill.pk), "amount_applied": "1.00", "order_id": str(bill.pk)}],
    }
    response = api.post("/v1/ap-payments", body, format="json")
    assert error_of(response) == (400, "unknown_parameter", "applications[0].order_id")


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/v1/customers", {"name": "Acme", "phone": "1"}),
        ("/v1/vendors", {"name": "Acme", "phone": "1"}),
        ("/v1/vendor-credits", {"vendor_id": GHOST, "amount": "1.00", "memo": "x"}),
        ("/v1/vendor-bills", {"vendor_id": GHOST, "bill_date": "2026-03-02", "lines": [], "memo": "x"}),
    ],
)
def test_every_create_refuses_an_unknown_field(api, url, body):
    unknown = next(key for key in body if key in {"phone", "memo"})
    assert error_of(api.post(url, body, format="json")) == (400, "unknown_parameter", unknown)


def test_a_patch_refuses_an_unknown_field(api, customer):
    response = api.patch(f"/v1/customers/{customer.pk}", {"nickname": "A"}, format="json")
    assert error_of(response) == (400, "unknown_parameter", "nickname")


def test_a_void_refuses_an_unknown_field(api, invoices):
    response = api.post(
        f"/v1/invoices/{invoices[0].pk}/void", {"reason": "typo", "force": True}, format="json"
    )
    assert error_of(response) == (400, "unknown_parameter", "force")
    invoices[0].refresh_from_db()
    assert invoices[0].status != "void"


def test_an_issued_number_void_refuses_an_unknown_field(api, entity):
    sequence = sequence_create(entity=entity, name="Strict", format="S-{i4}", reset="never")
    with transaction.atomic():
        issued = sequence_issue_next(sequence=sequence)
    response = api.post(f"/v1/issued-numbers/{issued.pk}/void", {"reason": "x", "why": "y"}, format="json")
    assert error_of(response) == (400, "unknown_parameter", "why")


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"counter_type": "invoice", "advance_to": 5, "prefx": "INV"}, "prefx"),
        (
            {"counters": [{"counter_type": "invoice", "advance_to": 5}, {"counter_type": "po", "x": 1}]},
            "counters[1].x",
        ),
        ({"counters": [{"counter_type": "invoice", "advance_to": 5}], "counter_type": "po"}, "counter_type"),
    ],
)
def test_the_migration_advance_refuses_unknown_fields_in_either_form(api, entity, body, param):
    response = api.post(f"/v1/entities/{entity.pk}/migration/counters/advance", body, format="json")
    assert error_of(response) == (400, "unknown_parameter", param)


class Inner(serializers.Serializer):
    """A nested plain serializer: the outer InputSerializer checks it too."""

    a = serializers.IntegerField()


class Outer(InputSerializer):
    one = Inner(required=False)
    many = Inner(many=True, required=False)
    listed = serializers.ListField(child=Inner(), required=False)
    keyed = serializers.DictField(child=Inner(), required=False)
    shown = serializers.CharField(read_only=True)


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"one": {"a": 1, "b": 2}}, "one.b"),
        ({"many": [{"a": 1}, {"a": 1, "b": 2}]}, "many[1].b"),
        ({"listed": [{"a": 1, "c": 2}]}, "listed[0].c"),
        ({"keyed": {"k": {"a": 1, "d": 2}}}, "keyed.k.d"),
        ({"shown": "x"}, "shown"),  # an output-only field is not an input
    ],
)
def test_input_serializers_refuse_unknown_keys_at_any_depth(data, param):
    body = Outer(data=data)
    assert not body.is_valid()
    found, _, code = first_validation_error(body.errors)
    assert (found, code) == (param, "unknown_parameter")


def test_input_serializers_still_validate_their_fields():
    assert Outer(data={"one": {"a": 1}, "many": [{"a": 2}], "listed": [], "keyed": {}}).is_valid()
    body = Outer(data={"one": {"a": "x"}})
    assert not body.is_valid()
    assert body.errors["one"]["a"][0].code == "invalid"


# --- query parameters ----------------------------------------------------------------------------


def test_an_unknown_query_parameter_is_400_naming_it(api, customer):
    response = api.get(f"/v1/invoices?customer_id={customer.pk}")
    assert error_of(response) == (400, "unknown_parameter", "customer_id")
    assert api.get(f"/v1/invoices?customer={customer.pk}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/v1/customers/{customer}?status=open",  # a retrieve takes no filters
        "/v1/customers/{customer}?limit=5",
        "/v1/entities/{entity}?expand=keys",
        "/v1/entities/{entity}/migration/counters?counter_type=invoice",
        "/v1/accounts?format=json",
        "/v1/journal-entries?page=2",
    ],
)
def test_every_operation_refuses_an_unknown_query_parameter(api, entity, customer, url):
    response = api.get(url.format(customer=customer.pk, entity=entity.pk))
    status, code, _ = error_of(response)
    assert (status, code) == (400, "unknown_parameter")


def test_a_write_refuses_an_unknown_query_parameter_and_writes_nothing(api):
    response = api.post("/v1/customers?dry_run=1", {"name": "Acme"}, format="json")
    assert error_of(response) == (400, "unknown_parameter", "dry_run")
    assert api.get("/v1/customers").json()["data"] == []


def test_authentication_and_tenancy_come_before_the_query_check(client, api, other_entity):
    assert error_of(client.get("/v1/invoices?bogus=1"))[:2] == (401, "missing_api_key")
    assert error_of(api.get(f"/v1/entities/{other_entity.pk}?bogus=1"))[:2] == (403, "entity_mismatch")


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "", " 5", "١٠"])
def test_an_invalid_limit_is_400(api, limit):
    response = api.get("/v1/customers?" + urlencode({"limit": limit}))
    assert error_of(response) == (400, "parameter_invalid", "limit")


def test_limit_from_1_to_100_pages(api, entity):
    for index in range(3):
        CustomerFactory(entity=entity, name=f"C{index}")
    first = api.get("/v1/customers?limit=2").json()
    assert (len(first["data"]), first["has_more"]) == (2, True)
    assert api.get("/v1/customers?limit=100").status_code == 200
    second = api.get("/v1/customers?" + urlencode({"limit": 2, "cursor": first["next_cursor"]})).json()
    assert (len(second["data"]), second["has_more"]) == (1, False)


@pytest.mark.parametrize(
    "ordering", ["bogus", "name,bogus", "", "name,", " name", "--name", "email", "name,-created_at "]
)
def test_an_unknown_ordering_is_400(api, ordering):
    response = api.get("/v1/customers?" + urlencode({"ordering": ordering}))
    assert error_of(response) == (400, "parameter_invalid", "ordering")


def test_a_documented_ordering_orders(api, entity):
    for name in ("b", "a", "c"):
        CustomerFactory(entity=entity, name=name)
    names = [row["name"] for row in api.get("/v1/customers?ordering=-name").json()["data"]]
    assert names == ["c", "b", "a"]
    assert api.get("/v1/customers?ordering=name,-created_at").status_code == 200


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "",
        _cursor("o=x"),
        _cursor("p=not-a-date"),  # customers page by created_at
        _cursor("p=2026-01-01T00:00:00%2B16:00"),  # an offset PostgreSQL refuses
        _cursor("p=a%00b"),
    ],
)
def test_a_cursor_this_api_did_not_hand_out_is_400(api, entity, cursor):
    CustomerFactory(entity=entity)
    response = api.get("/v1/customers?" + urlencode({"cursor": cursor}))
    assert error_of(response) == (400, "parameter_invalid", "cursor")


def test_a_cursor_with_a_bad_position_for_a_numeric_ordering_is_400(api):
    response = api.get("/v1/issued-numbers?" + urlencode({"ordering": "value", "cursor": _cursor("p=x")}))
    assert error_of(response) == (400, "parameter_invalid", "cursor")


@pytest.mark.parametrize("query", ["status=", "customer=%20", "number="])
def test_an_empty_filter_is_400_not_ignored(api, query):
    status, code, param = error_of(api.get(f"/v1/invoices?{query}"))
    assert (status, code, param) == (400, "parameter_invalid", query.split("=")[0])


@pytest.mark.parametrize(
    "query", ["status=open&status=void", "limit=1&limit=2", "ordering=number&ordering=-number"]
)
def test_a_repeated_query_parameter_is_400(api, query):
    status, code, param = error_of(api.get(f"/v1/invoices?{query}"))
    assert (status, code, param) == (400, "parameter_invalid", query.split("=")[0])


def test_an_invalid_filter_value_is_400_naming_it(api):
    assert error_of(api.get("/v1/invoices?status=lost")) == (400, "invalid_choice", "status")
    assert error_of(api.get("/v1/invoices?customer=12")) == (400, "parameter_invalid", "customer")


def test_filters_still_filter(api, entity, customer):
    InvoiceFactory(customer=customer)
    other = InvoiceFactory(customer=CustomerFactory(entity=entity))
    found = api.get(f"/v1/invoices?customer={other.customer_id}&status=open&limit=5&ordering=-invoice_date")
    assert [row["id"] for row in found.json()["data"]] == [str(other.pk)]


@pytest.mark.urls("tests.erp.urls")
def test_an_action_declares_its_own_query_parameters(api):
    assert api.get("/v1/probe-queries/dated?on=2026-03-02").json() == {"on": "2026-03-02"}
    assert error_of(api.get("/v1/probe-queries/dated?on=x&at=y")) == (400, "unknown_parameter", "at")
    assert error_of(api.get("/v1/probe-queries?on=x")) == (400, "unknown_parameter", "on")  # not the list's
    assert api.get("/v1/probe-queries?limit=5").status_code == 200  # a list pages


@pytest.mark.urls("tests.erp.urls")
@pytest.mark.parametrize("query", ["on=", "on=%20", "on=a&on=b"])
def test_an_operations_own_parameter_given_empty_or_twice_is_400(api, query):
    assert error_of(api.get(f"/v1/probe-queries/dated?{query}")) == (400, "parameter_invalid", "on")


def test_a_query_parameter_without_a_name_is_400(api):
    response = api.get("/v1/customers?=1")
    assert error_of(response) == (400, "unknown_parameter", None)


# --- Idempotency alias ---------------------------------------------------------------------------


def test_the_idempotency_header_is_an_alias_of_idempotency_key(api):
    first = api.post("/v1/customers", {"name": "Once"}, format="json", HTTP_IDEMPOTENCY="alias-1")
    again = api.post("/v1/customers", {"name": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="alias-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert len(api.get("/v1/customers").json()["data"]) == 1
    mismatch = api.post("/v1/customers", {"name": "Other"}, format="json", HTTP_IDEMPOTENCY="alias-1")
    assert error_of(mismatch)[:2] == (409, "idempotency_key_mismatch")


def test_the_alias_and_the_header_naming_different_keys_is_400(api):
    response = api.post(
        "/v1/customers",
        {"name": "Twice"},
        format="json",
        HTTP_IDEMPOTENCY="a",
        HTTP_IDEMPOTENCY_KEY="b",
    )
    assert error_of(response) == (400, "invalid_idempotency_key", "Idempotency")
    same = api.post(
        "/v1/customers", {"name": "Same"}, format="json", HTTP_IDEMPOTENCY="c", HTTP_IDEMPOTENCY_KEY="c"
    )
    assert same.status_code == 201


def test_the_alias_is_checked_like_the_header(api):
    response = api.post("/v1/customers", {"name": "Long"}, format="json", HTTP_IDEMPOTENCY="k" * 256)
    assert error_of(response) == (400, "idempotency_key_too_long", "Idempotency")


# --- the OpenAPI schema ----------------------------------------------------------------------------

AREAS = {"entities", "numbering", "ledger", "receivables", "payables"}
WRITES = {"post", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/v1/openapi.json").json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if path.startswith("/v1/"):
                yield path, method, operation


def test_every_operation_has_its_areas_tag(schema):
    assert {tag["name"] for tag in schema["tags"]} == AREAS
    for path, method, operation in operations(schema):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in AREAS, (method, path)
    assert schema["paths"]["/v1/invoices"]["get"]["tags"] == ["receivables"]
    assert schema["paths"]["/v1/vendor-credits"]["post"]["tags"] == ["payables"]
    assert schema["paths"]["/v1/journal-entries"]["get"]["tags"] == ["ledger"]


def test_every_operation_documents_its_errors_in_the_envelope(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        for status in ("400", "401", "500"):
            content = responses[status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path, status)
            assert "unknown_parameter" in content["examples"] or status != "400"
        # Every write may conflict; a read only where it says so (a preview of an exhausted sequence).
        assert "409" in responses or method not in WRITES, (method, path)
    preview = schema["paths"]["/v1/document-sequences/{id}/preview"]["get"]["responses"]
    assert set(preview["409"]["content"]["application/json"]["examples"]) == {"sequence_exhausted"}
    envelope = schema["components"]["schemas"]["Error"]
    assert envelope["required"] == ["error", "request_id"]
    apply = schema["paths"]["/v1/payments/multi-invoice-apply"]["post"]["responses"]
    assert {"duplicate_document", "amount_mismatch"} <= set(
        apply["422"]["content"]["application/json"]["examples"]
    )
    assert "`resource_missing`" in apply["404"]["description"]


def test_every_write_documents_idempotency_key(schema):
    for path, method, operation in operations(schema):
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert ("Idempotency-Key" in headers) == (method in WRITES), (method, path)


def test_every_body_has_an_example_and_refuses_unknown_fields(schema):
    components = schema["components"]["schemas"]
    for path, method, operation in operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        content = body["content"]["application/json"]
        assert content["examples"], (method, path)
        ref = content["schema"].get("$ref", "").rsplit("/", 1)[-1]
        if path.startswith(
            ("/v1/invoices", "/v1/payments", "/v1/vendor", "/v1/ap-payments", "/v1/customers")
        ):
            assert components[ref]["additionalProperties"] is False, (method, path)


def test_paging_and_ordering_are_documented_with_their_bounds(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/v1/customers"]["get"]["parameters"]}
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100)
    assert parameters["ordering"]["pattern"] == "^-?(name|created_at)(,-?(name|created_at))*$"
    assert parameters["name"]["minLength"] == 1
