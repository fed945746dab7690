"""An accountant creates an API key in a real browser and sees its token exactly once, on its own page."""

import pytest

from erp.models import ApiKey
from erp.services.api_keys import api_key_authenticate
from tests.browser.csp import csp_violations

pytestmark = pytest.mark.browser


def test_create_an_api_key_and_see_the_token_once(admin_page, screenshot, entity):
    page = admin_page
    refused = csp_violations(page)
    page.goto(f"{page.base_url}/admin/erp/apikey/add/")
    page.select_option("#id_entity", str(entity.pk))
    page.fill("#id_name", "warehouse sync")
    page.check("input[value='numbering:read']")
    page.check("input[value='numbering:write']")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.click("input[name=_save]")
    assert "no-store" in posted.value.headers["cache-control"]
    token = page.locator("#new-api-key-token").inner_text()
    screenshot("token-shown")
    assert token.startswith("ark_live_ent_")
    assert api_key_authenticate(token=token).scopes == ["numbering:read", "numbering:write"]
    assert all(token not in cookie["value"] for cookie in page.context.cookies())

    # Leaving the page leaves the token behind: neither the key's page nor the list shows it.
    page.click("#new-api-key-view")
    api_key = ApiKey.objects.get(name="warehouse sync")
    assert page.url.endswith(f"/admin/erp/apikey/{api_key.pk}/change/")
    assert token not in page.content()
    assert api_key.prefix in page.content()
    page.goto(f"{page.base_url}/admin/erp/apikey/")
    assert token not in page.content()
    screenshot("list-after")
    assert refused == []
