"""AP payments: read-only once made, voided by an action, made through "Pay bills"."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from erp.adminkit import actor_of
from erp.exceptions import FolioError
from payables import selectors
from payables.admin.bills import VendorChoiceField
from payables.admin.common import ReadOnlyInline, void_with_reason
from payables.models import APPayment, APPaymentApplication, Vendor, VendorCreditApplication
from payables.services import ap_payment_create, ap_payment_void

# Service params that name a field of the form as they are.
FORM_PARAMS = {"method", "amount", "payment_date", "check_number", "external_reference", "notes"}


class PayBillsForm(forms.Form):
    """One vendor's open bills with an amount to apply each, and its usable credits to tick."""

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

    def __init__(self, *args, bills, credits, **kwargs):
        super().__init__(*args, **kwargs)
        self.bills, self.credits = bills, credits
        self.fields["vendor_credit_ids"].choices = [(str(c.pk), c.credit_number) for c in credits]
        for bill in bills:
            self.fields[self.bill_field(bill.pk)] = forms.DecimalField(
                max_digits=14, decimal_places=2, required=False, label=f"Apply to {bill.number}"
            )

    @staticmethod
    def bill_field(bill_id) -> str:
        return f"apply_{bill_id}"

    def applications(self) -> list[dict]:
        """Return the bills given a positive amount, in the order they are listed."""
        return [
            {"bill_id": bill.pk, "amount_applied": amount}
            for bill in self.bills
            if (amount := self.cleaned_data.get(self.bill_field(bill.pk)))
        ]

    def credit_ids(self) -> list[uuid.UUID]:
        ticked = set(self.cleaned_data["vendor_credit_ids"])
        return [credit.pk for credit in self.credits if str(credit.pk) in ticked]

    def show(self, error: FolioError, applications: list[dict]) -> None:
        """Put the service's error next to the bill, credit or field it names."""
        param = error.param or ""
        field = None
        if param.startswith("applications[") and "]" in param:
            index = int(param[len("applications[") : param.index("]")])
            if index < len(applications):
                field = self.bill_field(applications[index]["bill_id"])
        elif param.startswith("vendor_credit_ids"):
            field = "vendor_credit_ids"
        elif param in FORM_PARAMS:
            field = param
        self.add_error(field if field in self.fields else None, error.message)


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
class APPaymentAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "vendor",
        "entity",
        "method",
        "amount",
        "credit_amount",
        "total_applied",
        "payment_date",
        "status",
    ]
    list_filter = ["status", "method", "entity", ("payment_date", admin.DateFieldListFilter)]
    search_fields = ["number", "vendor__name", "check_number", "external_reference"]
    list_select_related = ["vendor", "entity"]
    inlines = [BillAppliedInline, CreditSpentInline]
    actions = ["void_selected"]
    change_list_template = "admin/payables/appayment/change_list.html"
    readonly_fields = [
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
        "journal_entry",
        "void_journal_entry",
        "void_reason",
        "voided_at",
        "voided_by",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        # Payments are made through "Pay bills" (the service), never a bare model form.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path(
                "pay-bills/",
                self.admin_site.admin_view(self.pay_bills_view),
                name="payables_appayment_pay_bills",
            ),
        ]
        return own + super().get_urls()

    def pay_bills_view(self, request):
        """Pick a vendor, enter amounts against its open bills, tick credits, submit to ap_payment_create."""
        if not request.user.has_perm("payables.add_appayment"):
            raise PermissionDenied
        vendors = Vendor.objects.select_related("entity").order_by("entity__code", "name")
        picker = forms.Form(request.GET or None)
        picker.fields["vendor"] = VendorChoiceField(queryset=vendors, label="Vendor")
        vendor = _vendor_from(request, vendors)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Pay bills",
            "picker": picker,
            "vendor": vendor,
        }
        if vendor is None:
            return TemplateResponse(request, "admin/payables/appayment/pay_bills.html", context)
        bills = list(selectors.vendor_open_bills(vendor=vendor))
        credits = list(selectors.vendor_usable_credits(vendor=vendor))
        form = PayBillsForm(request.POST or None, bills=bills, credits=credits)
        if request.method == "POST" and form.is_valid():
            applications = form.applications()
            try:
                payment = ap_payment_create(
                    entity=vendor.entity,
                    vendor_id=vendor.pk,
                    method=form.cleaned_data["method"],
                    amount=form.cleaned_data["amount"],
                    applications=applications,
                    vendor_credit_ids=form.credit_ids(),
                    payment_date=form.cleaned_data["payment_date"],
                    check_number=form.cleaned_data["check_number"],
                    external_reference=form.cleaned_data["external_reference"],
                    notes=form.cleaned_data["notes"],
                    created_by=actor_of(request),
                )
            except FolioError as error:
                form.show(error, applications)
            else:
                messages.success(
                    request,
                    f"Payment {payment.number} applied {payment.total_applied} "
                    f"({payment.amount} cash, {payment.credit_amount} vendor credit).",
                )
                return redirect(reverse("admin:payables_appayment_change", args=[payment.pk]))
        ticked = set(form["vendor_credit_ids"].value() or [])
        context.update(
            form=form,
            bill_rows=[(bill, form[PayBillsForm.bill_field(bill.pk)]) for bill in bills],
            credit_rows=[(credit, str(credit.pk) in ticked) for credit in credits],
        )
        return TemplateResponse(request, "admin/payables/appayment/pay_bills.html", context)

    @admin.action(description="Void selected payments (asks for a reason)", permissions=["view"])
    def void_selected(self, request, queryset):
        return void_with_reason(
            self,
            request,
            queryset,
            service=ap_payment_void,
            keyword="payment",
            action="void_selected",
            permission="payables.change_appayment",
        )


def _vendor_from(request, vendors) -> Vendor | None:
    """Return the vendor named by ?vendor= (or the posted form), if there is one."""
    value = request.POST.get("vendor") or request.GET.get("vendor")
    try:
        return vendors.filter(pk=uuid.UUID(str(value))).first() if value else None
    except ValueError:
        return None
