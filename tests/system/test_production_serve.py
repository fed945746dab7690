"""The production start, as documented: `FOLIO_ENV=production ./folio serve` on a fresh database.

The script migrates, collects the static files and replaces itself with the production server
(erp/server.py). Run here exactly so, on a PostgreSQL of the test's own (tests/system/cluster.py) with
production's two roles (the owner migrates, the application serves; neither a superuser), bound to a
free port, behind what a TLS proxy would send (X-Forwarded-Proto: https); then the probes, the admin's
login page, the API docs and the static files they load must all answer 200, and the API must serve.
"""

import http.client
import json
import re
import secrets
import tempfile

import pytest

from tests.system.cluster import Cluster, folio, free_port, serving

HOST = "folio.example.com"
OWNER, APPLICATION = "folio_owner", "folio_app"
BOUND = 180  # seconds: migrate and collectstatic on a loaded machine, then the server's start


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster()
    try:
        cluster.start()
        cluster.create_roles(OWNER, APPLICATION)
        cluster.create_empty_database(owner=OWNER)  # ./folio serve migrates it
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="module")
def production(cluster):
    """The environment of a production start: the application's URL, and the owner's for migrate."""
    static_root = tempfile.TemporaryDirectory(prefix="folio-static-")  # removed after the module
    env = cluster.env()
    env.pop("DEBUG")
    env.update(
        FOLIO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=cluster.url(user=APPLICATION),
        MIGRATION_DATABASE_URL=cluster.url(user=OWNER),
        STATIC_ROOT=static_root.name,
        WEB_CONCURRENCY="1",
    )
    with static_root:
        yield env


@pytest.fixture(scope="module")
def served(production):
    """`FOLIO_ENV=production ./folio serve` on a free port; its port once /healthz answers."""
    port = free_port()
    env = dict(production, FOLIO_BIND=f"127.0.0.1:{port}")
    with serving(["./folio", "serve"], env, port, bound=BOUND, host=HOST):
        yield port


def get(port: int, path: str, *, proxied: bool = True, token: str = "") -> tuple[int, dict, bytes]:
    """GET `path` as the TLS proxy in front of Folio would forward it; return (status, headers, body)."""
    headers = {"Host": HOST}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if proxied:
        headers["X-Forwarded-Proto"] = "https"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def static_links(html: str) -> list[str]:
    """Return the static files a page loads (stylesheets and scripts)."""
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_the_probes_answer(served):
    assert get(served, "/healthz", proxied=False)[0] == 200  # exempt from the HTTPS redirect
    status, _, body = get(served, "/readyz", proxied=False)
    assert status == 200, body  # migrated: no migration pending


def test_plain_http_is_sent_to_https(served):
    status, headers, _ = get(served, "/admin/login/", proxied=False)
    assert status == 301
    assert headers["location"] == f"https://{HOST}/admin/login/"


@pytest.mark.parametrize("page", ["/admin/login/", "/docs/"])
def test_the_admin_and_the_api_docs_answer_with_their_static_files(served, page):
    status, headers, body = get(served, page)
    assert status == 200, body[:500]
    assert "strict-transport-security" in headers
    links = static_links(body.decode())
    assert links, f"{page} loads no static file"
    for link in links:
        # Collected under hashed names (the manifest storage) and served by WhiteNoise.
        link_status, link_headers, content = get(served, link)
        assert link_status == 200, link
        assert content, link
        assert "max-age" in link_headers.get("cache-control", ""), link


def test_check_deploy_is_clean_with_the_same_environment(production):
    output = folio(production, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in output


def test_the_owner_migrated_and_the_application_serves_the_api(served, cluster, production):
    tables = cluster.psql(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'", database="folio"
    )
    assert tables.split() == [OWNER]
    # The operators' commands and the API run as the application role (its rows, the rate-limit buckets).
    entity = json.loads(folio(production, "manage.py", "create_entity", "--name", "Prod Ltd", "--json"))
    key = json.loads(
        folio(
            production,
            "manage.py",
            "create_api_key",
            "--entity",
            entity["code"],
            "--scopes",
            "numbering:read",
            "--json",
        )
    )
    status, _, body = get(served, f"/v1/entities/{entity['id']}", token=key["token"])
    assert status == 200, body
    assert json.loads(body)["id"] == entity["id"]
