"""Every void asks for a reason on one confirmation page that shows what it will reverse.

Given a row of each voidable model, the page (from the row's "Void…" button or from the list's
action) lists the amount, the reversing entry's lines and the applications it undoes; nothing is
voided until a reason is given; a user without the change permission is offered neither way in.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from erp.services.memberships import membership_grant
from numbering.models import IssuedNumber
from numbering.services import sequence_issue_next
from payables.models import APPayment, VendorBill, VendorCredit
from payables.services import ApplicationInput as BillApplication
from payables.services import ap_payment_create
from receivables.models import Invoice, Payment
from receivables.services import ApplicationInput, payment_apply_to_invoices
from tests.numbering.factories import SequenceFactory
from tests.payables.factories import VendorBillFactory, VendorCreditFactory

pytestmark = pytest.mark.django_db

VOIDABLE = [Invoice, Payment, VendorBill, APPayment, VendorCredit, IssuedNumber]


def staff_with(*codenames: str, username: str, entity):
    """A staff accountant of `entity`, not a superuser, with exactly these permissions ("app.codename")."""
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "unused-password-1")
    user.is_staff = True
    user.save()
    membership_grant(user=user, entity=entity, role="accountant")
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def url(row, suffix: str) -> str:
    opts = row._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{row.pk}/{suffix}"


@pytest.fixture
def rows(entity, customer, invoices, vendor):
    """An untouched row of every voidable model (the invoice and the bill have nothing applied)."""
    bill = VendorBillFactory(vendor=vendor, total=Decimal("80.00"))
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("15.00"))
    with transaction.atomic():
        issued = sequence_issue_next(sequence=SequenceFactory(entity=entity), document_type="")
    return {
        Invoice: invoices[2],
        Payment: payment_apply_to_invoices(
            entity=entity,
            customer_id=customer.pk,
            payment_method="cash",
            amount="110.00",
            applications=[
                ApplicationInput(document_id=invoices[0].pk, amount_applied="100.00"),
                ApplicationInput(document_id=invoices[1].pk, amount_applied="10.00"),
            ],
        ),
        VendorBill: VendorBillFactory(vendor=vendor, total=Decimal("1234.50")),
        APPayment: ap_payment_create(
            entity=entity,
            vendor_id=vendor.pk,
            method="ach",
            amount="20.00",
            applications=[BillApplication(document_id=bill.pk, amount_applied="20.00")],
        ),
        VendorCredit: credit,
        IssuedNumber: issued,
    }


def status_of(row) -> str:
    return type(row).objects.get(pk=row.pk).status


@pytest.mark.parametrize("model", VOIDABLE, ids=[m.__name__ for m in VOIDABLE])
def test_the_row_page_offers_void_and_voids_only_once_a_reason_is_given(admin_client, rows, model):
    row = rows[model]
    change = admin_client.get(url(row, "change/"))
    assert 'id="void-link"' in change.content.decode()

    page = admin_client.get(url(row, "void/"))
    assert page.status_code == 200
    assert page.templates[0].name == "admin/folio/void.html"
    assert 'name="reason"' in page.content.decode()

    blank = admin_client.post(url(row, "void/"), {"reason": "  "})
    assert "Give the reason for the void." in blank.content.decode()
    assert status_of(row) not in ("void", "voided")

    done = admin_client.post(url(row, "void/"), {"reason": "entered twice"}, follow=True)
    assert done.redirect_chain[-1][0].endswith(url(row, "change/"))
    assert status_of(row) in ("void", "voided")
    assert type(row).objects.get(pk=row.pk).void_reason == "entered twice"
    # A void row offers no second void.
    assert 'id="void-link"' not in admin_client.get(url(row, "change/")).content.decode()


def test_the_page_shows_the_amount_and_the_reversing_entry(admin_client, rows):
    bill = rows[VendorBill]
    page = admin_client.get(url(bill, "void/")).content.decode()
    assert "1,234.50 USD" in page
    lines = [
        (line.account.code, line.debit, line.credit)
        for line in bill.journal_entry.lines.select_related("account")
    ]
    assert len(lines) >= 2
    for code, debit, credit in lines:
        # The reversal swaps each side: the original debit is shown as a credit and back.
        assert code in page
        for amount in (debit, credit):
            if amount:
                assert f"{amount:,.2f}" in page


def test_a_payment_page_lists_the_applications_it_undoes(admin_client, rows, invoices):
    page = admin_client.get(url(rows[Payment], "void/")).content.decode()
    assert "Applications undone" in page
    assert f"Invoice {invoices[0].number}" in page and "100.00 USD" in page
    assert f"Invoice {invoices[1].number}" in page and "10.00 USD" in page


def test_an_ap_payment_page_lists_the_bill_owed_again(admin_client, rows):
    payment = rows[APPayment]
    bill = payment.applications.get().bill
    page = admin_client.get(url(payment, "void/")).content.decode()
    assert f"Bill {bill.number}" in page and "20.00 USD" in page


def test_the_list_action_shows_the_same_page_and_voids_nothing_without_a_reason(admin_client, rows):
    invoice = rows[Invoice]
    page = admin_client.post(
        "/admin/receivables/invoice/", {"action": "void_selected", "_selected_action": [str(invoice.pk)]}
    )
    assert page.templates[0].name == "admin/folio/void.html"
    assert "The reversing entry it posts" in page.content.decode()
    assert status_of(invoice) == "open"

    admin_client.post(
        "/admin/receivables/invoice/",
        {"action": "void_selected", "_selected_action": [str(invoice.pk)], "reason": "typo"},
    )
    assert status_of(invoice) == "void"


def test_an_invoice_with_payments_says_why_it_cannot_be_voided(admin_client, rows, invoices):
    paid = invoices[0]
    assert 'id="void-link"' not in admin_client.get(url(paid, "change/")).content.decode()
    page = admin_client.get(url(paid, "void/")).content.decode()
    assert "Payments of 100.00 USD are applied to it; void those payments first." in page
    assert "void-submit" not in page  # nothing to confirm


@pytest.mark.parametrize("model", VOIDABLE, ids=[m.__name__ for m in VOIDABLE])
def test_a_view_only_user_has_no_void_button_and_cannot_open_or_post_the_page(client, entity, rows, model):
    opts = model._meta
    client.force_login(
        staff_with(f"{opts.app_label}.view_{opts.model_name}", username="viewer", entity=entity)
    )
    row = rows[model]
    change = client.get(url(row, "change/"))
    assert change.status_code == 200
    assert 'id="void-link"' not in change.content.decode()
    assert client.get(url(row, "void/")).status_code == 403
    assert client.post(url(row, "void/"), {"reason": "no"}).status_code == 403
    assert status_of(row) not in ("void", "voided")


def test_an_ap_payment_page_lists_the_vendor_credit_it_restores(admin_client, entity, vendor):
    bill = VendorBillFactory(vendor=vendor, total=Decimal("50.00"))
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("30.00"))
    payment = ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="ach",
        amount="20.00",
        applications=[BillApplication(document_id=bill.pk, amount_applied="50.00")],
        vendor_credit_ids=[credit.pk],
    )
    page = admin_client.get(url(payment, "void/")).content.decode()
    assert f"Bill {bill.number}" in page and "50.00 USD" in page
    assert f"Vendor credit {credit.credit_number} restored" in page and "30.00 USD" in page
