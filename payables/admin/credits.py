"""Vendor credits: read-only ledger rows, the "Issue vendor credit" form, and a void action."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from erp.adminkit import ServiceFormMixin, actor_of
from erp.exceptions import FolioError
from payables.admin.bills import VendorChoiceField
from payables.admin.common import ReadOnlyInline, remap_param, void_with_reason
from payables.models import Vendor, VendorCredit, VendorCreditApplication
from payables.services import vendor_credit_issue, vendor_credit_void

EXPIRY_CHOICES = [
    ("default", "Entity default"),
    ("never", "Never expires"),
    ("on", "On the date below"),
]


class IssueVendorCreditForm(ServiceFormMixin, forms.Form):
    """The admin's "Issue vendor credit": the same service as POST /v1/vendor-credits."""

    vendor = VendorChoiceField(
        queryset=Vendor.objects.select_related("entity").order_by("entity__code", "name")
    )
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

    def __init__(self, *args, actor: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean(self):
        data = super().clean()
        if data.get("expiry") == "on" and not data.get("expires_at"):
            self.add_error("expires_at", "Give the date the credit expires.")
        return data

    def service_call(self):
        data = self.cleaned_data
        expires_at = {"default": ..., "never": None, "on": data.get("expires_at")}[data["expiry"]]
        try:
            return vendor_credit_issue(
                entity=data["vendor"].entity,
                vendor_id=data["vendor"].pk,
                amount=data["amount"],
                reason=data["reason"],
                source_type=data["source_type"],
                source_id=data["source_id"],
                expires_at=expires_at,
                notes=data["notes"],
                created_by=self.actor,
            )
        except FolioError as error:
            raise remap_param(error, {"vendor_id": "vendor"}) from None


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
class VendorCreditAdmin(admin.ModelAdmin):
    list_display = [
        "credit_number",
        "vendor",
        "entity",
        "amount",
        "remaining_amount",
        "status",
        "source_type",
        "expires_at",
        "created_at",
    ]
    list_filter = ["status", "source_type", "entity"]
    search_fields = ["credit_number", "vendor__name", "reason"]
    list_select_related = ["vendor", "entity"]
    inlines = [ConsumptionInline]
    actions = ["void_selected"]
    change_list_template = "admin/payables/vendorcredit/change_list.html"
    readonly_fields = [
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

    def has_add_permission(self, request):
        # Credits are issued through "Issue vendor credit" (the service), never a bare model form.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path("issue/", self.admin_site.admin_view(self.issue_view), name="payables_vendorcredit_issue"),
        ]
        return own + super().get_urls()

    def issue_view(self, request):
        """Issue a vendor credit through vendor_credit_issue; errors appear next to their field."""
        if not request.user.has_perm("payables.add_vendorcredit"):
            raise PermissionDenied
        initial = {"vendor": request.GET.get("vendor")} if request.GET.get("vendor") else None
        form = IssueVendorCreditForm(request.POST or None, initial=initial, actor=actor_of(request))
        if request.method == "POST" and form.is_valid():
            credit, created = form.result
            if created:
                messages.success(request, f"Vendor credit {credit.credit_number} issued for {credit.amount}.")
            else:
                messages.info(
                    request,
                    f"Vendor credit {credit.credit_number} was already issued for this source; nothing new.",
                )
            return redirect(reverse("admin:payables_vendorcredit_change", args=[credit.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Issue vendor credit",
            "form": form,
        }
        return TemplateResponse(request, "admin/payables/vendorcredit/issue.html", context)

    @admin.action(description="Void selected credits (asks for a reason)", permissions=["view"])
    def void_selected(self, request, queryset):
        return void_with_reason(
            self,
            request,
            queryset,
            service=vendor_credit_void,
            keyword="credit",
            action="void_selected",
            permission="payables.change_vendorcredit",
        )
