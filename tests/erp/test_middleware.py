"""The admin's middleware stays off the API's paths; the admin keeps its user and its messages."""

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse

from erp.api.authentication import ApiKeyPrincipal
from erp.middleware import AuthenticationMiddleware, MessageMiddleware, is_api_path
from erp.models import Activity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/v1/entities", True),
        ("/v1/openapi.json", True),
        ("/ia/api/v1/services/core/query", True),
        ("/portos/stocktransfernumberings", True),
        ("/healthz", True),
        ("/readyz", True),
        ("/admin/", False),
        ("/docs/", False),
        ("/", False),
        ("/v10/", False),
        ("/v1", False),  # Django's 404 page, not an API route
    ],
)
def test_which_paths_are_the_apis(path, api):
    assert is_api_path(path) is api


def _through(middleware_class, request):
    middleware_class(lambda request: HttpResponse())(request)
    return request


def test_an_api_request_gets_no_message_storage_and_no_session_user(rf):
    request = rf.get("/v1/entities")
    request.session = {}
    _through(MessageMiddleware, _through(AuthenticationMiddleware, request))
    assert not hasattr(request, "_messages")
    assert not hasattr(request, "user")


def test_an_admin_request_gets_both(rf):
    request = rf.get("/admin/")
    request.session = {}
    _through(MessageMiddleware, _through(AuthenticationMiddleware, request))
    assert hasattr(request, "_messages")
    assert request.user.is_authenticated is False  # read from the (empty) session, lazily


def test_the_admin_still_shows_its_messages(admin_client):
    response = admin_client.post("/admin/auth/group/add/", {"name": "Clerks"}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.user.get_username() == "acc"
    assert b'class="messagelist"' in response.content
    assert "Clerks" in response.content.decode().split('class="messagelist"', 1)[1].split("</ul>", 1)[0]


def test_an_api_call_from_a_signed_in_browser_acts_as_its_key(client, make_client, entity):
    user = get_user_model().objects.create_superuser("acc", "acc@example.com", "unused-password-1")
    api = make_client(entity)
    api.force_login(user)  # the session cookie rides along; the key alone names the caller
    response = api.patch(f"/v1/entities/{entity.pk}", {"lock_date": "2026-01-31"}, format="json")
    assert response.status_code == 200, response.content
    assert isinstance(response.wsgi_request.user, ApiKeyPrincipal)
    row = Activity.objects.filter(object_id=str(entity.pk)).latest("occurred_at")
    assert (row.actor_type, row.channel) == ("api_key", "api")
