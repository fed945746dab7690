"""The error envelope is the same for every 4xx/5xx, and leaks nothing internal."""

import json

import pytest
from rest_framework.exceptions import ErrorDetail

from erp.api.errors import first_validation_error, not_found_view, server_error_view

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.erp.urls")]


def assert_envelope(response, status, error_type, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "request_id"}
    assert body["error"]["type"] == error_type
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["request_id"] == response["X-Request-Id"]
    return body["error"]


def test_400_for_malformed_json(api):
    response = api.generic("POST", "/v1/probe-writes", "{not json", content_type="application/json")
    assert_envelope(response, 400, "validation_error", "invalid_json")


def test_401_without_a_key(client, entity):
    assert_envelope(client.get(f"/v1/entities/{entity.id}"), 401, "permission_error", "missing_api_key")


def test_403_for_a_missing_scope(entity, make_client):
    response = make_client(entity, scopes=["payments:read"]).post("/v1/probe-writes", {"name": "a"})
    error = assert_envelope(response, 403, "permission_error", "insufficient_scope")
    assert error["required"] == "numbering:write"


def test_404_for_an_unknown_api_path(api):
    assert_envelope(api.get("/v1/no-such-thing"), 404, "not_found", "not_found")


def test_405_for_a_method_the_endpoint_does_not_offer(api, entity):
    assert_envelope(api.delete(f"/v1/entities/{entity.id}"), 405, "validation_error", "method_not_allowed")


def test_422_carries_the_domain_code_and_param(api):
    response = api.post("/v1/probe-writes", {"name": "r", "reject": True})
    error = assert_envelope(response, 422, "validation_error", "probe_rejected")
    assert error["param"] == "reject"


def test_500_is_enveloped_without_internals(api):
    api.raise_request_exception = False
    response = api.post("/v1/probe-writes", {"name": "boom", "explode": True})
    error = assert_envelope(response, 500, "internal", "internal_error")
    assert "SELECT" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "request_id" in error["message"]


def test_a_callers_request_id_is_echoed_and_a_hostile_one_replaced(api, entity):
    response = api.get(f"/v1/entities/{entity.id}", HTTP_X_REQUEST_ID="trace-123")
    assert response["X-Request-Id"] == "trace-123"
    response = api.get(f"/v1/entities/{entity.id}", HTTP_X_REQUEST_ID="bad id\r\nSet-Cookie: x")
    assert response["X-Request-Id"].startswith("req_")


def test_list_serializer_errors_keyed_by_index_become_brackets():
    detail = {"lines": {1: {"description": [ErrorDetail("This field is required.", code="required")]}}}
    assert first_validation_error(detail)[0] == "lines[1].description"


def test_validation_errors_point_at_nested_params():
    detail = {
        "applications": [
            {},
            {},
            {},
            {"amount_applied": [ErrorDetail("Must be positive.", code="min_value")]},
        ]
    }
    assert first_validation_error(detail) == (
        "applications[3].amount_applied",
        "Must be positive.",
        "min_value",
    )


@pytest.mark.parametrize("path", ["/v1/x", "/ia/api/v1/x", "/portos/x"])
def test_django_level_errors_of_the_api_and_its_dialects_are_json(rf, path):
    # Errors raised outside a DRF view (a middleware, the URL resolver) never fall back to HTML there.
    for view, status in ((server_error_view, 500), (not_found_view, 404)):
        response = view(rf.get(path))
        assert (response.status_code, response["Content-Type"]) == (status, "application/json")
        assert set(json.loads(response.content)) == {"error", "request_id"}
    assert "html" in server_error_view(rf.get("/admin/x"))["Content-Type"]
