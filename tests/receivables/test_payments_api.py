"""POST /v1/payments/multi-invoice-apply (docs/contracts.md): every rule with its code and param.

At the end: the same rules in both ledgers, one code each (docs/api.md, "Error codes").
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from erp.exceptions import InvalidInput
from ledger import selectors
from ledger.models import JournalEntry
from numbering.models import IssuedNumber
from payables.services import vendor_bill_void
from receivables.models import Invoice, Payment, PaymentApplication
from receivables.services import invoice_void
from tests.payables.factories import VendorBillFactory
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

URL = "/v1/payments/multi-invoice-apply"
SEED_FIELDS = {
    "id",
    "entity_id",
    "amount",
    "payment_method",
    "status",
    "journal_entry_id",
    "applied_count",
    "applications",
}


def pay(api, customer, pairs, *, method="ach", amount=None, key=None, **extra):
    """POST a payment of `pairs` [(invoice, amount_applied)]; amount defaults to their sum."""
    body = {
        "account_id": str(customer.pk),
        "payment_method": method,
        "amount": amount if amount is not None else str(sum(Decimal(str(value)) for _, value in pairs)),
        "applications": [{"order_id": str(invoice.pk), "amount_applied": value} for invoice, value in pairs],
        **extra,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(URL, body, format="json", **headers)


def error(response, status: int) -> dict:
    assert response.status_code == status, response.json()
    return response.json()["error"]


def nothing_written(invoices) -> None:
    assert not Payment.objects.exists()
    assert not PaymentApplication.objects.exists()
    assert not JournalEntry.objects.filter(source_type="payment").exists()
    for invoice in invoices:
        fresh = Invoice.objects.get(pk=invoice.pk)
        assert (fresh.balance_due, fresh.status) == (invoice.total, "open")


def test_the_seed_example_applies_one_check_to_two_invoices(api, entity, customer):
    first, second = (
        InvoiceFactory(customer=customer, amount="2500.00"),
        InvoiceFactory(customer=customer, amount="3000"),
    )
    response = api.post(
        URL,
        {
            "account_id": str(customer.pk),
            "payment_method": "check",
            "amount": 5000,
            "applications": [
                {"order_id": str(first.pk), "amount_applied": 2500},
                {"order_id": str(second.pk), "amount_applied": 2500},
            ],
            "check_number": "10442",
            "check_date": "2023-12-25",
            "external_reference": "lockbox 7",
            "notes": "seed example",
            "payment_date": "2023-12-25",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"data", "idempotent_replay"}
    assert body["idempotent_replay"] is False
    data = body["data"]
    assert set(data) == SEED_FIELDS | {"livemode"}  # every object says its mode (docs/api.md, "Test mode")
    assert data["entity_id"] == str(entity.pk)
    # docs/contracts.md: this response carries its amounts as JSON numbers.
    assert data["amount"] == 5000 and isinstance(data["amount"], int | float)
    assert (data["payment_method"], data["status"], data["applied_count"]) == ("check", "applied", 2)
    assert [(a["order_id"], a["amount_applied"]) for a in data["applications"]] == [
        (str(first.pk), 2500),
        (str(second.pk), 2500),
    ]
    assert all(isinstance(a["amount_applied"], int | float) for a in data["applications"])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.balance_due) == ("paid", Decimal("0.00"))
    assert (second.status, second.balance_due) == ("partially_paid", Decimal("500.00"))
    payment = Payment.objects.get(pk=data["id"])
    assert (payment.check_number, payment.check_date) == ("10442", datetime.date(2023, 12, 25))
    entry = JournalEntry.objects.get(pk=data["journal_entry_id"])
    assert entry.date == datetime.date(2023, 12, 25)
    assert entry.number.startswith("JE")
    assert [(line.account.code, line.debit, line.credit) for line in entry.lines.order_by("id")] == [
        ("undeposited_funds", Decimal("5000.00"), Decimal("0.00")),
        ("accounts_receivable", Decimal("0.00"), Decimal("5000.00")),
    ]


def test_the_seeds_literal_example_is_refused_because_its_applications_do_not_sum_to_amount(api, customer):
    invoice = InvoiceFactory(customer=customer, amount="6000.00")
    response = pay(api, customer, [(invoice, 2500)], method="check", amount=5000, check_number="<string>")
    assert error(response, 422) | {"message": ""} == {
        "type": "validation_error",
        "code": "amount_mismatch",
        "message": "",
        "param": "amount",
    }
    nothing_written([invoice])


def test_invoice_id_is_accepted_as_an_alias_of_order_id(api, customer, invoices):
    response = api.post(
        URL,
        {
            "account_id": str(customer.pk),
            "payment_method": "wire",
            "amount": "100.00",
            "applications": [{"invoice_id": str(invoices[0].pk), "amount_applied": "100.00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["applications"][0]["order_id"] == str(invoices[0].pk)


@pytest.mark.parametrize(
    "application, status, code, param",
    [
        ({"amount_applied": 10}, 400, "parameter_missing", "applications[1].order_id"),
        (
            {"order_id": "not-a-uuid", "amount_applied": 10},
            400,
            "parameter_invalid",
            "applications[1].order_id",
        ),
        (
            {"order_id": "SAME", "invoice_id": "OTHER", "amount_applied": 10},
            400,
            "parameter_invalid",
            "applications[1].invoice_id",
        ),
        ({"order_id": "SAME"}, 400, "parameter_missing", "applications[1].amount_applied"),
        (
            {"order_id": "SAME", "amount_applied": 0},
            400,
            "amount_not_positive",
            "applications[1].amount_applied",
        ),
        (
            {"order_id": "SAME", "amount_applied": "-5"},
            400,
            "amount_not_positive",
            "applications[1].amount_applied",
        ),
        (
            {"order_id": "SAME", "amount_applied": "1.001"},
            400,
            "too_many_decimal_places",
            "applications[1].amount_applied",
        ),
        (
            {"order_id": "SAME", "amount_applied": "ten"},
            400,
            "parameter_invalid",
            "applications[1].amount_applied",
        ),
        (
            {"order_id": "SAME", "amount_applied": True},
            400,
            "parameter_invalid",
            "applications[1].amount_applied",
        ),
        (
            {"order_id": "SAME", "amount_applied": "1e15"},
            400,
            "amount_too_large",
            "applications[1].amount_applied",
        ),
    ],
)
def test_a_malformed_application_is_400_naming_it(api, customer, invoices, application, status, code, param):
    replace = {"SAME": str(invoices[1].pk), "OTHER": str(invoices[2].pk)}
    second = {
        key: replace.get(value, value) if isinstance(value, str) else value
        for key, value in application.items()
    }
    body = {
        "account_id": str(customer.pk),
        "payment_method": "ach",
        "amount": 20,
        "applications": [{"order_id": str(invoices[0].pk), "amount_applied": 10}, second],
    }
    found = error(api.post(URL, body, format="json"), status)
    assert (found["code"], found["param"]) == (code, param)
    nothing_written(invoices)


@pytest.mark.parametrize("count", [0, 51])
def test_applications_must_list_1_to_50_invoices(api, customer, count):
    invoices = [InvoiceFactory(customer=customer, amount="1.00") for _ in range(count)]
    found = error(pay(api, customer, [(invoice, "1.00") for invoice in invoices], amount="1"), 400)
    assert (found["code"], found["param"]) == ("invalid_application_count", "applications")


def test_applications_summing_past_the_largest_amount_are_400(api, customer):
    invoices = [InvoiceFactory(customer=customer, amount="999999999999.99") for _ in range(2)]
    found = error(pay(api, customer, [(invoice, "999999999999.99") for invoice in invoices]), 400)
    assert (found["code"], found["param"]) == ("amount_too_large", "amount")


def test_fifty_applications_are_accepted(api, customer):
    invoices = [InvoiceFactory(customer=customer, amount="3.00") for _ in range(50)]
    response = pay(api, customer, [(invoice, "2.00") for invoice in invoices])
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["applied_count"] == 50
    assert response.json()["data"]["amount"] == 100
    assert set(Invoice.objects.values_list("balance_due", flat=True)) == {Decimal("1.00")}


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("payment_method", "bitcoin", "invalid_choice"),
        ("account_id", "nope", "parameter_invalid"),
        ("amount", None, "parameter_missing"),
        ("amount", "0", "amount_not_positive"),
        ("payment_date", "25/12/2023", "parameter_invalid"),
        ("applications", "all of them", "not_a_list"),
    ],
)
def test_malformed_payment_fields_are_400(api, customer, invoices, field, value, code):
    body = {
        "account_id": str(customer.pk),
        "payment_method": "cash",
        "amount": "100.00",
        "applications": [{"order_id": str(invoices[0].pk), "amount_applied": "100.00"}],
        field: value,
    }
    found = error(api.post(URL, body, format="json"), 400)
    assert (found["code"], found["param"]) == (code, field)


@pytest.mark.parametrize("field, value", [("check_number", "10442"), ("check_date", "2026-03-01")])
@pytest.mark.parametrize("method", ["ach", "wire", "external", "cash", "credit"])
def test_check_fields_are_only_for_checks(api, customer, invoices, field, value, method):
    found = error(pay(api, customer, [(invoices[0], "100.00")], method=method, **{field: value}), 400)
    assert (found["code"], found["param"]) == ("check_fields_not_allowed", field)
    nothing_written(invoices)


@pytest.mark.parametrize(
    "fields",
    [
        {"check_number": None, "check_date": None},
        {"check_number": "", "check_date": ""},
        {"check_number": "  ", "check_date": None},
    ],
)
def test_empty_check_fields_with_another_method_are_accepted_as_none(api, customer, invoices, fields):
    response = pay(api, customer, [(invoices[0], "10.00")], method="ach", **fields)
    assert response.status_code == 201, response.json()
    payment = Payment.objects.get()
    assert (payment.check_number, payment.check_date) == ("", None)


def test_an_empty_check_date_on_a_check_is_none(api, customer, invoices):
    response = pay(api, customer, [(invoices[0], "10.00")], method="check", check_number="7", check_date="")
    assert response.status_code == 201, response.json()
    assert (Payment.objects.get().check_number, Payment.objects.get().check_date) == ("7", None)


def test_a_check_needs_no_check_number(api, customer, invoices):
    assert pay(api, customer, [(invoices[0], "10.00")], method="check").status_code == 201


def test_an_invoice_listed_twice_is_422_at_its_second_index(api, customer, invoices):
    found = error(pay(api, customer, [(invoices[0], "10.00"), (invoices[1], "5"), (invoices[0], "5")]), 422)
    assert (found["code"], found["param"]) == ("duplicate_document", "applications[2].order_id")
    nothing_written(invoices)


@pytest.mark.parametrize(
    "amount, status", [("100.004", 201), ("100.005", 201), ("99.995", 201), ("100.006", 422), ("99.99", 422)]
)
def test_amount_must_be_within_half_a_cent_of_the_applications(api, customer, invoices, amount, status):
    response = pay(api, customer, [(invoices[0], "60.00"), (invoices[1], "40.00")], amount=amount)
    if status == 422:
        assert (error(response, 422)["code"], error(response, 422)["param"]) == ("amount_mismatch", "amount")
        nothing_written(invoices)
    else:
        assert response.status_code == 201, response.json()
        # The payment records the applications' sum: it always equals them to the cent.
        assert Payment.objects.get().amount == Decimal("100.00")
        assert response.json()["data"]["amount"] == 100


def test_an_unknown_or_foreign_account_is_404_account_id(api, entity, other_entity, invoices):
    stranger = CustomerFactory(entity=other_entity)
    for account_id in (stranger.pk, "3c90c3cc-0d44-4b50-8888-8dd25736052a"):
        response = api.post(
            URL,
            {
                "account_id": str(account_id),
                "payment_method": "ach",
                "amount": 1,
                "applications": [{"order_id": str(invoices[0].pk), "amount_applied": 1}],
            },
            format="json",
        )
        found = error(response, 404)
        assert (found["type"], found["code"], found["param"]) == (
            "not_found",
            "resource_missing",
            "account_id",
        )
    nothing_written(invoices)


def test_another_entitys_invoice_is_as_missing_as_a_nonexistent_one(api, other_entity, customer, invoices):
    foreign = InvoiceFactory(customer=CustomerFactory(entity=other_entity))

    class Ghost:
        pk = "3c90c3cc-0d44-4b50-8888-8dd25736052a"

    errors = []
    for stranger in (foreign, Ghost):
        found = error(pay(api, customer, [(invoices[0], "1.00"), (stranger, "1.00")]), 404)
        errors.append(found | {"request_id": None, "message": None})
        assert (found["code"], found["param"]) == ("resource_missing", "applications[1].order_id")
    assert errors[0] == errors[1]  # nothing tells them apart: no existence leak
    nothing_written(invoices)


def test_another_customers_invoice_is_422_party_mismatch(api, entity, customer, invoices):
    neighbour = InvoiceFactory(customer=CustomerFactory(entity=entity))
    found = error(pay(api, customer, [(invoices[0], "1.00"), (neighbour, "1.00")]), 422)
    assert (found["code"], found["param"]) == ("party_mismatch", "applications[1].order_id")
    nothing_written(invoices)


def test_a_void_or_paid_invoice_is_422_document_not_open(api, customer, invoices):
    invoice_void(invoice=invoices[1], reason="test", voided_by="test")
    assert pay(api, customer, [(invoices[0], "100.00")]).status_code == 201
    for index, stale in enumerate(invoices[:2]):
        found = error(pay(api, customer, [(invoices[2], "1.00"), (stale, "1.00")]), 422)
        assert (found["code"], found["param"]) == ("document_not_open", "applications[1].order_id"), index
    assert Invoice.objects.get(pk=invoices[2].pk).balance_due == invoices[2].total


def test_more_than_the_balance_due_is_422_naming_the_amount(api, customer, invoices):
    assert pay(api, customer, [(invoices[1], "200.00")]).status_code == 201
    found = error(pay(api, customer, [(invoices[0], "100.00"), (invoices[1], "50.01")]), 422)
    assert (found["code"], found["param"]) == ("amount_exceeds_balance", "applications[1].amount_applied")
    assert "50.00" in found["message"]
    assert Invoice.objects.get(pk=invoices[0].pk).balance_due == Decimal("100.00")
    assert Payment.objects.count() == 1
    # Exactly the balance is fine and pays the invoice.
    assert pay(api, customer, [(invoices[1], "50.00")]).status_code == 201
    assert Invoice.objects.get(pk=invoices[1].pk).status == "paid"


def test_a_refused_payment_writes_nothing_and_takes_no_number(api, entity, customer, invoices):
    journal_numbers = IssuedNumber.objects.filter(entity=entity, document_type="journal_entry").count()
    response = pay(api, customer, [(invoices[0], "100.00"), (invoices[1], "250.00"), (invoices[2], "75.51")])
    assert error(response, 422)["code"] == "amount_exceeds_balance"
    nothing_written(invoices)
    assert (
        IssuedNumber.objects.filter(entity=entity, document_type="journal_entry").count() == journal_numbers
    )


@pytest.mark.parametrize(
    "method, account",
    [
        ("cash", "cash"),
        ("check", "undeposited_funds"),
        ("ach", "bank"),
        ("wire", "bank"),
        ("credit", "card_clearing"),
        ("external", "undeposited_funds"),
    ],
)
def test_each_method_debits_its_cash_equivalent_and_credits_receivables(
    api, entity, customer, invoices, method, account
):
    response = pay(api, customer, [(invoices[0], "40.00"), (invoices[2], "35.50")], method=method)
    assert response.status_code == 201, response.json()
    assert selectors.account_balance(entity=entity, code=account) == Decimal("75.50")
    open_total = sum(Invoice.objects.filter(entity=entity).values_list("balance_due", flat=True))
    assert selectors.account_balance(entity=entity, code="accounts_receivable") == open_total
    assert selectors.trial_balance(entity=entity).balanced


def test_payment_date_defaults_to_today(api, customer, invoices):
    data = pay(api, customer, [(invoices[0], "1.00")]).json()["data"]
    payment = Payment.objects.get(pk=data["id"])
    assert payment.payment_date == timezone.localdate()
    assert JournalEntry.objects.get(pk=data["journal_entry_id"]).date == timezone.localdate()


def test_a_retry_with_the_idempotency_key_replays_without_paying_twice(api, customer, invoices):
    first = pay(api, customer, [(invoices[0], "100.00"), (invoices[1], "20.00")], key="pay-1")
    again = pay(api, customer, [(invoices[0], "100.00"), (invoices[1], "20.00")], key="pay-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["idempotent_replay"] is False
    assert again.json()["idempotent_replay"] is True
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["data"] == first.json()["data"]
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.filter(source_type="payment").count() == 1
    assert Invoice.objects.get(pk=invoices[1].pk).balance_due == Decimal("230.00")
    other_body = pay(api, customer, [(invoices[1], "30.00")], key="pay-1")
    assert error(other_body, 409)["code"] == "idempotency_key_mismatch"


def test_a_refusal_is_replayed_too_and_still_writes_nothing(api, customer, invoices):
    first = pay(api, customer, [(invoices[0], "100.01")], key="pay-2")
    again = pay(api, customer, [(invoices[0], "100.01")], key="pay-2")
    assert first.status_code == again.status_code == 422
    assert again.json()["error"] == first.json()["error"]
    nothing_written(invoices)


def test_applying_needs_payments_write(entity, make_client, customer, invoices, client):
    reader = make_client(entity, scopes=["payments:read", "accounts:write"])
    found = error(pay(reader, customer, [(invoices[0], "1.00")]), 403)
    assert (found["code"], found["required"]) == ("insufficient_scope", "payments:write")
    assert error(client.post(URL, {}, content_type="application/json"), 401)["code"] == "missing_api_key"
    nothing_written(invoices)


# One rule, one code: the same request shape gets the same status and code from both ledgers
# (docs/api.md, "Error codes"); only the field names in `param` are each ledger's own.


@dataclass
class Ledger:
    party: object
    documents: list
    stranger: object  # a document of another party of the same entity
    pay_url: str
    documents_url: str
    payments_url: str
    party_param: str
    id_param: str
    date_field: str

    def pay(self, api, pairs, party_id=None, applications_extra=None, **fields):
        total = str(sum(Decimal(value) for _, value in pairs) or "1.00")
        if self.id_param == "order_id":
            body = {"account_id": party_id or str(self.party.pk), "payment_method": "ach", "amount": total}
        else:
            body = {"vendor_id": party_id or str(self.party.pk), "method": "ach", "amount": total}
        body["applications"] = [
            {self.id_param: str(pk), "amount_applied": value, **(applications_extra or {})}
            for pk, value in pairs
        ]
        return api.post(self.pay_url, body | fields, format="json")

    def create(self, api, **fields):
        body = {
            self.party_param: str(self.party.pk),
            self.date_field: "2026-03-02",
            "lines": [{"description": "Work", "quantity": 1, "unit_price": "10.00"}],
            **fields,
        }
        return api.post(self.documents_url, body, format="json")


@pytest.fixture(params=["receivables", "payables"])
def ledger(request, entity, customer, invoices, vendor, other_vendor):
    if request.param == "receivables":
        stranger = InvoiceFactory(customer=CustomerFactory(entity=entity))
        return Ledger(
            customer,
            invoices,
            stranger,
            URL,
            "/v1/invoices",
            "/v1/payments",
            "customer_id",
            "order_id",
            "invoice_date",
        )
    bills = [VendorBillFactory(vendor=vendor, total=Decimal(total)) for total in ("100.00", "250.00")]
    stranger = VendorBillFactory(vendor=other_vendor)
    return Ledger(
        vendor,
        bills,
        stranger,
        "/v1/ap-payments",
        "/v1/vendor-bills",
        "/v1/ap-payments",
        "vendor_id",
        "bill_id",
        "bill_date",
    )


def coded(response) -> tuple:
    body = response.json()["error"]
    return response.status_code, body["code"], body.get("param")


GHOST = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def test_one_rule_one_code_when_applying_a_payment(api, ledger):
    first, second = (document.pk for document in ledger.documents[:2])
    at = f"applications[1].{ledger.id_param}"
    assert coded(ledger.pay(api, [(first, "1.00"), (first, "1.00")])) == (422, "duplicate_document", at)
    assert coded(ledger.pay(api, [(first, "1.00"), (GHOST, "1.00")])) == (404, "resource_missing", at)
    stranger = ledger.stranger.pk
    assert coded(ledger.pay(api, [(first, "1.00"), (stranger, "1.00")])) == (422, "party_mismatch", at)
    over = (422, "amount_exceeds_balance", "applications[1].amount_applied")
    assert coded(ledger.pay(api, [(first, "1.00"), (second, "999.00")])) == over
    assert coded(ledger.pay(api, [])) == (400, "invalid_application_count", "applications")
    party_param = "account_id" if ledger.id_param == "order_id" else "vendor_id"
    assert coded(ledger.pay(api, [(first, "1.00")], party_id=GHOST)) == (404, "resource_missing", party_param)
    assert ledger.pay(api, [(first, "100.00")]).status_code == 201
    assert coded(ledger.pay(api, [(first, "1.00")])) == (
        422,
        "document_not_open",
        f"applications[0].{ledger.id_param}",
    )


def test_one_rule_one_code_for_optional_payment_text(api, ledger):
    first = ledger.documents[0].pk
    # null means "none" for every optional text of a payment, in both ledgers
    empty = {"check_number": None, "external_reference": None, "notes": None}
    assert ledger.pay(api, [(first, "1.00")], **empty).status_code == 201
    assert coded(ledger.pay(api, [(first, "1.00")], check_number="12")) == (
        400,
        "check_fields_not_allowed",
        "check_number",
    )
    assert coded(ledger.pay(api, [(first, "1.00")], notes="x" * 5001)) == (400, "notes_too_long", "notes")
    assert coded(ledger.pay(api, [(first, "1.00")], memo="x")) == (400, "unknown_parameter", "memo")
    nested = ledger.pay(api, [(first, "1.00")], applications_extra={"note": "x"})
    assert coded(nested) == (400, "unknown_parameter", "applications[0].note")


def test_one_rule_one_code_when_creating_a_document(api, ledger):
    assert coded(ledger.create(api, lines=[])) == (400, "invalid_line_count", "lines")
    zero = [{"description": "Free", "unit_price": 0}]
    assert coded(ledger.create(api, lines=zero)) == (422, "total_not_positive", "lines")
    early = (422, "due_date_before_document_date", "due_date")
    assert coded(ledger.create(api, due_date="2026-03-01")) == early
    assert coded(ledger.create(api, **{ledger.party_param: GHOST})) == (
        404,
        "resource_missing",
        ledger.party_param,
    )
    long_line = [{"description": "x" * 501, "unit_price": 1}]
    assert coded(ledger.create(api, lines=long_line)) == (400, "description_too_long", "lines[0].description")
    nul = [{"description": "a\x00b", "unit_price": 1}]
    assert coded(ledger.create(api, lines=nul)) == (400, "parameter_invalid", "lines[0].description")


def test_one_rule_one_code_when_voiding(api, ledger):
    document = ledger.documents[0]
    url = f"{ledger.documents_url}/{document.pk}/void"
    assert coded(api.post(url, {}, format="json")) == (400, "parameter_missing", "reason")
    assert coded(api.post(url, {"reason": "   "}, format="json")) == (400, "parameter_missing", "reason")
    assert coded(api.post(url, {"reason": "x" * 501}, format="json")) == (400, "reason_too_long", "reason")
    paid = ledger.pay(api, [(ledger.documents[1].pk, "1.00")])
    busy = f"{ledger.documents_url}/{ledger.documents[1].pk}/void"
    assert coded(api.post(busy, {"reason": "typo"}, format="json")) == (422, "document_has_payments", None)
    voided = api.post(url, {"reason": "  entered twice "}, format="json")
    assert (voided.status_code, voided.json()["void_reason"]) == (200, "entered twice")
    assert coded(api.post(url, {"reason": "again"}, format="json")) == (409, "already_void", None)

    body = paid.json()
    payment_url = f"{ledger.payments_url}/{body['data']['id'] if 'data' in body else body['id']}"
    assert coded(api.post(f"{payment_url}/void", {}, format="json")) == (400, "parameter_missing", "reason")
    assert (
        api.post(f"{payment_url}/void", {"reason": "bounced"}, format="json").json()["void_reason"]
        == "bounced"
    )
    assert coded(api.post(f"{payment_url}/void", {"reason": "again"}, format="json")) == (
        409,
        "already_void",
        None,
    )


@pytest.mark.parametrize(
    "void",
    [
        lambda invoices, bills: invoice_void(invoice=invoices[0], reason=" ", voided_by="test"),
        lambda invoices, bills: vendor_bill_void(bill=bills[0], reason="", voided_by="test"),
    ],
)
def test_a_void_without_a_reason_is_refused_by_the_service(invoices, vendor, void):
    bills = [VendorBillFactory(vendor=vendor)]
    with pytest.raises(InvalidInput) as refused:
        void(invoices, bills)
    assert (refused.value.code, refused.value.param) == ("parameter_missing", "reason")
