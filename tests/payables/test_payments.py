"""POST /v1/ap-payments: bills paid with cash and vendor credit, oldest credit first; list, retrieve, void."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from ledger.models import JournalEntry
from numbering.models import IssuedNumber
from payables.models import APPayment, VendorBill, VendorCredit
from payables.services import (
    ApplicationInput,
    ap_payment_create,
    vendor_bill_void,
    vendor_credit_expire,
    vendor_credit_void,
)
from tests.helpers import entries_for, error_of, posted_lines
from tests.payables.factories import VendorBillFactory, VendorCreditFactory, VendorFactory, expired_credit

pytestmark = pytest.mark.django_db

URL = "/v1/ap-payments"
D = Decimal


def pay(api, vendor, applications, amount, credits=(), **fields):
    payload = {
        "vendor_id": str(vendor.pk),
        "method": "ach",
        "amount": amount,
        "applications": [
            {"bill_id": str(bill.pk), "amount_applied": applied} for bill, applied in applications
        ],
        **fields,
    }
    if credits:
        payload["vendor_credit_ids"] = [str(credit.pk) for credit in credits]
    return api.post(URL, payload, format="json")


def refreshed(*rows):
    for row in rows:
        row.refresh_from_db()
    return rows


@pytest.fixture
def bill(vendor):
    return VendorBillFactory(vendor=vendor, total=D("100.00"))


@pytest.fixture
def older_credit(vendor):
    return VendorCreditFactory(vendor=vendor, amount=D("30.00"))


@pytest.fixture
def newer_credit(vendor, older_credit):
    return VendorCreditFactory(vendor=vendor, amount=D("50.00"))


def test_paying_a_bill_in_cash(api, vendor, bill):
    response = pay(api, vendor, [(bill, "100.00")], "100.00", method="check", check_number="1042")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["object"] == "ap_payment"
    assert data["number"] == "APP0000001"
    assert (data["amount"], data["credit_amount"], data["total_applied"]) == ("100.00", "0.00", "100.00")
    assert data["applications"] == [
        {"bill_id": str(bill.pk), "bill_number": bill.number, "amount_applied": "100.00"}
    ]
    assert data["credits_applied"] == []
    assert (data["status"], data["check_number"]) == ("applied", "1042")
    (bill,) = refreshed(bill)
    assert (bill.balance_due, bill.status) == (D("0.00"), "paid")
    (entry,) = entries_for("ap_payment", data["id"])
    assert posted_lines(entry) == [
        ("accounts_payable", D("100.00"), D("0.00")),
        ("outstanding_checks", D("0.00"), D("100.00")),
    ]
    issued = IssuedNumber.objects.get(number="APP0000001", sequence__entity=vendor.entity)
    assert (issued.document_type, issued.document_id) == ("ap_payment", data["id"])


def test_credit_covers_what_cash_does_not_oldest_first(api, vendor, bill, older_credit, newer_credit):
    # Listed newest first on purpose: the oldest credit is still spent first.
    response = pay(api, vendor, [(bill, "100.00")], "40.00", credits=[newer_credit, older_credit])
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["amount"], data["credit_amount"], data["total_applied"]) == ("40.00", "60.00", "100.00")
    assert data["credits_applied"] == [
        {"vendor_credit_id": str(older_credit.pk), "amount": "30.00"},
        {"vendor_credit_id": str(newer_credit.pk), "amount": "30.00"},
    ]
    older_credit, newer_credit, bill = refreshed(older_credit, newer_credit, bill)
    assert (older_credit.remaining_amount, older_credit.status) == (D("0.00"), "applied")
    assert (newer_credit.remaining_amount, newer_credit.status) == (D("20.00"), "partially_applied")
    assert bill.status == "paid"
    (entry,) = entries_for("ap_payment", data["id"])
    assert posted_lines(entry) == [
        ("accounts_payable", D("100.00"), D("0.00")),
        ("bank", D("0.00"), D("40.00")),
        ("vendor_returns_receivable", D("0.00"), D("60.00")),
    ]


def test_credits_the_cash_covers_are_left_untouched(api, vendor, bill, older_credit):
    response = pay(api, vendor, [(bill, "60.00")], "60.00", credits=[older_credit])
    assert response.json()["credits_applied"] == []
    (older_credit,) = refreshed(older_credit)
    assert (older_credit.remaining_amount, older_credit.status) == (D("30.00"), "open")


def test_credit_alone_can_pay_with_a_zero_amount(api, vendor, bill, older_credit):
    response = pay(api, vendor, [(bill, "25.00")], 0, credits=[older_credit], method="cash")
    assert response.status_code == 201, response.json()
    (entry,) = entries_for("ap_payment", response.json()["id"])
    assert posted_lines(entry) == [
        ("accounts_payable", D("25.00"), D("0.00")),
        ("vendor_returns_receivable", D("0.00"), D("25.00")),
    ]


@pytest.mark.parametrize(
    "method, account",
    [
        ("check", "outstanding_checks"),
        ("ach", "bank"),
        ("wire", "bank"),
        ("credit_card", "credit_card_payable"),
        ("cash", "cash"),
        ("other", "bank"),
    ],
)
def test_the_cash_account_follows_the_method(api, vendor, bill, method, account):
    response = pay(api, vendor, [(bill, "10.00")], "10.00", method=method)
    (entry,) = entries_for("ap_payment", response.json()["id"])
    assert posted_lines(entry)[1] == (account, D("0.00"), D("10.00"))


def test_several_bills_at_once(api, vendor, bill):
    second = VendorBillFactory(vendor=vendor, total=D("40.00"))
    response = pay(api, vendor, [(bill, "30.00"), (second, "40.00")], "70.00")
    assert response.status_code == 201
    bill, second = refreshed(bill, second)
    assert (bill.balance_due, bill.status, second.status) == (D("70.00"), "partially_paid", "paid")


def nothing_written(before_entries: int):
    assert not APPayment.objects.exists()
    assert JournalEntry.objects.count() == before_entries
    assert not IssuedNumber.objects.filter(document_type="ap_payment").exists()


def test_not_enough_credit_is_422_and_writes_nothing(api, vendor, bill, older_credit, newer_credit):
    before = JournalEntry.objects.count()
    response = pay(api, vendor, [(bill, "100.00")], "10.00", credits=[older_credit, newer_credit])
    assert error_of(response) == (422, "insufficient_vendor_credit", "vendor_credit_ids")
    assert "80.00" in response.json()["error"]["message"] and "90.00" in response.json()["error"]["message"]
    nothing_written(before)
    bill, older_credit, newer_credit = refreshed(bill, older_credit, newer_credit)
    assert (bill.balance_due, older_credit.remaining_amount, newer_credit.remaining_amount) == (
        D("100.00"),
        D("30.00"),
        D("50.00"),
    )


def test_short_cash_without_credits_is_422(api, vendor, bill):
    assert error_of(pay(api, vendor, [(bill, "100.00")], "99.99")) == (
        422,
        "insufficient_vendor_credit",
        "vendor_credit_ids",
    )


def test_more_cash_than_applied_is_422(api, vendor, bill):
    assert error_of(pay(api, vendor, [(bill, "50.00")], "50.01")) == (
        422,
        "amount_exceeds_applications",
        "amount",
    )


def application(bill, amount="10.00"):
    return {"bill_id": str(bill.pk), "amount_applied": amount}


DROP = object()


def bad_payments(bill, theirs) -> dict:
    """Name -> (changes to a valid payload, status, code, param); DROP removes a field."""
    unknown = {"bill_id": str(uuid.uuid4()), "amount_applied": 1}
    return {
        "negative amount": ({"amount": "-1"}, 400, "amount_negative", "amount"),
        "third decimal": ({"amount": "1.001"}, 400, "too_many_decimal_places", "amount"),
        "unknown method": ({"method": "barter"}, 400, "invalid_choice", "method"),
        "no method": ({"method": DROP}, 400, "parameter_missing", "method"),
        "unknown vendor": ({"vendor_id": str(uuid.uuid4())}, 404, "resource_missing", "vendor_id"),
        "no applications": ({"applications": []}, 400, "invalid_application_count", "applications"),
        "51 applications": (
            {"applications": [application(bill)] * 51},
            400,
            "invalid_application_count",
            "applications",
        ),
        "bill twice": (
            {"applications": [application(bill), application(bill)]},
            422,
            "duplicate_document",
            "applications[1].bill_id",
        ),
        "zero applied": (
            {"applications": [application(bill, "0")]},
            400,
            "amount_not_positive",
            "applications[0].amount_applied",
        ),
        "no amount_applied": (
            {"applications": [{"bill_id": str(bill.pk)}]},
            400,
            "parameter_missing",
            "applications[0].amount_applied",
        ),
        "bad bill id": (
            {"applications": [{"bill_id": "x", "amount_applied": 1}]},
            400,
            "parameter_invalid",
            "applications[0].bill_id",
        ),
        "over the balance": (
            {"applications": [application(bill, "100.01")], "amount": "100.01"},
            422,
            "amount_exceeds_balance",
            "applications[0].amount_applied",
        ),
        "unknown bill": (
            {"applications": [application(bill), unknown], "amount": 11},
            404,
            "resource_missing",
            "applications[1].bill_id",
        ),
        "another vendor's bill": (
            {"applications": [application(theirs)]},
            422,
            "party_mismatch",
            "applications[0].bill_id",
        ),
        "bad credit id": ({"vendor_credit_ids": ["nope"]}, 400, "parameter_invalid", "vendor_credit_ids[0]"),
        "unknown credit": (
            {"vendor_credit_ids": [str(uuid.uuid4())], "amount": 0},
            404,
            "resource_missing",
            "vendor_credit_ids[0]",
        ),
        "check number on ach": ({"check_number": "77"}, 400, "check_fields_not_allowed", "check_number"),
        "bad date": ({"payment_date": "someday"}, 400, "parameter_invalid", "payment_date"),
    }


BAD_PAYMENTS = [
    "negative amount",
    "third decimal",
    "unknown method",
    "no method",
    "unknown vendor",
    "no applications",
    "51 applications",
    "bill twice",
    "zero applied",
    "no amount_applied",
    "bad bill id",
    "over the balance",
    "unknown bill",
    "another vendor's bill",
    "bad credit id",
    "unknown credit",
    "check number on ach",
    "bad date",
]


@pytest.mark.parametrize("case", BAD_PAYMENTS)
def test_bad_payments_are_refused_with_code_and_param(api, vendor, other_vendor, bill, case):
    changes, status, code, param = bad_payments(bill, VendorBillFactory(vendor=other_vendor))[case]
    payload = {
        "vendor_id": str(vendor.pk),
        "method": "ach",
        "amount": "10.00",
        "applications": [application(bill)],
    }
    payload.update(changes)
    payload = {key: value for key, value in payload.items() if value is not DROP}
    before = JournalEntry.objects.count()
    assert error_of(api.post(URL, payload, format="json")) == (status, code, param)
    nothing_written(before)


def test_a_paid_or_void_bill_is_not_open(api, vendor, bill):
    pay(api, vendor, [(bill, "100.00")], "100.00")
    void = VendorBillFactory(vendor=vendor)
    vendor_bill_void(bill=void, reason="test")
    assert error_of(pay(api, vendor, [(bill, "1.00")], "1.00")) == (
        422,
        "document_not_open",
        "applications[0].bill_id",
    )
    assert error_of(pay(api, vendor, [(void, "1.00")], "1.00")) == (
        422,
        "document_not_open",
        "applications[0].bill_id",
    )


def test_another_entitys_bill_or_credit_is_not_found(api, vendor, bill, other_entity):
    stranger = VendorFactory(entity=other_entity)
    their_bill = VendorBillFactory(vendor=stranger)
    their_credit = VendorCreditFactory(vendor=stranger)
    assert error_of(pay(api, vendor, [(their_bill, "1.00")], "1.00")) == (
        404,
        "resource_missing",
        "applications[0].bill_id",
    )
    assert error_of(pay(api, vendor, [(bill, "5.00")], 0, credits=[their_credit])) == (
        404,
        "resource_missing",
        "vendor_credit_ids[0]",
    )


def test_credits_must_be_the_vendors_and_usable(api, vendor, other_vendor, bill, older_credit):
    theirs = VendorCreditFactory(vendor=other_vendor)
    voided = VendorCreditFactory(vendor=vendor)
    vendor_credit_void(credit=voided, reason="test")
    lapsed = expired_credit(vendor, ago=datetime.timedelta(seconds=1))  # past expires_at, not yet swept
    swept = expired_credit(vendor, ago=datetime.timedelta(seconds=1))
    vendor_credit_expire(credit=swept)
    cases = [
        (theirs, "party_mismatch"),
        (voided, "vendor_credit_voided"),
        (lapsed, "vendor_credit_expired"),
        (swept, "vendor_credit_expired"),
    ]
    for credit, code in cases:
        response = pay(api, vendor, [(bill, "5.00")], "4.00", credits=[older_credit, credit])
        assert error_of(response) == (422, code, "vendor_credit_ids[1]"), code
    assert VendorCredit.objects.get(pk=older_credit.pk).remaining_amount == D("30.00")


def test_a_used_up_credit_adds_nothing_but_is_not_an_error(api, vendor, bill, older_credit, newer_credit):
    pay(api, vendor, [(bill, "30.00")], 0, credits=[older_credit])
    assert VendorCredit.objects.get(pk=older_credit.pk).status == "applied"
    response = pay(api, vendor, [(bill, "20.00")], 0, credits=[older_credit, newer_credit])
    assert response.status_code == 201, response.json()
    assert response.json()["credits_applied"] == [
        {"vendor_credit_id": str(newer_credit.pk), "amount": "20.00"}
    ]
    short = pay(api, vendor, [(bill, "31.00")], 0, credits=[older_credit, newer_credit])
    assert error_of(short) == (422, "insufficient_vendor_credit", "vendor_credit_ids")


def test_a_credit_listed_twice_is_refused(api, vendor, bill, older_credit):
    response = pay(api, vendor, [(bill, "5.00")], 0, credits=[older_credit, older_credit])
    assert error_of(response) == (422, "duplicate_vendor_credit", "vendor_credit_ids[1]")


def test_payment_date_defaults_to_today_and_dates_the_posting(api, vendor, bill):
    data = pay(api, vendor, [(bill, "5.00")], "5.00").json()
    assert data["payment_date"] == timezone.localdate().isoformat()
    dated = pay(api, vendor, [(bill, "5.00")], "5.00", payment_date="2026-03-20").json()
    (entry,) = entries_for("ap_payment", dated["id"])
    assert entry.date == datetime.date(2026, 3, 20)


def test_void_restores_bills_and_credits_and_reverses_the_entry(
    api, vendor, bill, older_credit, newer_credit
):
    paid = pay(api, vendor, [(bill, "100.00")], "40.00", credits=[older_credit, newer_credit]).json()
    response = api.post(f"{URL}/{paid['id']}/void", {"reason": "wrong bank account"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["void_reason"]) == ("void", "wrong bank account")
    bill, older_credit, newer_credit = refreshed(bill, older_credit, newer_credit)
    assert (bill.balance_due, bill.status) == (D("100.00"), "open")
    assert (older_credit.remaining_amount, older_credit.status) == (D("30.00"), "open")
    assert (newer_credit.remaining_amount, newer_credit.status) == (D("50.00"), "open")
    original, reversal = entries_for("ap_payment", paid["id"])
    assert reversal.reversal_of == original
    assert posted_lines(reversal) == [
        ("accounts_payable", D("0.00"), D("100.00")),
        ("bank", D("40.00"), D("0.00")),
        ("vendor_returns_receivable", D("60.00"), D("0.00")),
    ]
    again = api.post(f"{URL}/{paid['id']}/void", {"reason": "test"}, format="json")
    assert error_of(again) == (409, "already_void", None)
    # Restored credit pays again.
    assert pay(api, vendor, [(bill, "80.00")], 0, credits=[older_credit, newer_credit]).status_code == 201


def test_void_of_a_partial_spend_gives_back_only_what_it_took(api, vendor, newer_credit):
    first = VendorBillFactory(vendor=vendor, total=D("20.00"))
    second = VendorBillFactory(vendor=vendor, total=D("20.00"))
    one = pay(api, vendor, [(first, "20.00")], 0, credits=[newer_credit]).json()
    pay(api, vendor, [(second, "20.00")], 0, credits=[newer_credit])
    api.post(f"{URL}/{one['id']}/void", {"reason": "test"}, format="json")
    (newer_credit,) = refreshed(newer_credit)
    assert (newer_credit.remaining_amount, newer_credit.status) == (D("30.00"), "partially_applied")


def test_voiding_after_the_credit_expired_writes_the_restored_part_off(api, vendor, bill):
    expiring = VendorCreditFactory(vendor=vendor, expires_at=timezone.now() + datetime.timedelta(hours=1))
    paid = pay(api, vendor, [(bill, "20.00")], 0, credits=[expiring]).json()
    assert vendor_credit_expire(credit=expiring, as_of=expiring.expires_at)  # an hour later
    api.post(f"{URL}/{paid['id']}/void", {"reason": "test"}, format="json")
    (expiring,) = refreshed(expiring)
    assert (expiring.status, expiring.remaining_amount, expiring.expired_amount) == (
        "expired",
        D("0.00"),
        D("50.00"),
    )
    sweep, restored = entries_for("vendor_credit_expiry", expiring.pk)
    assert posted_lines(sweep) == [
        ("vendor_credits", D("30.00"), D("0.00")),
        ("vendor_returns_receivable", D("0.00"), D("30.00")),
    ]
    assert posted_lines(restored) == [
        ("vendor_credits", D("20.00"), D("0.00")),
        ("vendor_returns_receivable", D("0.00"), D("20.00")),
    ]


def test_list_filters_retrieve_and_tenancy(api, vendor, other_vendor, bill, other_entity):
    mine = pay(api, vendor, [(bill, "5.00")], "5.00").json()
    theirs = pay(api, other_vendor, [(VendorBillFactory(vendor=other_vendor), "5.00")], "5.00").json()
    api.post(f"{URL}/{theirs['id']}/void", {"reason": "test"}, format="json")
    assert [p["id"] for p in api.get(URL, {"vendor": vendor.pk}).json()["data"]] == [mine["id"]]
    assert [p["id"] for p in api.get(URL, {"status": "void"}).json()["data"]] == [theirs["id"]]
    assert api.get(f"{URL}/{mine['id']}").json() == mine
    stranger = VendorFactory(entity=other_entity)
    foreign = ap_payment_create(
        entity=other_entity,
        vendor_id=stranger.pk,
        method="cash",
        amount="1",
        applications=[
            ApplicationInput(document_id=VendorBillFactory(vendor=stranger).pk, amount_applied="1")
        ],
    )
    assert api.get(f"{URL}/{foreign.pk}").status_code == 404
    assert api.post(f"{URL}/{foreign.pk}/void", {"reason": "test"}, format="json").status_code == 404


def test_an_idempotency_key_pays_once(api, vendor, bill):
    payload = {
        "vendor_id": str(vendor.pk),
        "method": "wire",
        "amount": "10.00",
        "applications": [{"bill_id": str(bill.pk), "amount_applied": "10.00"}],
    }
    first = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    again = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert APPayment.objects.count() == 1
    assert VendorBill.objects.get(pk=bill.pk).balance_due == D("90.00")


def test_applications_summing_past_the_largest_amount_are_refused(api, vendor, bill):
    bills = [
        (VendorBillFactory(vendor=vendor, total=D("999999999999.99")), "999999999999.99") for _ in range(2)
    ]
    response = pay(api, vendor, bills, "1.00")
    assert error_of(response) == (400, "amount_too_large", "applications")


@pytest.mark.parametrize(
    "shape",
    [
        {"method": "check", "check_number": "1042", "notes": "Net 30 — «paid»", "external_reference": "A1"},
        {"credits": True},
        {"credits": True, "split": True, "payment_date": "2026-03-02"},
    ],
)
def test_the_created_payment_is_answered_as_it_reads_back(api, vendor, older_credit, newer_credit, shape):
    # APPaymentViewSet renders the row the service returned (created_row_complete) instead of reading it
    # back: the body must be exactly what GET /v1/ap-payments/{id} answers for it.
    first, second = VendorBillFactory(vendor=vendor, total=D("100.00")), VendorBillFactory(vendor=vendor)
    fields = {k: v for k, v in shape.items() if k not in ("credits", "split")}
    applications = [(second, "40.00"), (first, "35.50")] if shape.get("split") else [(first, "100.00")]
    total = sum(D(amount) for _, amount in applications)
    credits = (newer_credit, older_credit) if shape.get("credits") else ()
    cash = str(total - D("60.00")) if credits else str(total)
    created = pay(api, vendor, applications, cash, credits=credits, **fields)
    assert created.status_code == 201, created.json()
    read = api.get(f"{URL}/{created.json()['id']}")
    assert read.status_code == 200
    assert created.json() == read.json()
    assert [a["bill_id"] for a in created.json()["applications"]] == [str(b.pk) for b, _ in applications]
