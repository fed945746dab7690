"""Payables admin: every write goes through the services; errors appear next to their field."""

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from erp.models import Entity
from ledger import selectors
from payables.models import APPayment, Vendor, VendorBill, VendorCredit
from payables.services import ApplicationInput, ap_payment_create
from tests.helpers import entries_for
from tests.payables.factories import VendorBillFactory, VendorCreditFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("acc", "acc@example.com", "unused-password-1")
    client.force_login(user)
    return client


def test_adding_a_vendor_goes_through_the_service(admin_client, entity):
    response = admin_client.post(
        "/admin/payables/vendor/add/",
        {
            "entity": entity.pk,
            "name": "  Fabrikam ",
            "email": "ap@fabrikam.example",
            "external_reference": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Vendor.objects.get(entity=entity).name == "Fabrikam"


def test_a_bad_vendor_email_is_shown_next_to_the_field(admin_client, entity):
    response = admin_client.post(
        "/admin/payables/vendor/add/", {"entity": entity.pk, "name": "Fabrikam", "email": "nope"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Vendor.objects.exists()


def test_editing_a_vendor_goes_through_the_service(admin_client, vendor):
    credit = VendorCreditFactory(vendor=vendor)
    response = admin_client.post(
        f"/admin/payables/vendor/{vendor.pk}/change/",
        {
            "name": "Northwind Traders",
            "email": "",
            "external_reference": "NW",
            # What the browser sends for the read-only credit history.
            "credits-TOTAL_FORMS": 1,
            "credits-INITIAL_FORMS": 1,
            "credits-0-id": credit.pk,
            "credits-0-vendor": vendor.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    vendor.refresh_from_db()
    assert (vendor.name, vendor.email, vendor.external_reference) == ("Northwind Traders", "", "NW")
    assert VendorCredit.objects.get(pk=credit.pk).amount == credit.amount


def test_the_vendor_page_lists_its_credits_and_what_spent_them(admin_client, entity, vendor):
    credit = VendorCreditFactory(vendor=vendor, amount=D("50.00"))
    payment = ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="ach",
        amount=0,
        applications=[
            ApplicationInput(document_id=VendorBillFactory(vendor=vendor).pk, amount_applied="20.00")
        ],
        vendor_credit_ids=[credit.pk],
    )
    page = admin_client.get(f"/admin/payables/vendor/{vendor.pk}/change/").content.decode()
    assert "credit history" in page.lower()
    assert credit.credit_number in page
    assert payment.number in page and "20.00" in page
    assert "vendor-pay-bills-link" in page and "vendor-issue-credit-link" in page


def bill_form(vendor, **overrides):
    data = {
        "vendor": vendor.pk,
        "bill_date": "2026-03-02",
        "due_date": "2026-04-01",
        "vendor_reference": "NW-9",
        "lines-TOTAL_FORMS": 3,
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 1,
        "lines-MAX_NUM_FORMS": 1000,
        "lines-0-description": "Paper",
        "lines-0-quantity": "10",
        "lines-0-unit_price": "6.25",
        "lines-1-description": "Toner",
        "lines-1-quantity": "2",
        "lines-1-unit_price": "40.00",
        # The third row is an untouched extra form: the browser sends its initial quantity.
        "lines-2-quantity": "1",
    }
    data.update(overrides)
    return data


def test_adding_a_bill_with_inline_lines_goes_through_the_service(admin_client, vendor):
    response = admin_client.post("/admin/payables/vendorbill/add/", bill_form(vendor))
    assert response.status_code == 302, response.content.decode()[:3000]
    bill = VendorBill.objects.get()
    assert (bill.number, bill.total, bill.lines.count()) == ("BILL0000001", D("142.50"), 2)
    assert bill.created_by == "user:acc"
    assert len(entries_for("vendor_bill", bill.pk)) == 1
    page = admin_client.get(f"/admin/payables/vendorbill/{bill.pk}/change/").content.decode()
    assert "BILL0000001" in page and "142.50" in page


def test_a_bad_bill_line_is_shown_on_its_line_and_nothing_is_saved(admin_client, vendor):
    response = admin_client.post(
        "/admin/payables/vendorbill/add/", bill_form(vendor, **{"lines-1-quantity": "0"})
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[1].errors["quantity"] == ["Quantity must be more than zero."]
    assert not VendorBill.objects.exists()


def test_a_bad_bill_header_is_shown_on_its_field(admin_client, vendor):
    response = admin_client.post("/admin/payables/vendorbill/add/", bill_form(vendor, due_date="2026-03-01"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["due_date"] == [
        "The due date cannot be before the bill date."
    ]
    assert not VendorBill.objects.exists()


def test_issue_vendor_credit_view(admin_client, vendor):
    assert "issue-credit-link" in admin_client.get("/admin/payables/vendorcredit/").content.decode()
    data = {
        "vendor": vendor.pk,
        "amount": "75.00",
        "reason": "returned goods",
        "source_type": "vendor_return",
        "source_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "expiry": "never",
        "expires_at": "",
        "notes": "",
    }
    response = admin_client.post("/admin/payables/vendorcredit/issue/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    credit = VendorCredit.objects.get()
    assert (credit.amount, credit.expires_at, credit.created_by) == (D("75.00"), None, "user:acc")
    again = admin_client.post("/admin/payables/vendorcredit/issue/", data, follow=True)
    assert "already issued for this source" in again.content.decode()
    assert VendorCredit.objects.count() == 1


def test_an_expiry_in_the_past_is_shown_next_to_the_field(admin_client, vendor):
    data = {"vendor": vendor.pk, "amount": "10", "source_type": "manual", "expiry": "on"}
    response = admin_client.post(
        "/admin/payables/vendorcredit/issue/", {**data, "expires_at": "2020-01-01T10:00"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["expires_at"] == ["Expires at must be in the future."]
    assert not VendorCredit.objects.exists()


@pytest.fixture
def open_bills(vendor):
    return [
        VendorBillFactory(vendor=vendor, total=D("100.00")),
        VendorBillFactory(vendor=vendor, total=D("40.00")),
    ]


def pay_form(vendor, **fields):
    return {
        "vendor": vendor.pk,
        "method": "check",
        "amount": "0",
        "payment_date": "2026-03-10",
        "check_number": "",
        "external_reference": "",
        "notes": "",
        **fields,
    }


def test_pay_bills_lists_open_bills_and_usable_credits(admin_client, vendor, other_vendor, open_bills):
    credit = VendorCreditFactory(vendor=vendor, amount=D("30.00"))
    VendorBillFactory(vendor=other_vendor)
    picker = admin_client.get("/admin/payables/appayment/pay-bills/").content.decode()
    # The vendor is found by typing (autocomplete): the picker lists nobody until asked.
    assert 'data-placeholder="Choose a vendor…"' in picker and "open-bills" not in picker
    found = admin_client.get(
        "/admin/autocomplete/",
        {"term": vendor.name[:4], "app_label": "payables", "model_name": "appayment", "field_name": "vendor"},
    ).json()
    assert [result["id"] for result in found["results"]] == [str(vendor.pk)]
    page = admin_client.get(f"/admin/payables/appayment/pay-bills/?vendor={vendor.pk}").content.decode()
    assert all(bill.number in page for bill in open_bills)
    assert f'id="credit-{credit.pk}"' in page
    assert page.count('name="apply_') == 2


def test_paying_bills_with_a_credit_goes_through_the_service(admin_client, vendor, open_bills):
    credit = VendorCreditFactory(vendor=vendor, amount=D("30.00"))
    first, second = open_bills
    data = pay_form(
        vendor,
        amount="110.00",
        check_number="5001",
        vendor_credit_ids=[str(credit.pk)],
        **{f"apply_{first.pk.hex}": "100.00", f"apply_{second.pk.hex}": "40.00"},
    )
    response = admin_client.post("/admin/payables/appayment/pay-bills/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    payment = APPayment.objects.get()
    assert (payment.amount, payment.credit_amount, payment.check_number) == (D("110.00"), D("30.00"), "5001")
    assert payment.created_by == "user:acc"
    assert VendorCredit.objects.get().status == "applied"
    assert set(VendorBill.objects.values_list("status", flat=True)) == {"paid"}


def test_not_enough_credit_is_shown_next_to_the_credits(admin_client, vendor, open_bills):
    credit = VendorCreditFactory(vendor=vendor, amount=D("30.00"))
    data = pay_form(
        vendor, amount="50.00", vendor_credit_ids=[str(credit.pk)], **{f"apply_{open_bills[0].pk.hex}": "100"}
    )
    response = admin_client.post("/admin/payables/appayment/pay-bills/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors["vendor_credit_ids"]
    assert errors == [
        "The cash (50.00) and the ticked credits (30.00) cover less than the 100.00 applied: "
        "raise the cash or tick more credits."
    ]
    assert not APPayment.objects.exists()


def test_too_much_on_a_bill_is_shown_next_to_that_bill(admin_client, vendor, open_bills):
    first, second = open_bills
    data = pay_form(
        vendor, amount="50.01", **{f"apply_{first.pk.hex}": "10", f"apply_{second.pk.hex}": "40.01"}
    )
    response = admin_client.post("/admin/payables/appayment/pay-bills/", data)
    assert response.status_code == 200
    assert "balance due" in response.context["form"].errors[f"apply_{second.pk.hex}"][0]
    assert not APPayment.objects.exists()


def test_paying_nothing_is_a_form_error(admin_client, vendor, open_bills):
    response = admin_client.post("/admin/payables/appayment/pay-bills/", pay_form(vendor))
    assert response.context["form"].non_field_errors() == ["Enter the amount to apply to at least one bill."]


def test_voiding_a_payment_from_the_admin_restores_balances(admin_client, entity, vendor, open_bills):
    payment = ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="cash",
        amount="100",
        applications=[ApplicationInput(document_id=open_bills[0].pk, amount_applied="100")],
    )
    response = admin_client.post(
        "/admin/payables/appayment/",
        {"action": "void_selected", "_selected_action": [payment.pk], "reason": "entered twice"},
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.void_reason, payment.voided_by) == ("void", "entered twice", "user:acc")
    assert VendorBill.objects.get(pk=open_bills[0].pk).status == "open"


def test_nothing_is_deleted_or_edited_from_the_admin(admin_client, entity, vendor, open_bills):
    credit = VendorCreditFactory(vendor=vendor)
    payment = ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="cash",
        amount="0",
        applications=[ApplicationInput(document_id=open_bills[0].pk, amount_applied="10")],
        vendor_credit_ids=[credit.pk],
    )
    for url in (
        f"/admin/payables/appayment/{payment.pk}/delete/",
        f"/admin/payables/vendorcredit/{credit.pk}/delete/",
        f"/admin/payables/vendorbill/{open_bills[0].pk}/delete/",
        f"/admin/payables/vendor/{vendor.pk}/delete/",
    ):
        assert admin_client.post(url, {"post": "yes"}).status_code == 403, url
    assert admin_client.get("/admin/payables/appayment/add/").status_code == 403
    assert admin_client.get("/admin/payables/vendorcredit/add/").status_code == 403
    page = admin_client.get(f"/admin/payables/appayment/{payment.pk}/change/").content.decode()
    assert payment.number in page and 'name="_save"' not in page


def test_the_demo_data_step_adds_vendors_bills_and_a_credit(db):
    out = io.StringIO()
    call_command("load_demo", "--json", stdout=out)
    entity = Entity.objects.get(pk=json.loads(out.getvalue())["entity_id"])
    assert entity.vendors.count() == 2
    assert entity.vendor_bills.filter(status="open").count() == 3
    credit = entity.vendor_credits.get()
    assert (credit.source_type, credit.amount, credit.status) == ("vendor_return", D("120.00"), "open")
    assert all(bill.due_date > bill.bill_date for bill in entity.vendor_bills.all())
    assert selectors.trial_balance(entity=entity).balanced
    call_command("load_demo", "--json", stdout=io.StringIO())  # a refresh adds nothing twice
    assert entity.vendors.count() == 2


def test_voiding_bills_and_credits_from_the_admin(admin_client, entity, vendor, open_bills):
    credit = VendorCreditFactory(vendor=vendor)
    paid = open_bills[1]
    ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="cash",
        amount="40",
        applications=[ApplicationInput(document_id=paid.pk, amount_applied="40")],
    )
    response = admin_client.post(
        "/admin/payables/vendorbill/",
        {"action": "void_selected", "_selected_action": [b.pk for b in open_bills], "reason": "typo"},
        follow=True,
    )
    page = response.content.decode()
    assert "Voided 1 of 2 vendor bills." in page
    assert f"{paid.number}: {paid.number} has payments applied" in page
    assert VendorBill.objects.get(pk=open_bills[0].pk).status == "void"
    assert VendorBill.objects.get(pk=paid.pk).status == "paid"
    asked = admin_client.post(
        "/admin/payables/vendorcredit/", {"action": "void_selected", "_selected_action": [credit.pk]}
    )
    assert "The reversing entry it posts" in asked.content.decode()
    admin_client.post(
        "/admin/payables/vendorcredit/",
        {"action": "void_selected", "_selected_action": [credit.pk], "reason": "issued in error"},
    )
    credit.refresh_from_db()
    assert (credit.status, credit.void_reason) == ("voided", "issued in error")
