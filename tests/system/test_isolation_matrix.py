"""Every API endpoint × {no key, revoked key, wrong scope, other entity's key, other entity's object}.

The matrix is generated from the URLconf, so an endpoint added later is covered without editing
this file; an endpoint whose objects this file cannot create fails loudly instead of being skipped.
"""

import re
import uuid
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from erp.api.permissions import ANY_KEY
from erp.scopes import SCOPES
from erp.services import entity_test_books
from erp.services.api_keys import api_key_revoke
from tests.erp.factories import api_key_with_token
from tests.system.objects import object_for

pytestmark = pytest.mark.django_db

# Documentation, not data: public on purpose.
PUBLIC_ROUTES = {"v1/openapi.json"}
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Endpoint:
    route: str
    method: str
    view_class: type
    action: str | None

    def __str__(self) -> str:
        return f"{self.method} /{self.route}"


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def api_endpoints() -> list[Endpoint]:
    """Return every (route, method) the /v1 API serves."""
    endpoints = []
    for route, pattern in _walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        if not route.startswith("v1/") or cls is None or route.replace("^", "") in PUBLIC_ROUTES:
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions:
            for method, action in actions.items():
                endpoints.append(Endpoint(route, method.upper(), cls, action))
        else:
            for method in ("get", "post", "patch", "put", "delete"):
                if hasattr(cls, method) and method in cls.http_method_names:
                    endpoints.append(Endpoint(route, method.upper(), cls, None))
    return sorted(set(endpoints), key=str)


ENDPOINTS = api_endpoints()


def required_scope(endpoint: Endpoint) -> str:
    scopes = endpoint.view_class.required_scopes
    return scopes["read" if endpoint.method in ("GET", "HEAD", "OPTIONS") else "write"]


def url_for(endpoint: Endpoint, *, entity, object_id) -> str:
    def fill(match):
        name = match.group("name") or match.group("rname")
        return str(entity.id) if name == "entity_id" else str(object_id)

    # Router routes are regexes glued together: drop their anchors once the groups are filled.
    return "/" + PARAM.sub(fill, endpoint.route).replace("^", "").replace("$", "")


def needs_object(endpoint: Endpoint) -> bool:
    return any((m.group("name") or m.group("rname")) != "entity_id" for m in PARAM.finditer(endpoint.route))


def model_of(endpoint: Endpoint):
    queryset = getattr(endpoint.view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(endpoint.view_class, "serializer_class", None)
    return serializer.Meta.model


def call(client, endpoint: Endpoint, url: str):
    method = endpoint.method.lower()
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, {}, format="json")


def row_counts() -> dict:
    """Count the rows of every Folio table (to prove a refused request wrote nothing)."""
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label in {"erp", "numbering", "receivables", "payables"}:
                cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
                counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts


def test_the_matrix_found_the_api():
    routes = {e.route for e in ENDPOINTS}
    assert "v1/entities/<uuid:entity_id>" in routes
    assert any("document-sequences" in r for r in routes)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_view_declares_its_scopes(endpoint):
    assert getattr(endpoint.view_class, "required_scopes", None), (
        f"{endpoint.view_class.__name__} has no scopes"
    )
    scope = required_scope(endpoint)
    assert scope == ANY_KEY or scope in SCOPES


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_no_key_and_a_revoked_key_are_401_and_write_nothing(endpoint, entity, client_for_token):
    url = url_for(endpoint, entity=entity, object_id=uuid.uuid4())
    api_key, token = api_key_with_token(entity=entity, scopes=sorted(SCOPES))
    api_key_revoke(api_key=api_key)
    before = row_counts()
    for client in (client_for_token(None), client_for_token(token)):
        response = call(client, endpoint, url)
        assert response.status_code == 401, (str(endpoint), response.content[:300])
        assert response.json()["error"]["type"] == "permission_error"
    assert row_counts() == before


# Views open to any key of the entity are covered by the other-entity cases instead.
SCOPED_ENDPOINTS = [
    e for e in ENDPOINTS if getattr(e.view_class, "required_scopes", None) and required_scope(e) != ANY_KEY
]


@pytest.mark.parametrize("endpoint", SCOPED_ENDPOINTS, ids=str)
def test_a_key_without_the_scope_is_403(endpoint, entity, make_client):
    scope = required_scope(endpoint)
    others = sorted(SCOPES - {scope})
    url = url_for(endpoint, entity=entity, object_id=uuid.uuid4())
    client = make_client(entity, scopes=others)
    before = row_counts()
    response = call(client, endpoint, url)
    assert response.status_code == 403, (str(endpoint), response.content[:300])
    assert response.json()["error"] == {
        "type": "permission_error",
        "code": "insufficient_scope",
        "message": response.json()["error"]["message"],
        "required": scope,
    }
    assert row_counts() == before


ENTITY_PATH_ENDPOINTS = [e for e in ENDPOINTS if "<uuid:entity_id>" in e.route]
OBJECT_ENDPOINTS = [e for e in ENDPOINTS if needs_object(e)]


@pytest.mark.parametrize("endpoint", ENTITY_PATH_ENDPOINTS, ids=str)
def test_another_entitys_path_is_403(endpoint, entity, other_entity, make_client):
    client = make_client(entity)
    before = row_counts()
    response = call(client, endpoint, url_for(endpoint, entity=other_entity, object_id=uuid.uuid4()))
    assert response.status_code == 403, (str(endpoint), response.content[:300])
    assert response.json()["error"]["code"] == "entity_mismatch"
    assert row_counts() == before


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_another_entitys_object_is_404(endpoint, entity, other_entity, make_client):
    theirs = object_for(model_of(endpoint), entity=other_entity)
    client = make_client(entity)
    before = row_counts()
    response = call(client, endpoint, url_for(endpoint, entity=entity, object_id=theirs.pk))
    assert response.status_code == 404, (str(endpoint), response.content[:300])
    assert response.json()["error"]["type"] == "not_found"
    assert row_counts() == before


# Test mode (docs/api.md, "Test mode"): a test key works on its entity's test books, a live key on the
# live books; each mode's objects are 404 to the other, like another entity's.
MODES = {"test key x live object": (False, True), "live key x test object": (True, False)}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_the_other_modes_object_is_404(endpoint, mode, entity, make_client):
    key_livemode, object_livemode = MODES[mode]
    owner = entity if object_livemode else entity_test_books(entity=entity)
    theirs = object_for(model_of(endpoint), entity=owner)
    client = make_client(entity, livemode=key_livemode)
    before = row_counts()
    response = call(client, endpoint, url_for(endpoint, entity=entity, object_id=theirs.pk))
    assert response.status_code == 404, (str(endpoint), mode, response.content[:300])
    assert response.json()["error"]["type"] == "not_found"
    assert row_counts() == before


@pytest.mark.parametrize("endpoint", ENTITY_PATH_ENDPOINTS, ids=str)
def test_test_books_have_no_path_of_their_own(endpoint, entity, make_client):
    books = entity_test_books(entity=entity)
    client = make_client(entity, livemode=False)
    before = row_counts()
    response = call(client, endpoint, url_for(endpoint, entity=books, object_id=uuid.uuid4()))
    assert response.status_code == 403, (str(endpoint), response.content[:300])
    assert response.json()["error"]["code"] == "entity_mismatch"
    assert row_counts() == before
