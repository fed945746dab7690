"""POST /v1/vendor-credits as docs/contracts.md describes it, plus list, retrieve and void."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from erp.services.entities import entity_update
from ledger.models import JournalEntry
from numbering.models import IssuedNumber
from payables.models import VendorCredit
from payables.services import ApplicationInput, ap_payment_create
from tests.helpers import entries_for, error_of, posted_lines
from tests.payables.factories import VendorBillFactory, VendorCreditFactory, VendorFactory, clock_at

pytestmark = pytest.mark.django_db

URL = "/v1/vendor-credits"
SEED_KEYS = {
    "id",
    "entity_id",
    "vendor_id",
    "credit_number",
    "amount",
    "remaining_amount",
    "source_type",
    "source_id",
    "status",
    "expires_at",
    "created_at",
    "updated_at",
}


def issue(api, vendor, **fields):
    return api.post(URL, {"vendor_id": str(vendor.pk), "amount": 123, **fields}, format="json")


def test_issuing_answers_the_seed_shape(api, entity, vendor):
    source = uuid.uuid4()
    response = issue(
        api, vendor, reason="damaged pallets", source_type="vendor_return", source_id=str(source)
    )
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert set(data) == SEED_KEYS | {"livemode"}  # every object says its mode (docs/api.md, "Test mode")
    assert data["entity_id"] == str(entity.pk)
    assert data["vendor_id"] == str(vendor.pk)
    assert data["credit_number"] == "VC0000001"
    assert (data["amount"], data["remaining_amount"]) == ("123.00", "123.00")
    assert (data["source_type"], data["source_id"], data["status"]) == ("vendor_return", str(source), "open")
    assert data["expires_at"] is None
    credit = VendorCredit.objects.get(pk=data["id"])
    assert credit.reason == "damaged pallets"
    assert credit.created_by.startswith("api_key:ark_live_ent_")
    issued = IssuedNumber.objects.get(number="VC0000001", sequence__entity=entity)
    assert (issued.document_type, issued.document_id) == ("vendor_credit", data["id"])


@pytest.mark.parametrize(
    "amount, stored", [(123, "123.00"), ("45.5", "45.50"), (0.1, "0.10"), ("7.25", "7.25")]
)
def test_amount_is_a_json_number_or_string(api, vendor, amount, stored):
    response = issue(api, vendor, amount=amount)
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["amount"] == stored


def test_source_type_defaults_to_manual(api, vendor):
    assert issue(api, vendor).json()["data"]["source_type"] == "manual"


@pytest.mark.parametrize(
    "fields, status, code, param",
    [
        ({"amount": 0}, 400, "amount_not_positive", "amount"),
        ({"amount": "-5"}, 400, "amount_not_positive", "amount"),
        ({"amount": "1.005"}, 400, "too_many_decimal_places", "amount"),
        ({"amount": "ten"}, 400, "parameter_invalid", "amount"),
        ({"amount": True}, 400, "parameter_invalid", "amount"),
        ({"amount": None}, 400, "parameter_missing", "amount"),
        ({"vendor_id": "not-a-uuid"}, 400, "parameter_invalid", "vendor_id"),
        ({"vendor_id": str(uuid.uuid4())}, 404, "resource_missing", "vendor_id"),
        ({"source_type": "gift"}, 400, "invalid_choice", "source_type"),
        ({"source_id": "abc"}, 400, "parameter_invalid", "source_id"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, 422, "expires_at_not_in_future", "expires_at"),
        ({"expires_at": "soon"}, 400, "parameter_invalid", "expires_at"),
        ({"reason": "x" * 501}, 400, "reason_too_long", "reason"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_param(api, vendor, fields, status, code, param):
    response = issue(api, vendor, **fields)
    assert error_of(response) == (status, code, param)
    assert not VendorCredit.objects.exists()
    assert not JournalEntry.objects.filter(source_type="vendor_credit").exists()


def test_vendor_id_is_required(api):
    response = api.post(URL, {"amount": 10}, format="json")
    assert error_of(response) == (400, "parameter_missing", "vendor_id")


def test_another_entitys_vendor_is_not_found(api, other_entity):
    stranger = VendorFactory(entity=other_entity)
    assert error_of(issue(api, stranger)) == (404, "resource_missing", "vendor_id")


def test_a_repeated_source_returns_the_existing_credit(api, vendor):
    source = str(uuid.uuid4())
    first = issue(api, vendor, source_type="vendor_return", source_id=source)
    again = issue(api, vendor, source_type="vendor_return", source_id=source, reason="retry")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert VendorCredit.objects.count() == 1
    assert len(entries_for("vendor_credit", first.json()["data"]["id"])) == 1


def test_the_same_source_id_under_another_source_type_is_another_credit(api, vendor):
    source = str(uuid.uuid4())
    assert issue(api, vendor, source_type="vendor_return", source_id=source).status_code == 201
    assert issue(api, vendor, source_type="rebate", source_id=source).status_code == 201
    assert VendorCredit.objects.count() == 2


def test_sources_are_per_entity(api, vendor, other_entity, make_client):
    source = str(uuid.uuid4())
    stranger = VendorFactory(entity=other_entity)
    assert issue(api, vendor, source_id=source).status_code == 201
    assert issue(make_client(other_entity), stranger, source_id=source).status_code == 201


def test_a_repeat_naming_another_amount_or_vendor_is_a_conflict(api, vendor, other_vendor):
    source = str(uuid.uuid4())
    issue(api, vendor, source_id=source)
    assert error_of(issue(api, vendor, source_id=source, amount=5)) == (
        409,
        "source_already_credited",
        "source_id",
    )
    assert error_of(issue(api, other_vendor, source_id=source)) == (
        409,
        "source_already_credited",
        "source_id",
    )
    assert VendorCredit.objects.count() == 1


def test_a_replay_is_answered_even_after_its_expiry_date_passed(api, vendor):
    source = str(uuid.uuid4())
    expired = timezone.now() - datetime.timedelta(days=1)
    with clock_at(expired - datetime.timedelta(days=1)):  # issued two days ago, to expire a day later
        first = issue(api, vendor, source_id=source, expires_at=expired.isoformat()).json()["data"]
    again = issue(api, vendor, source_id=source, expires_at=expired.isoformat())
    assert again.status_code == 200
    assert again.json()["data"]["id"] == first["id"]


def test_expiry_defaults_to_the_entity_setting(api, entity, vendor):
    entity_update(entity=entity, vendor_credit_expiry_days=30)
    before = timezone.now()
    data = issue(api, vendor).json()["data"]
    expires_at = datetime.datetime.fromisoformat(data["expires_at"])
    assert before + datetime.timedelta(days=30) <= expires_at <= timezone.now() + datetime.timedelta(days=30)


def test_explicit_null_never_expires_even_with_an_entity_default(api, entity, vendor):
    entity_update(entity=entity, vendor_credit_expiry_days=30)
    assert issue(api, vendor, expires_at=None).json()["data"]["expires_at"] is None


def test_without_an_entity_default_an_omitted_expiry_is_never(api, vendor):
    assert issue(api, vendor).json()["data"]["expires_at"] is None


def test_an_explicit_future_expiry_is_kept(api, vendor):
    data = issue(api, vendor, expires_at="2099-05-01T12:00:00Z").json()["data"]
    assert data["expires_at"] == "2099-05-01T12:00:00Z"


def test_issuing_posts_dr_vendor_returns_receivable_cr_vendor_credits(api, vendor):
    data = issue(api, vendor, amount="80.00").json()["data"]
    (entry,) = entries_for("vendor_credit", data["id"])
    assert entry.number.startswith("JE")
    assert posted_lines(entry) == [
        ("vendor_returns_receivable", Decimal("80.00"), Decimal("0.00")),
        ("vendor_credits", Decimal("0.00"), Decimal("80.00")),
    ]
    assert VendorCredit.objects.get(pk=data["id"]).journal_entry == entry


def test_retrieve_and_list_with_filters(api, entity, vendor, other_vendor):
    mine = VendorCreditFactory(vendor=vendor, source_type="rebate")
    VendorCreditFactory(vendor=other_vendor)
    assert api.get(f"{URL}/{mine.pk}").json() == {
        "data": api.get(URL, {"vendor": vendor.pk}).json()["data"][0]
    }
    assert [c["id"] for c in api.get(URL, {"source_type": "rebate"}).json()["data"]] == [str(mine.pk)]
    assert len(api.get(URL, {"status": "open"}).json()["data"]) == 2
    assert api.get(URL, {"status": "voided"}).json()["data"] == []


def test_another_entitys_credit_is_not_found(api, other_entity):
    stranger = VendorCreditFactory(vendor=VendorFactory(entity=other_entity))
    assert api.get(f"{URL}/{stranger.pk}").status_code == 404
    assert api.post(f"{URL}/{stranger.pk}/void", {"reason": "test"}, format="json").status_code == 404


def test_scopes(make_client, entity, vendor):
    reader = make_client(entity, scopes=["purchasing:read"])
    assert reader.get(URL).status_code == 200
    response = issue(reader, vendor)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert response.json()["error"]["required"] == "purchasing:write"


def test_void_reverses_an_unspent_credit(api, vendor):
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("40.00"))
    for body in ({}, {"reason": " "}):  # a reason is required, as for every void
        assert error_of(api.post(f"{URL}/{credit.pk}/void", body, format="json")) == (
            400,
            "parameter_missing",
            "reason",
        )
    response = api.post(f"{URL}/{credit.pk}/void", {"reason": "issued twice"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["data"]["status"], response.json()["data"]["remaining_amount"]) == (
        "voided",
        "0.00",
    )
    original, reversal = entries_for("vendor_credit", credit.pk)
    assert reversal.reversal_of == original
    assert posted_lines(reversal) == [
        ("vendor_returns_receivable", Decimal("0.00"), Decimal("40.00")),
        ("vendor_credits", Decimal("40.00"), Decimal("0.00")),
    ]
    again = api.post(f"{URL}/{credit.pk}/void", {"reason": "test"}, format="json")
    assert error_of(again) == (409, "already_void", None)


def test_a_credit_that_paid_something_cannot_be_voided(api, entity, vendor):
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("40.00"))
    bill = VendorBillFactory(vendor=vendor)
    ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="ach",
        amount="90",
        applications=[ApplicationInput(document_id=bill.pk, amount_applied="100")],
        vendor_credit_ids=[credit.pk],
    )
    response = api.post(f"{URL}/{credit.pk}/void", {"reason": "test"}, format="json")
    assert error_of(response) == (422, "vendor_credit_in_use", None)
    credit.refresh_from_db()
    assert (credit.status, credit.remaining_amount) == ("partially_applied", Decimal("30.00"))


def test_an_idempotency_key_replays_the_first_answer(api, vendor):
    body = {"vendor_id": str(vendor.pk), "amount": "12.00"}
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="credit-1")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="credit-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert VendorCredit.objects.count() == 1
