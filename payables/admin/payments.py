"""AP payments: read-only once made, voided with a reason, made through "Pay bills"."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from erp.adminkit import ReadOnlyInline
from erp.adminlists import money_column, money_text
from ledger.documents.admin import RECORD_FIELDS, ApplyPaymentForm, PaymentAdmin
from payables import selectors
from payables.models import APPayment, APPaymentApplication, Vendor, VendorCreditApplication
from payables.services import ap_payment_create, ap_payment_void


class PayBillsForm(ApplyPaymentForm):
    """One vendor's open bills with an amount to apply each, and its usable credits to tick."""

    columns = [
        ("Bill", "number"),
        ("Vendor ref.", "vendor_reference"),
        ("Bill date", "bill_date"),
        ("Due", "due_date"),
    ]
    noun = "bill"

    method = forms.ChoiceField(choices=APPayment.Method.choices, initial=APPayment.Method.CHECK)
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        initial=0,
        label="Cash amount",
        help_text="0 when credit pays it all.",
    )
    payment_date = forms.DateField(initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    check_number = forms.CharField(max_length=50, required=False)
    external_reference = forms.CharField(max_length=200, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    vendor_credit_ids = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Vendor credits to use"
    )

    def __init__(self, *args, credits: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.credits = credits
        self.fields["vendor_credit_ids"].choices = [(str(c.pk), c.credit_number) for c in credits]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        cash, applied = data.get("amount"), self.applied_total()
        if cash is not None and cash > applied:
            self.add_error(
                "amount", f"The cash amount ({cash}) is more than the total applied to bills ({applied})."
            )
        elif cash is not None:
            ticked = set(data.get("vendor_credit_ids") or [])
            available = sum((c.remaining_amount for c in self.credits if str(c.pk) in ticked), cash * 0)
            if applied - cash > available:
                self.add_error(
                    "vendor_credit_ids" if ticked else "amount",
                    f"The cash ({cash}) and the ticked credits ({available}) cover less than the "
                    f"{applied} applied: raise the cash or tick more credits.",
                )
        return data

    def payment_fields(self):
        # The credits are their own table on the page.
        return [field for field in super().payment_fields() if field.name != "vendor_credit_ids"]

    def credit_rows(self):
        """Yield (credit, whether it is ticked) for the template."""
        ticked = set(self["vendor_credit_ids"].value() or [])
        for credit in self.credits:
            yield credit, str(credit.pk) in ticked

    def credit_ids(self) -> list:
        """Return the ticked credits' ids, in the order they are listed."""
        ticked = set(self.cleaned_data["vendor_credit_ids"])
        return [credit.pk for credit in self.credits if str(credit.pk) in ticked]


class BillAppliedInline(ReadOnlyInline):
    model = APPaymentApplication
    fk_name = "payment"
    verbose_name_plural = "bills paid"
    fields = readonly_fields = ["bill", "amount_applied"]


class CreditSpentInline(ReadOnlyInline):
    model = VendorCreditApplication
    fk_name = "payment"
    verbose_name_plural = "vendor credits used"
    fields = readonly_fields = ["vendor_credit", "amount"]


@admin.register(APPayment)
class APPaymentAdmin(PaymentAdmin):
    list_display = [
        "number",
        "vendor",
        "entity",
        "method",
        "amount_column",
        "credit_amount_column",
        "total_applied_column",
        "payment_date",
        "status",
    ]
    list_filter = ["status", "method", "entity", ("payment_date", admin.DateFieldListFilter)]
    search_fields = ["number", "vendor__name", "check_number", "external_reference"]
    list_select_related = ["vendor", "entity"]
    inlines = [BillAppliedInline, CreditSpentInline]
    list_links = [("pay_bills", "Pay bills", "pay-bills-link", "add")]
    fields = readonly_fields = [
        "number",
        "entity",
        "vendor",
        "method",
        "amount",
        "credit_amount",
        "total_applied",
        "payment_date",
        "check_number",
        "external_reference",
        "notes",
        "status",
        *RECORD_FIELDS,
    ]
    party_model = Vendor
    document_field = "bill"
    pages = [("pay-bills/", "payment_page_view", "pay_bills")]
    page_title = "Pay bills"
    page_form = PayBillsForm
    page_template = "admin/payables/appayment/pay_bills.html"

    def open_documents(self, party):
        return selectors.vendor_open_bills(vendor=party)

    def page_form_kwargs(self, party):
        return {"credits": list(selectors.vendor_usable_credits(vendor=party))}

    def pay(self, form, *, created_by):
        payment = ap_payment_create(
            **form.service_inputs(), vendor_credit_ids=form.credit_ids(), created_by=created_by
        )
        return payment, (
            f"Payment {payment.number} applied {payment.total_applied} "
            f"({payment.amount} cash, {payment.credit_amount} vendor credit)."
        )

    credit_amount_column = money_column("credit_amount", "Credit used")
    total_applied_column = money_column("total_applied", "Total applied")

    def applications_undone(self, row):
        currency = row.entity.base_currency
        credits = [
            (
                f"Vendor credit {spent.vendor_credit.credit_number} restored",
                money_text(spent.amount, currency),
            )
            for spent in row.credit_applications.select_related("vendor_credit").order_by("position")
        ]
        return [*super().applications_undone(row), *credits]

    def void_preview(self, row):
        preview = super().void_preview(row)
        if not preview.blocked and row.credit_applications.filter(vendor_credit__status="expired").exists():
            preview.notes.append(
                "A credit it used has expired since: what comes back to it is written off again "
                "by a further expiry entry."
            )
        return preview

    def void_row(self, row, *, reason, voided_by):
        ap_payment_void(payment=row, reason=reason, voided_by=voided_by)
