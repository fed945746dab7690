"""An accountant creates an API key in a real browser and sees its token exactly once."""

import pytest

from erp.models import ApiKey
from erp.services.api_keys import api_key_authenticate

pytestmark = pytest.mark.browser


def test_create_an_api_key_and_see_the_token_once(admin_page, screenshot, entity):
    page = admin_page
    page.goto(f"{page.base_url}/admin/erp/apikey/add/")
    page.select_option("#id_entity", str(entity.pk))
    page.fill("#id_name", "warehouse sync")
    page.check("input[value='numbering:read']")
    page.check("input[value='numbering:write']")
    page.click("input[name=_save]")
    token = page.locator("#new-api-key-token").inner_text()
    screenshot("token-shown")
    assert token.startswith("ark_live_ent_")
    assert api_key_authenticate(token=token).scopes == ["numbering:read", "numbering:write"]

    api_key = ApiKey.objects.get(name="warehouse sync")
    page.goto(f"{page.base_url}/admin/erp/apikey/{api_key.pk}/change/")
    assert token not in page.content()
    assert api_key.prefix in page.content()
