"""Platform admin: entities and API keys through the services."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model

from erp.admin.entities import EntityAdmin
from erp.exceptions import Conflict
from erp.models import ApiKey, Entity
from erp.services.api_keys import api_key_authenticate, api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-not-used-123")
    client.force_login(user)
    return client


def test_adding_an_entity_goes_through_the_service(admin_client):
    response = admin_client.post(
        "/admin/erp/entity/add/",
        {
            "name": "Admin Made",
            "code": "admin-made",
            "base_currency": "usd",
            "fiscal_year_start_month": 4,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entity = Entity.objects.get(code="admin-made")
    assert entity.base_currency == "USD"  # normalised by entity_create


def test_an_invalid_entity_shows_the_error_next_to_the_field(admin_client):
    response = admin_client.post(
        "/admin/erp/entity/add/",
        {"name": "Bad", "code": "bad", "base_currency": "US1", "fiscal_year_start_month": 1},
    )
    assert response.status_code == 200
    assert "three-letter" in response.content.decode()
    assert not Entity.objects.filter(code="bad").exists()


def test_a_new_api_keys_token_is_shown_once_and_works(admin_client, entity):
    response = admin_client.post(
        "/admin/erp/apikey/add/",
        {"entity": entity.pk, "name": "from admin", "scopes": ["numbering:read"], "livemode": "on"},
        follow=True,
    )
    html = response.content.decode()
    token = re.search(r"id='new-api-key-token'>(ark_live_ent_\w+)<", html).group(1)
    assert api_key_authenticate(token=token).name == "from admin"
    api_key = ApiKey.objects.get(name="from admin")
    page = admin_client.get(f"/admin/erp/apikey/{api_key.pk}/change/").content.decode()
    assert token not in page
    assert api_key.prefix in page


def test_the_revoke_action_revokes(admin_client, entity):
    api_key, _ = api_key_create(entity=entity, scopes=["numbering:read"], name="to revoke")
    admin_client.post(
        "/admin/erp/apikey/",
        {"action": "revoke_selected", "_selected_action": [str(api_key.pk)]},
    )
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_a_refused_change_is_shown_on_its_field_with_the_service_called_once_and_nothing_saved(
    admin_client, entity, monkeypatch
):
    calls = []

    def refuse(self, request, form, formsets, change):
        calls.append(change)
        raise Conflict("Another entity is called that.", code="name_taken", param="name")

    monkeypatch.setattr(EntityAdmin, "service_save", refuse)
    response = admin_client.post(
        f"/admin/erp/entity/{entity.pk}/change/", {"name": "Renamed", "vendor_credit_expiry_days": ""}
    )
    assert response.status_code == 200
    assert calls == [True]
    assert response.context["adminform"].form.errors["name"] == ["Another entity is called that."]
    assert 'value="Renamed"' in response.content.decode()  # what was typed is still there
    entity.refresh_from_db()
    assert entity.name != "Renamed"
    assert not LogEntry.objects.exists()
