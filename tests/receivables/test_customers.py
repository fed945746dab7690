"""Customer accounts: create, list, retrieve, PATCH under accounts:read|write."""

import pytest

from receivables.models import Customer
from tests.receivables.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/v1/customers"


def test_create_then_retrieve(api, entity):
    response = api.post(
        URL, {"name": " Acme Corp ", "email": "ap@acme.example", "external_reference": "crm-9"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["object"] == "customer"
    assert (body["name"], body["email"], body["external_reference"]) == (
        "Acme Corp",
        "ap@acme.example",
        "crm-9",
    )
    assert body["entity_id"] == str(entity.pk)
    assert api.get(f"{URL}/{body['id']}").json() == body


@pytest.mark.parametrize(
    "body, code, param",
    [
        ({}, "parameter_missing", "name"),
        ({"name": "   "}, "parameter_missing", "name"),
        ({"name": "x" * 201}, "name_too_long", "name"),
        ({"name": "Acme", "email": "not-an-email"}, "invalid_email", "email"),
        (
            {"name": "Acme", "external_reference": "r" * 201},
            "external_reference_too_long",
            "external_reference",
        ),
    ],
)
def test_invalid_customers_are_400(api, body, code, param):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (code, param)
    assert not Customer.objects.exists()


def test_patch_changes_only_what_is_given(api, entity):
    customer = CustomerFactory(entity=entity, name="Old name", email="a@example.com", external_reference="r1")
    response = api.patch(f"{URL}/{customer.pk}", {"name": "New name"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["email"]) == ("New name", "a@example.com")
    cleared = api.patch(f"{URL}/{customer.pk}", {"email": ""}, format="json").json()
    assert (cleared["email"], cleared["external_reference"]) == ("", "r1")


def test_list_filters_and_isolation(api, entity, other_entity):
    CustomerFactory(entity=entity, name="Northwind Traders")
    CustomerFactory(entity=entity, name="Contoso", email="AP@Contoso.example", external_reference="CRM-7")
    theirs = CustomerFactory(entity=other_entity, name="Northwind Elsewhere")
    names = [c["name"] for c in api.get(URL, {"name": "northwind"}).json()["data"]]
    assert names == ["Northwind Traders"]
    for query in ({"email": "ap@contoso.example"}, {"external_reference": "CRM-7"}):
        assert [c["name"] for c in api.get(URL, query).json()["data"]] == ["Contoso"]
    assert api.get(f"{URL}/{theirs.pk}").status_code == 404
    assert api.patch(f"{URL}/{theirs.pk}", {"name": "mine now"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Northwind Elsewhere"


def test_customers_need_accounts_scopes(entity, make_client):
    reader = make_client(entity, scopes=["accounts:read"])
    assert reader.get(URL).status_code == 200
    response = reader.post(URL, {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["required"] == "accounts:write"
    assert make_client(entity, scopes=["payments:write"]).get(URL).status_code == 403


def test_customers_are_never_deleted(api, entity):
    customer = CustomerFactory(entity=entity)
    assert api.delete(f"{URL}/{customer.pk}").status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()
