"""/v1/vendors: create, list, retrieve, PATCH (scope accounts:read|write)."""

import pytest

from payables.models import Vendor
from tests.helpers import error_of
from tests.payables.factories import VendorFactory

pytestmark = pytest.mark.django_db

URL = "/v1/vendors"


def test_create_and_retrieve(api, entity):
    response = api.post(
        URL,
        {"name": " Northwind ", "email": "ap@northwind.example", "external_reference": "NW-1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["object"], data["entity_id"], data["name"]) == ("vendor", str(entity.pk), "Northwind")
    assert api.get(f"{URL}/{data['id']}").json() == data


@pytest.mark.parametrize(
    "body, code, param",
    [
        ({}, "parameter_missing", "name"),
        ({"name": "   "}, "parameter_missing", "name"),
        ({"name": "N", "email": "not-an-email"}, "invalid_email", "email"),
        ({"name": "x" * 201}, "name_too_long", "name"),
    ],
)
def test_bad_vendors_are_refused(api, body, code, param):
    assert error_of(api.post(URL, body, format="json")) == (400, code, param)
    assert not Vendor.objects.exists()


def test_patch_changes_only_what_is_given(api, entity):
    vendor = VendorFactory(entity=entity, name="Old", email="old@vendor.example", external_reference="R1")
    response = api.patch(f"{URL}/{vendor.pk}", {"name": "New", "external_reference": ""}, format="json")
    assert response.status_code == 200, response.json()
    vendor.refresh_from_db()
    assert (vendor.name, vendor.email, vendor.external_reference) == ("New", "old@vendor.example", "")


def test_list_filters_and_tenancy(api, entity, other_entity):
    VendorFactory(entity=entity, name="Northwind Supply")
    VendorFactory(entity=entity, name="Contoso", email="AP@Contoso.example", external_reference="ERP-7")
    stranger = VendorFactory(entity=other_entity, name="Northwind Far Away")
    assert [v["name"] for v in api.get(URL, {"name": "northwind"}).json()["data"]] == ["Northwind Supply"]
    for query in ({"email": "ap@contoso.example"}, {"external_reference": "ERP-7"}):
        assert [v["name"] for v in api.get(URL, query).json()["data"]] == ["Contoso"]
    assert api.get(f"{URL}/{stranger.pk}").status_code == 404
    assert api.patch(f"{URL}/{stranger.pk}", {"name": "Mine"}, format="json").status_code == 404


def test_vendors_use_the_accounts_scopes(make_client, entity):
    purchasing = make_client(entity, scopes=["purchasing:read", "purchasing:write"])
    response = purchasing.post(URL, {"name": "N"}, format="json")
    assert (response.status_code, response.json()["error"]["required"]) == (403, "accounts:write")
    assert make_client(entity, scopes=["accounts:read"]).get(URL).status_code == 200


def test_vendors_are_never_deleted_through_the_api(api, entity):
    vendor = VendorFactory(entity=entity)
    assert api.delete(f"{URL}/{vendor.pk}").status_code == 405
