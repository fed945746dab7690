"""The API docs page (Swagger UI) renders under the CSP: its one inline script runs by its nonce."""

import pytest
from playwright.sync_api import expect

from tests.browser.csp import csp_violations

pytestmark = pytest.mark.browser


def test_the_api_docs_render_under_the_csp(page, live_server, screenshot, db):
    refused = csp_violations(page)
    page.goto(f"{live_server.url}/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Folio API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    screenshot("docs")
    assert refused == []
