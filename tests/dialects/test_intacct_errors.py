"""Intacct errors: auth (401/403), unknown keys and paths (404), bad input (400) and conflicts (409), each in
the {"ia::error": {...}} shape with the request id as supportId."""

import pytest

from erp.services.api_keys import api_key_revoke
from tests.erp.factories import api_key_with_token

pytestmark = pytest.mark.django_db

BASE = "/ia/api/v1/objects/company-config/document-sequence"
QUERY = "/ia/api/v1/services/core/query"
QUERY_BODY = {"object": "company-config/document-sequence"}


def assert_ia_error(response, status: int, kind: str, code: str, field=None) -> dict:
    """Check the whole Intacct error shape and return its error object."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"ia::error"}
    error = body["ia::error"]
    assert set(error) == {"code", "message", "errorId", "supportId", "details"}
    assert (error["code"], error["errorId"]) == (kind, code)
    assert error["supportId"] == response["X-Request-Id"]
    assert error["details"] == [{"code": code, "message": error["message"], "field": field}]
    return error


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", BASE, None),
        ("post", BASE, {"id": "X"}),
        ("get", f"{BASE}/1", None),
        ("post", QUERY, QUERY_BODY),
    ],
)
def test_no_key_and_a_bad_key_are_401(client_for_token, entity, method, path, body):
    api_key, token = api_key_with_token(entity=entity, scopes=["numbering:read", "numbering:write"])
    api_key_revoke(api_key=api_key)
    kwargs = {"data": body, "format": "json"} if body is not None else {}
    missing = getattr(client_for_token(None), method)(path, **kwargs)
    assert_ia_error(missing, 401, "unauthorized", "missing_api_key")
    assert missing["WWW-Authenticate"].startswith("Bearer")
    revoked = getattr(client_for_token(token), method)(path, **kwargs)
    assert_ia_error(revoked, 401, "unauthorized", "invalid_api_key")


def test_writes_need_numbering_write_and_reads_numbering_read(make_client, entity):
    reader = make_client(entity, scopes=["numbering:read"])
    error = assert_ia_error(
        reader.post(BASE, {"id": "X"}, format="json"), 403, "forbidden", "insufficient_scope"
    )
    assert "numbering:write" in error["message"]
    assert reader.post(QUERY, QUERY_BODY, format="json").status_code == 200
    writer = make_client(entity, scopes=["numbering:write"])
    assert_ia_error(writer.get(BASE), 403, "forbidden", "insufficient_scope")
    assert_ia_error(writer.post(QUERY, QUERY_BODY, format="json"), 403, "forbidden", "insufficient_scope")


def test_an_unknown_key_is_404(api):
    for path in (f"{BASE}/999999999", f"{BASE}/abc", f"{BASE}/{'9' * 40}"):
        assert_ia_error(api.get(path), 404, "notFound", "resource_missing", "key")


def test_an_unknown_path_is_404_in_the_intacct_shape(api):
    assert_ia_error(api.get("/ia/api/v1/objects/company-config/vendor"), 404, "notFound", "not_found")
    assert_ia_error(
        api.post("/ia/api/v1/services/core/composite", {}, format="json"), 404, "notFound", "not_found"
    )


def test_bad_input_is_400(api):
    assert_ia_error(api.post(BASE, {"id": "X", "colour": "red"}, format="json"), 400, "invalidRequest",
                    "unknown_parameter", "colour")  # fmt: skip
    assert_ia_error(api.post(BASE, ["not", "an", "object"], format="json"), 400, "invalidRequest",
                    "parameter_invalid")  # fmt: skip
    assert_ia_error(api.post(BASE, "{broken", content_type="application/json"), 400, "invalidRequest",
                    "invalid_json")  # fmt: skip
    assert_ia_error(api.get(BASE, {"limit": "10"}), 400, "invalidRequest", "unknown_parameter", "limit")
    assert_ia_error(api.post(QUERY, {"object": "x"}, format="json"), 400, "invalidRequest", "unknown_object",
                    "object")  # fmt: skip


def test_a_nul_character_is_400_not_a_server_error(api):
    # Found by probing: PostgreSQL refuses NUL in text, so it must be refused before it reaches SQL.
    assert_ia_error(api.post(BASE, {"id": "a\x00b"}, format="json"), 400, "invalidRequest",
                    "parameter_invalid", "id")  # fmt: skip
    query = {**QUERY_BODY, "filters": [{"$eq": {"id": "a\x00"}}]}
    error = assert_ia_error(api.post(QUERY, query, format="json"), 400, "invalidRequest",
                            "parameter_invalid", "filters[0].$eq.id")  # fmt: skip
    assert "NUL" in error["message"]


def test_a_conflict_is_409(api):
    api.post(BASE, {"id": "Taken"}, format="json")
    assert_ia_error(
        api.post(BASE, {"id": "Taken"}, format="json"), 409, "conflict", "sequence_name_taken", "id"
    )


def test_a_method_the_object_does_not_offer_is_405(api):
    assert_ia_error(api.put(f"{BASE}/1", {}, format="json"), 405, "methodNotAllowed", "method_not_allowed")


def test_the_caller_request_id_is_the_support_id(api):
    response = api.get(f"{BASE}/1", HTTP_X_REQUEST_ID="case-42")
    assert assert_ia_error(response, 404, "notFound", "resource_missing", "key")["supportId"] == "case-42"


def test_an_idempotent_retry_replays_the_intacct_answer(api):
    first = api.post(BASE, {"id": "Once only"}, format="json", HTTP_IDEMPOTENCY_KEY="ia-1")
    again = api.post(BASE, {"id": "Once only"}, format="json", HTTP_IDEMPOTENCY_KEY="ia-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
