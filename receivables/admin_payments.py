"""Admin for payments: read-only history, void, and "Receive payment" (the multi-invoice-apply service)."""

import re
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from erp.adminkit import actor_of
from erp.exceptions import FolioError
from receivables import selectors
from receivables.models import Customer, Invoice, Payment, PaymentApplication, PaymentMethod
from receivables.services import ApplicationInput, payment_apply_to_invoices, payment_void

_APPLICATION_PARAM = re.compile(r"applications\[(\d+)\]\.\w+")


class ReceivePaymentForm(forms.Form):
    """One amount field per open invoice of the customer, plus the payment's own fields."""

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

    def __init__(self, *args, customer: Customer, invoices: list[Invoice], actor: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer, self.invoices, self.actor = customer, invoices, actor
        self.applied: list[Invoice] = []
        for invoice in invoices:
            self.fields[self.field_name(invoice)] = forms.DecimalField(
                required=False, max_digits=14, decimal_places=2, label=f"Apply to {invoice.number}"
            )

    @staticmethod
    def field_name(invoice: Invoice) -> str:
        return f"apply_{invoice.pk.hex}"

    def payment_fields(self):
        """Return the payment's own bound fields (not the per-invoice amounts)."""
        return [self[name] for name in self.base_fields]

    def rows(self):
        """Yield (invoice, its amount field) for the template."""
        for invoice in self.invoices:
            yield invoice, self[self.field_name(invoice)]

    def clean(self):
        data = super().clean()
        # An empty or zero amount means "not this invoice"; anything else goes to the service.
        self.applied = [invoice for invoice in self.invoices if data.get(self.field_name(invoice))]
        if not self.errors and not self.applied:
            raise forms.ValidationError("Enter the amount to apply to at least one invoice.")
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        applications = [
            ApplicationInput(invoice_id=invoice.pk, amount_applied=data[self.field_name(invoice)])
            for invoice in self.applied
        ]
        applied_total = sum((application.amount_applied for application in applications), Decimal("0.00"))
        try:
            self.result = payment_apply_to_invoices(
                entity=self.customer.entity,
                customer_id=self.customer.pk,
                payment_method=data["payment_method"],
                amount=applied_total if data["amount"] is None else data["amount"],
                applications=applications,
                payment_date=data["payment_date"],
                check_number=data["check_number"],
                check_date=data["check_date"],
                external_reference=data["external_reference"],
                notes=data["notes"],
                created_by=self.actor,
            )
        except FolioError as error:
            self.add_error(self._field_for(error.param), error.message)

    def _field_for(self, param: str | None) -> str | None:
        match = _APPLICATION_PARAM.fullmatch(param or "")
        if match and int(match[1]) < len(self.applied):
            return self.field_name(self.applied[int(match[1])])
        return param if param in self.fields else None


class CustomerPickForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.select_related("entity").order_by("entity__name", "name"),
        empty_label="Choose a customer…",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].label_from_instance = lambda customer: (
            f"{customer.name} ({customer.entity.code})"
        )


class PaymentApplicationInline(admin.TabularInline):
    model = PaymentApplication
    fields = readonly_fields = ["invoice", "amount_applied"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "journal_entry",
        "customer",
        "entity",
        "payment_method",
        "amount",
        "payment_date",
        "status",
        "created_at",
    ]
    list_filter = ["entity", "status", "payment_method", ("payment_date", admin.DateFieldListFilter)]
    search_fields = ["customer__name", "check_number", "external_reference", "journal_entry__number"]
    list_select_related = ["customer", "entity", "journal_entry"]
    inlines = [PaymentApplicationInline]
    actions = ["void_selected"]
    change_list_template = "admin/receivables/payment/change_list.html"
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
        "journal_entry",
        "void_journal_entry",
        "void_reason",
        "voided_at",
        "voided_by",
        "created_by",
        "created_at",
    ]

    # Payments are made by "Receive payment" (or the API) and undone by voiding: never edited or deleted.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path(
                "receive/", self.admin_site.admin_view(self.receive_view), name="receivables_payment_receive"
            ),
        ]
        return own + super().get_urls()

    @admin.action(
        description="Void selected payments (restores the invoices' balances)", permissions=["view"]
    )
    def void_selected(self, request, queryset):
        if not request.user.has_perm("receivables.change_payment"):
            raise PermissionDenied
        voided = 0
        for payment in queryset.order_by("pk"):
            try:
                payment_void(payment=payment, voided_by=actor_of(request))
            except FolioError as error:
                self.message_user(request, f"{payment.journal_entry}: {error.message}", messages.ERROR)
            else:
                voided += 1
        if voided:
            self.message_user(
                request, f"Voided {voided} payment(s) and posted their reversals.", messages.SUCCESS
            )

    def receive_view(self, request):
        """Pick a customer, see their open invoices, apply one payment to several of them."""
        if not request.user.has_perm("receivables.add_payment"):
            raise PermissionDenied
        picker = CustomerPickForm(request.GET or None)
        form = None
        customer = picker.cleaned_data["customer"] if picker.is_bound and picker.is_valid() else None
        if customer is not None:
            invoices = list(selectors.open_invoices_for_customer(customer=customer))
            form = ReceivePaymentForm(
                request.POST if request.method == "POST" else None,
                customer=customer,
                invoices=invoices,
                actor=actor_of(request),
            )
            if request.method == "POST" and form.is_valid():
                payment = form.result
                messages.success(
                    request,
                    f"Received {payment.amount} from {customer.name}, applied to "
                    f"{len(payment.applications.all())} invoice(s); "
                    f"journal entry {payment.journal_entry.number}.",
                )
                return redirect(reverse("admin:receivables_payment_change", args=[payment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Receive payment",
            "picker": picker,
            "customer": customer,
            "form": form,
        }
        return TemplateResponse(request, "admin/receivables/payment/receive.html", context)
