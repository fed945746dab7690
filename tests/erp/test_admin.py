"""Platform admin: entities and API keys through the services."""

import logging
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.models import Session

from erp.admin.entities import EntityAdmin
from erp.exceptions import Conflict
from erp.models import ApiKey, Entity
from erp.services.api_keys import SECRET_LENGTH, api_key_authenticate, api_key_create, api_key_revoke

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


def add_form(client) -> str:
    """Open the add page as a browser does; return the id of the form it holds."""
    page = client.get("/admin/erp/apikey/add/").content.decode()
    return re.search(r'name="once" value="([\w-]+)"', page).group(1)


def create_key(client, entity, name="from admin", once=None):
    """Send the admin's add form for a live key (a freshly opened one by default); return the response."""
    return client.post(
        "/admin/erp/apikey/add/",
        {
            "entity": entity.pk,
            "name": name,
            "scopes": ["numbering:read"],
            "livemode": "on",
            "once": once or add_form(client),
        },
    )


def test_sending_the_add_form_again_creates_no_second_key(admin_client, entity):
    # A refresh of the token page, or back and Save, sends the same form again.
    once = add_form(admin_client)
    assert "new-api-key-token" in create_key(admin_client, entity, once=once).content.decode()
    again = create_key(admin_client, entity, once=once)
    assert again.status_code == 200
    html = again.content.decode()
    assert "already sent" in html and "new-api-key-token" not in html
    assert ApiKey.objects.filter(name="from admin").count() == 1
    # A form never opened is refused the same way; a new form creates a second key on purpose.
    assert "already sent" in create_key(admin_client, entity, once="made-up").content.decode()
    assert "new-api-key-token" in create_key(admin_client, entity).content.decode()
    assert ApiKey.objects.filter(name="from admin").count() == 2


def test_a_new_api_keys_token_is_shown_once_on_its_own_page_and_works(admin_client, entity):
    response = create_key(admin_client, entity)
    assert response.status_code == 200
    html = response.content.decode()
    token = re.search(r'id="new-api-key-token">(ark_live_ent_\w+)<', html).group(1)
    assert html.count(token) == 1
    assert api_key_authenticate(token=token).name == "from admin"
    assert "no-store" in response["Cache-Control"]

    api_key = ApiKey.objects.get(name="from admin")
    assert api_key.prefix in html and f"/admin/erp/apikey/{api_key.pk}/change/" in html
    for later in ("/admin/erp/apikey/", f"/admin/erp/apikey/{api_key.pk}/change/", "/admin/erp/apikey/add/"):
        page = admin_client.get(later).content.decode()
        assert token not in page
    assert api_key.prefix in admin_client.get(f"/admin/erp/apikey/{api_key.pk}/change/").content.decode()


def test_a_new_token_never_travels_in_a_cookie_or_a_message(admin_client, entity):
    response = create_key(admin_client, entity)
    token = re.search(r'id="new-api-key-token">(\w+)<', response.content.decode()).group(1)
    secret = token[-SECRET_LENGTH:]

    # Nothing the browser keeps holds it: neither this response's cookies nor the client's jar,
    # decoded (messages are signed, not encrypted) or not.
    for morsel in [*response.cookies.values(), *admin_client.cookies.values()]:
        assert secret not in morsel.OutputString()
        assert secret not in str(CookieStorage(None)._decode(morsel.value) or "")
    # Nothing stored server-side either: no pending message, no session data.
    assert not any(secret in str(m) for m in get_messages(response.wsgi_request))
    for session in Session.objects.all():
        assert secret not in str(session.get_decoded())
    assert secret not in admin_client.get("/admin/erp/apikey/").content.decode()


def test_the_revoke_action_revokes_through_the_service_recording_who_and_logging_it(
    admin_client, entity, caplog
):
    api_key, _ = api_key_create(entity=entity, scopes=["numbering:read"], name="to revoke")
    with caplog.at_level(logging.INFO, logger="folio.api_keys"):
        admin_client.post(
            "/admin/erp/apikey/",
            {"action": "revoke_selected", "_selected_action": [str(api_key.pk)]},
        )
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert api_key.revoked_by == "user:boss"
    assert any(api_key.prefix in r.getMessage() and "user:boss" in r.getMessage() for r in caplog.records)
    entry = LogEntry.objects.get(object_id=str(api_key.pk))
    assert entry.user.username == "boss"
    assert entry.get_change_message() == "Revoked by user:boss."


def test_revoking_twice_keeps_the_first_revocation(entity):
    api_key, _ = api_key_create(entity=entity, scopes=["numbering:read"])
    first = api_key_revoke(api_key=api_key, revoked_by="user:first")
    again = api_key_revoke(api_key=api_key, revoked_by="user:second")
    assert (again.revoked_at, again.revoked_by) == (first.revoked_at, "user:first")


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
