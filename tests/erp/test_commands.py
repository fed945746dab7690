"""Operators' commands: create_entity, create_api_key, revoke_api_key, purge_idempotency_keys, load_demo."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError

from erp.models import ApiKey, Entity
from erp.services.api_keys import ApiKeyRejected, api_key_authenticate
from tests.helpers import command_output

pytestmark = pytest.mark.django_db


def test_create_entity_prints_json_and_sets_it_up():
    payload = json.loads(
        command_output("create_entity", "--name", "Acme Europe", "--fiscal-year-start", "7", "--json")
    )
    assert set(payload) == {"id", "code", "name"}
    entity = Entity.objects.get(pk=payload["id"])
    assert (entity.code, entity.fiscal_year_start_month) == ("acme-europe", 7)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--name", "X", "--fiscal-year-start", "13"], "fiscal_year_start_month"),
        (["--name", "X", "--currency", "dollars"], "three-letter"),
        (["--name", "X", "--code", "Bad Code!"], "lowercase"),
    ],
)
def test_create_entity_rejects_bad_input_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        command_output("create_entity", *args)
    assert not Entity.objects.exists()


def test_create_entity_refuses_a_taken_code(entity):
    with pytest.raises(CommandError, match="already exists"):
        command_output("create_entity", "--name", "Again", "--code", entity.code)


def test_create_api_key_prints_a_working_token_once(entity):
    payload = json.loads(
        command_output(
            "create_api_key",
            "--entity",
            entity.code,
            "--scopes",
            "numbering:read,payments:write",
            "--json",
        )
    )
    assert set(payload) == {"id", "token", "entity_id", "scopes"}
    assert payload["scopes"] == ["numbering:read", "payments:write"]
    assert payload["entity_id"] == str(entity.id)
    assert api_key_authenticate(token=payload["token"]).pk.hex == payload["id"].replace("-", "")


def test_create_api_key_test_mode_and_bad_scope(entity):
    payload = json.loads(
        command_output(
            "create_api_key",
            "--entity",
            str(entity.id),
            "--scopes",
            "numbering:read",
            "--test",
            "--json",
        )
    )
    assert payload["token"].startswith("ark_test_ent_")
    with pytest.raises(CommandError, match="Unknown scope"):
        command_output("create_api_key", "--entity", entity.code, "--scopes", "everything")
    with pytest.raises(CommandError, match="No entity"):
        command_output("create_api_key", "--entity", "nope", "--scopes", "numbering:read")


def test_revoke_api_key_revokes(entity):
    payload = json.loads(
        command_output("create_api_key", "--entity", entity.code, "--scopes", "numbering:read", "--json")
    )
    result = json.loads(command_output("revoke_api_key", payload["id"], "--json"))
    assert result["id"] == payload["id"]
    revoked = ApiKey.objects.get(pk=payload["id"])
    assert (revoked.revoked_at is not None, revoked.revoked_by) == (True, "command:revoke_api_key")
    with pytest.raises(CommandError, match="No API key"):
        command_output("revoke_api_key", "not-a-uuid")


def test_purge_idempotency_keys_refuses_a_window_under_a_day_or_past_the_calendar():
    assert json.loads(command_output("purge_idempotency_keys", "--json")) == {"deleted": 0}
    with pytest.raises(CommandError, match="at least 24"):
        command_output("purge_idempotency_keys", "--older-than-hours", "1")
    with pytest.raises(CommandError, match="at most 1,000,000"):
        command_output("purge_idempotency_keys", "--older-than-hours", "99999999999999")


def test_load_demo_prints_a_login_and_a_working_key_and_is_rerunnable():
    first = json.loads(command_output("load_demo", "--json"))
    second = json.loads(command_output("load_demo", "--json"))
    assert Entity.objects.filter(code="demo").count() == 1
    assert first["admin_username"] == "admin" and first["admin_password"]
    live, test = (api_key_authenticate(token=second[name]) for name in ("live_api_key", "test_api_key"))
    assert (live.livemode, live.entity.code) == (True, "demo")
    assert (test.livemode, test.entity.livemode, test.entity.live_entity.code) == (False, False, "demo")
    for name in ("live_api_key", "test_api_key"):
        with pytest.raises(ApiKeyRejected):
            api_key_authenticate(token=first[name])  # the earlier demo keys were revoked
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(second["admin_password"])
    assert not admin.check_password(first["admin_password"])
