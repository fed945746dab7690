"""The suite's fixtures, registered once for every test package: entities, API clients, parties, documents,
and the browser (Playwright driving Debian's chromium against a live server, with screenshots).

Plain helper functions live in tests/helpers.py; no test imports anything from a conftest.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection
from playwright.sync_api import sync_playwright
from rest_framework.test import APIClient

from erp.db_roles import OWNER_ALIAS
from erp.scopes import SCOPES
from tests.db_roles import connect_default_as
from tests.erp.factories import EntityFactory, api_key_with_token
from tests.helpers import client_for
from tests.payables.factories import VendorFactory
from tests.processes import kill_leftovers
from tests.receivables.factories import CustomerFactory, InvoiceFactory

SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
BROWSER_ADMIN_PASSWORD = "browser-test-password-1"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Create, migrate and finally drop the test database as the owner role (docs/audit.md)."""
    connect_default_as(OWNER_ALIAS)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Run every test as the application's role, which may only read and write rows."""
    with django_db_blocker.unblock():
        connect_default_as(DEFAULT_DB_ALIAS)
    yield
    with django_db_blocker.unblock():
        connect_default_as(OWNER_ALIAS)


@pytest.fixture(autouse=True)
def deferred_constraints_hold(request):
    """Fire the deferred database checks at the end of each rolled-back test, as a commit would.

    Tests in a transaction that is rolled back never commit, so a check deferred to the commit
    (a balanced journal entry, a balance equal to its applications, a number issued at commit)
    would otherwise never run. Tests that really commit run those checks anyway.
    """
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if marker is None and "db" not in names:
        yield  # no database
        return
    if (marker is not None and marker.kwargs.get("transaction")) or "transactional_db" in names:
        yield  # real commits, which run the checks themselves
        return
    request.getfixturevalue("db")  # set up first, so this check runs before its rollback
    yield
    if connection.in_atomic_block and not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    """Lift the API rate limits far above what any suite sends (the buckets still count every request).

    Suites send hundreds of requests a second with one key or a wrong one from one address;
    tests/erp/test_rate_limits.py sets the limits it tests.
    """
    settings.FOLIO_API_KEY_RATE = "1000000/s"
    settings.FOLIO_API_KEY_BURST = 1_000_000
    settings.FOLIO_FAILED_AUTH_RATE = "1000000/s"
    settings.FOLIO_FAILED_AUTH_BURST = 1_000_000


@pytest.fixture
def entity(db):
    """An entity with its default setup."""
    return EntityFactory()


@pytest.fixture
def other_entity(db):
    """A second, unrelated entity for isolation checks."""
    return EntityFactory()


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
def admin_client(client):
    """A test client logged into the admin as the superuser "acc" (its actor is "user:acc")."""
    user = get_user_model().objects.create_superuser("acc", "acc@example.com", "unused-password-1")
    client.force_login(user)
    return client


@pytest.fixture
def customer(entity):
    """A customer of `entity`."""
    return CustomerFactory(entity=entity)


@pytest.fixture
def invoices(customer):
    """Three open invoices of `customer`: 100.00, 250.00 and 75.50."""
    return [InvoiceFactory(customer=customer, amount=amount) for amount in ("100.00", "250.00", "75.50")]


@pytest.fixture
def vendor(entity):
    """A vendor of `entity`."""
    return VendorFactory(entity=entity, name="Northwind")


@pytest.fixture
def other_vendor(entity):
    """A second vendor of the same entity."""
    return VendorFactory(entity=entity, name="Contoso")


@pytest.fixture
def db_name():
    """The test database's name for forked workers (tests/processes.py), the parent disconnected.

    The parent's connection is closed so children never share it; any worker a failed test left
    running is killed before the database is flushed.
    """
    name = connection.settings_dict["NAME"]
    connection.close()
    yield name
    kill_leftovers()


def chromium_path() -> str:
    """Return the chromium to drive, or fail the test saying how to get one."""
    path = os.environ.get("FOLIO_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("chromium is not installed: run ./folio test (it installs it) or set FOLIO_CHROMIUM")
    return path


@pytest.fixture(scope="module")
def browser():
    """A headless chromium for one test module (closed after it, see the collection order below)."""
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
    # around it are still plain synchronous code. Allowed only while a browser is open.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page of `browser`, with a 15 s bound on each step."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under artifacts/screenshots/<test>-<label>.png."""

    def take(label: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def admin_page(page, live_server, transactional_db):
    """A page logged into the admin through the real login form."""
    get_user_model().objects.create_superuser("accountant", "acc@example.com", BROWSER_ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "accountant")
    page.fill("#id_password", BROWSER_ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.base_url = live_server.url
    return page


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last, after pytest-django has ordered the rest.

    Playwright's sync API keeps an asyncio loop registered on the main thread while a browser
    is open; a test that forks worker processes after that point would hand them the parent's
    open database connection. Running the browser tests at the end keeps that state away from
    every other suite.
    """
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))
