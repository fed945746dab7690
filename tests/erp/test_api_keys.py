"""API keys: format, hashing, authentication outcomes, scopes and revocation."""

import hashlib

import pytest
from django.db import connection

from erp.exceptions import InvalidInput
from erp.models import ApiKey
from erp.services.api_keys import api_key_create, api_key_revoke
from tests.erp.factories import api_key_with_token
from tests.helpers import refused

pytestmark = pytest.mark.django_db


def test_live_and_test_tokens_have_their_documented_prefixes(entity):
    _, live = api_key_create(entity=entity, scopes=["numbering:read"])
    _, test = api_key_create(entity=entity, scopes=["numbering:read"], livemode=False)
    assert live.startswith("ark_live_ent_")
    assert test.startswith("ark_test_ent_")
    assert live != test


def test_only_a_sha256_of_the_token_is_stored(entity):
    api_key, token = api_key_create(entity=entity, scopes=["numbering:read"])
    assert api_key.secret_hash == hashlib.sha256(token.encode()).hexdigest()
    secret_part = token[len(api_key.prefix) :]
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(k)::text FROM erp_apikey k WHERE id = %s", [api_key.id])
        (row_text,) = cursor.fetchone()
    assert secret_part not in row_text
    assert token not in row_text


def test_a_valid_key_authenticates_and_records_its_use(entity, client_for_token):
    api_key, token = api_key_with_token(entity=entity, scopes=["numbering:read"])
    response = client_for_token(token).get(f"/v1/entities/{entity.id}")
    assert response.status_code == 200
    assert response.json()["id"] == str(entity.id)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


@pytest.mark.parametrize(
    "header, code",
    [
        (None, "missing_api_key"),
        ("Bearer ark_live_ent_nonsense", "invalid_api_key"),
        ("Basic dXNlcjpwYXNz", "invalid_api_key"),
        ("Bearer " + "ark_live_ent_" + "A" * 12 + "b" * 40, "invalid_api_key"),
    ],
)
def test_missing_or_wrong_keys_are_401(entity, client, header, code):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(f"/v1/entities/{entity.id}", **extra)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["type"] == "permission_error"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_tampered_secret_with_a_real_prefix_is_401(entity, client_for_token):
    _, token = api_key_with_token(entity=entity, scopes=["numbering:read"])
    tampered = token[:-1] + ("x" if token[-1] != "x" else "y")
    response = client_for_token(tampered).get(f"/v1/entities/{entity.id}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_a_revoked_key_is_401(entity, client_for_token):
    api_key, token = api_key_with_token(entity=entity, scopes=["numbering:read"])
    api_key_revoke(api_key=api_key)
    response = client_for_token(token).get(f"/v1/entities/{entity.id}")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The API key has been revoked."


@pytest.mark.urls("tests.erp.urls")
def test_a_key_without_the_scope_is_403_naming_the_scope(entity, client_for_token):
    _, token = api_key_with_token(entity=entity, scopes=["numbering:read"])
    response = client_for_token(token).post("/v1/probe-writes", {"name": "x"}, format="json")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "insufficient_scope"
    assert error["required"] == "numbering:write"
    assert not ApiKey.objects.filter(name="x").exists()


def test_another_entitys_path_is_403(entity, other_entity, api):
    response = api.get(f"/v1/entities/{other_entity.id}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "entity_mismatch"


def test_unknown_scopes_are_refused(entity):
    with pytest.raises(InvalidInput) as raised:
        api_key_create(entity=entity, scopes=["numbering:read", "orders:delete"])
    assert raised.value.code == "unknown_scope"


@pytest.mark.parametrize(
    ("name", "code"), [("x" * 101, "name_too_long"), ("bad\x00name", "parameter_invalid")]
)
def test_the_service_refuses_a_bad_key_name_for_every_caller(entity, name, code):
    with pytest.raises(InvalidInput) as raised:
        api_key_create(entity=entity, scopes=["numbering:read"], name=name)
    assert (raised.value.code, raised.value.param) == (code, "name")
    assert not ApiKey.objects.exists()


def test_the_database_refuses_an_unknown_scope_written_around_the_service(entity):
    api_key, _ = api_key_create(entity=entity, scopes=["numbering:read"])
    with refused("api_key_known_scopes"):
        ApiKey.objects.filter(pk=api_key.pk).update(scopes=["root"])
