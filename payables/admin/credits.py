"""Vendor credits: read-only ledger rows, the "Issue vendor credit" page, voided with a reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from erp.adminaccess import scope_form
from erp.adminkit import (
    PagesMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceForm,
    VoidWithReasonMixin,
    actor_of,
    render_page,
)
from erp.adminlists import money_column, money_text
from erp.exceptions import FolioError
from ledger.documents.admin import PartyAutocomplete, party_choice, reversal_preview
from payables.models import Vendor, VendorCredit, VendorCreditApplication
from payables.services import vendor_credit_issue, vendor_credit_void

EXPIRY_CHOICES = [
    ("default", "Entity default"),
    ("never", "Never expires"),
    ("on", "On the date below"),
]


class IssueVendorCreditForm(ServiceForm, forms.Form):
    """The admin's "Issue vendor credit": the same service as POST /v1/vendor-credits."""

    params = {"vendor_id": "vendor"}

    vendor = party_choice(Vendor)
    amount = forms.DecimalField(max_digits=14, decimal_places=2)
    reason = forms.CharField(max_length=500, required=False)
    source_type = forms.ChoiceField(
        choices=VendorCredit.SourceType.choices, initial=VendorCredit.SourceType.MANUAL
    )
    source_id = forms.UUIDField(
        required=False,
        help_text="The vendor return or bill it comes from; issuing twice for it returns the first.",
    )
    expiry = forms.ChoiceField(choices=EXPIRY_CHOICES, initial="default", widget=forms.RadioSelect)
    expires_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("expiry") == "on" and not data.get("expires_at"):
            self.add_error("expires_at", "Give the date the credit expires.")
        return data

    def expires_at_value(self):
        """Return what the service takes for the chosen expiry (``...`` is the entity's default)."""
        return {"default": ..., "never": None, "on": self.cleaned_data.get("expires_at")}[
            self.cleaned_data["expiry"]
        ]


class ConsumptionInline(ReadOnlyInline):
    model = VendorCreditApplication
    fk_name = "vendor_credit"
    verbose_name_plural = "spent by payments"
    fields = readonly_fields = ["payment", "payment_date", "payment_status", "amount"]

    @admin.display(description="payment date")
    def payment_date(self, obj):
        return obj.payment.payment_date

    @admin.display(description="payment status")
    def payment_status(self, obj):
        return obj.payment.status


@admin.register(VendorCredit)
class VendorCreditAdmin(PagesMixin, VoidWithReasonMixin, ReadOnlyAdmin):
    list_display = [
        "credit_number",
        "vendor",
        "entity",
        "amount_column",
        "remaining_column",
        "status",
        "source_type",
        "expires_at",
        "created_at",
    ]
    list_filter = ["status", "source_type", "entity"]
    search_fields = ["credit_number", "vendor__name", "reason"]
    list_select_related = ["vendor", "entity"]
    inlines = [ConsumptionInline]
    list_links = [("issue", "Issue vendor credit", "issue-credit-link", "add")]
    fields = readonly_fields = [
        "credit_number",
        "entity",
        "vendor",
        "amount",
        "remaining_amount",
        "expired_amount",
        "status",
        "reason",
        "source_type",
        "source_id",
        "expires_at",
        "notes",
        "journal_entry",
        "void_journal_entry",
        "expiry_journal_entry",
        "void_reason",
        "voided_at",
        "voided_by",
        "expired_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    pages = [("issue/", "issue_view", "issue")]
    void_notice = (
        "A voided credit stays on record, marked void with your reason; its posting is reversed by the "
        "entry below and it can no longer pay bills."
    )
    amount_column = money_column("amount", "Amount")
    remaining_column = money_column("remaining_amount", "Remaining")

    def void_preview(self, row):
        preview = super().void_preview(row)
        preview.amount = money_text(row.amount, row.entity.base_currency)
        if preview.blocked:
            return preview
        if row.status == VendorCredit.Status.EXPIRED:
            preview.blocked = "It has expired; its remainder is already written off."
        elif row.status != VendorCredit.Status.OPEN:
            preview.blocked = "Payments have spent from it; void those payments first."
        else:
            preview.reversal = reversal_preview(row.journal_entry)
        return preview

    def issue_view(self, request):
        """Issue a vendor credit through vendor_credit_issue; a refusal appears next to its field."""
        if not request.user.has_perm("payables.add_vendorcredit") or not self.entity_access(
            request, None, self.write_role
        ):
            raise PermissionDenied
        initial = {"vendor": request.GET.get("vendor")} if request.GET.get("vendor") else None
        form = IssueVendorCreditForm(request.POST or None, initial=initial)
        # The vendor is found by typing (the admin's autocomplete, VendorAdmin.search_fields).
        form.fields["vendor"].widget = PartyAutocomplete(
            VendorCredit._meta.get_field("vendor"), self.admin_site
        )
        scope_form(form, request, self.write_role)  # only vendors of the user's entities (docs/access.md)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                credit, created = vendor_credit_issue(
                    entity=data["vendor"].entity,
                    vendor_id=data["vendor"].pk,
                    amount=data["amount"],
                    reason=data["reason"],
                    source_type=data["source_type"],
                    source_id=data["source_id"],
                    expires_at=form.expires_at_value(),
                    notes=data["notes"],
                    created_by=actor_of(request),
                )
            except FolioError as error:
                form.show_refusal(error)
            else:
                if created:
                    messages.success(request, f"Vendor credit {credit} issued for {credit.amount}.")
                else:
                    messages.info(
                        request, f"Vendor credit {credit} was already issued for this source; nothing new."
                    )
                return redirect(reverse("admin:payables_vendorcredit_change", args=[credit.pk]))
        return render_page(
            self,
            request,
            "admin/payables/vendorcredit/issue.html",
            title="Issue vendor credit",
            form=form,
            form_id="issue-credit-form",
            submit_label="Issue vendor credit",
        )

    def void_row(self, row, *, reason, voided_by):
        vendor_credit_void(credit=row, reason=reason, voided_by=voided_by)
