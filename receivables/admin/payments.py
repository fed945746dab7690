"""Payments: voided with a reason, made by "Receive payment" (one payment, many invoices)."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils import timezone

from erp.adminkit import ReadOnlyInline
from ledger.documents.admin import RECORD_FIELDS, ApplyPaymentForm, PaymentAdmin
from receivables import selectors
from receivables.models import Customer, Payment, PaymentApplication, PaymentMethod
from receivables.services import payment_apply_to_invoices, payment_void


class ReceivePaymentForm(ApplyPaymentForm):
    """The customer's open invoices with an amount to apply each, and the payment's own fields."""

    columns = [("Invoice", "number"), ("Date", "invoice_date"), ("Due", "due_date")]
    noun = "invoice"

    payment_method = forms.ChoiceField(choices=PaymentMethod.choices, initial=PaymentMethod.CHECK)
    payment_date = forms.DateField(initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        label="Amount received",
        help_text="Empty: exactly the sum applied below.",
    )
    check_number = forms.CharField(required=False, max_length=50)
    check_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    external_reference = forms.CharField(required=False, max_length=200)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        amount, applied = data.get("amount"), self.applied_total()
        if amount is not None and not self.errors and amount != applied:
            self.add_error(
                "amount",
                f"The amount received ({amount}) is not the total applied ({applied}). Correct one of them, "
                "or leave the amount empty to receive exactly the total applied.",
            )
        return data


class PaymentApplicationInline(ReadOnlyInline):
    model = PaymentApplication
    fields = readonly_fields = ["invoice", "amount_applied"]


@admin.register(Payment)
class ReceivablesPaymentAdmin(PaymentAdmin):
    list_display = [
        "journal_entry",
        "customer",
        "entity",
        "payment_method",
        "amount_column",
        "payment_date",
        "status",
        "created_at",
    ]
    list_filter = ["entity", "status", "payment_method", ("payment_date", admin.DateFieldListFilter)]
    search_fields = ["customer__name", "check_number", "external_reference", "journal_entry__number"]
    list_select_related = ["customer", "entity", "journal_entry"]
    inlines = [PaymentApplicationInline]
    list_links = [("receive", "Receive payment", "receive-payment-link", "add")]
    fields = readonly_fields = [
        "entity",
        "customer",
        "amount",
        "payment_method",
        "status",
        "payment_date",
        "check_number",
        "check_date",
        "external_reference",
        "notes",
        *RECORD_FIELDS,
    ]
    party_model = Customer
    document_field = "invoice"
    pages = [("receive/", "payment_page_view", "receive")]
    page_title = "Receive payment"
    page_form = ReceivePaymentForm

    def open_documents(self, party):
        return selectors.open_invoices_for_customer(customer=party)

    def pay(self, form, *, created_by):
        inputs = form.service_inputs()
        if inputs["amount"] is None:  # exactly the sum applied
            inputs["amount"] = sum((a.amount_applied for a in inputs["applications"]), Decimal("0.00"))
        payment = payment_apply_to_invoices(**inputs, created_by=created_by)
        return payment, (
            f"Received {payment.amount} from {form.party.name}, applied to {len(inputs['applications'])} "
            f"invoice(s); journal entry {payment.journal_entry.number}."
        )

    def void_row(self, row, *, reason, voided_by):
        payment_void(payment=row, reason=reason, voided_by=voided_by)
