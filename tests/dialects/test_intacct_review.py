"""What a review of the Intacct dialect found: inputs that reached a 500, and work one query could demand."""

import pytest

from tests.dialects.test_intacct_errors import BASE, QUERY, QUERY_BODY, assert_ia_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["%C2%B2", "%D9%A1%D9%A1", "1" * 19])
def test_a_key_is_ascii_digits_only(api, key):
    # "²".isdigit() is true but int("²") raises; Arabic-Indic digits would alias key 11.
    assert_ia_error(api.get(f"{BASE}/{key}"), 404, "notFound", "resource_missing", "key")


def test_a_read_only_moment_outside_the_calendar_is_a_read_only_refusal(api):
    key = api.post(BASE, {"id": "Edge"}, format="json").json()["ia::result"]["key"]
    response = api.patch(f"{BASE}/{key}", {"whenModified": "0001-01-01T00:00:00+05:00"}, format="json")
    assert_ia_error(response, 400, "invalidRequest", "read_only", "whenModified")


def test_the_last_second_of_the_calendar_can_be_queried(api):
    body = {**QUERY_BODY, "filters": [{"$eq": {"whenModified": "9999-12-31T23:59:59.999999"}}]}
    response = api.post(QUERY, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["ia::result"] == []


def test_one_query_asks_for_bounded_work(api):
    many = {**QUERY_BODY, "filters": [{"$eq": {"id": "a"}}] * 101}
    response = api.post(QUERY, many, format="json")
    assert_ia_error(response, 400, "invalidRequest", "parameter_invalid", "filters")
    values = {**QUERY_BODY, "filters": [{"$in": {"nextNumber": list(range(1001))}}]}
    assert_ia_error(
        api.post(QUERY, values, format="json"),
        400,
        "invalidRequest",
        "parameter_invalid",
        "filters[0].$in.nextNumber",
    )
    assert (
        api.post(QUERY, {**QUERY_BODY, "filters": [{"$eq": {"id": "a"}}] * 100}, format="json").status_code
        == 200
    )
