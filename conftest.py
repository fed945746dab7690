"""Shared pytest fixtures: entities, API keys and authenticated API clients."""

import pytest
from rest_framework.test import APIClient

from erp.scopes import SCOPES
from tests.erp.factories import EntityFactory, api_key_with_token


@pytest.fixture
def entity(db):
    """An entity with its default setup."""
    return EntityFactory()


@pytest.fixture
def other_entity(db):
    """A second, unrelated entity for isolation checks."""
    return EntityFactory()


def client_for(token: str | None) -> APIClient:
    """Return an API client that sends the given bearer token."""
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def make_client(db):
    """Build an API client for an entity with the given scopes (all scopes by default)."""

    def make(entity, scopes=None, **kwargs) -> APIClient:
        _, token = api_key_with_token(entity=entity, scopes=scopes or sorted(SCOPES), **kwargs)
        return client_for(token)

    return make


@pytest.fixture
def api(entity, make_client):
    """An API client holding an all-scopes key of `entity`."""
    return make_client(entity)


@pytest.fixture
def client_for_token():
    """Build an API client for a raw token."""
    return client_for


@pytest.fixture
def db_name():
    """The test database's name for forked workers (tests/processes.py), the parent disconnected.

    The parent's connection is closed so children never share it; any worker a failed test left
    running is killed before the database is flushed.
    """
    from django.db import connection

    from tests.processes import kill_leftovers

    name = connection.settings_dict["NAME"]
    connection.close()
    yield name
    kill_leftovers()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last, after pytest-django has ordered the rest.

    Playwright's sync API keeps an asyncio loop registered on the main thread while a browser
    is open; a test that forks worker processes after that point would hand them the parent's
    open database connection. Running the browser tests at the end keeps that state away from
    every other suite.
    """
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))
