"""Admin for receivables: customers and invoices, every write through the services."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from erp.adminkit import ServiceFormMixin, actor_of, adopt
from erp.exceptions import FolioError
from receivables.models import Customer, Invoice, InvoiceLine
from receivables.services import (
    InvoiceLineInput,
    customer_create,
    customer_update,
    invoice_create,
    invoice_void,
)

_LINE_PARAM = re.compile(r"lines\[(\d+)\](?:\.(\w+))?")
# Service params that name a field of the invoice form by another name.
_INVOICE_FIELDS = {"customer_id": "customer"}


class CustomerForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["entity", "name", "email", "external_reference"]

    def service_call(self):
        data = self.cleaned_data
        if self.instance._state.adding:
            return customer_create(
                entity=data["entity"],
                name=data["name"],
                email=data["email"],
                external_reference=data["external_reference"],
            )
        return customer_update(
            customer=self.instance,
            name=data["name"],
            email=data["email"],
            external_reference=data["external_reference"],
        )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerForm
    list_display = ["name", "email", "external_reference", "entity", "created_at"]
    list_filter = ["entity"]
    search_fields = ["name", "email", "external_reference"]

    def get_readonly_fields(self, request, obj=None):
        return ["entity"] if obj else []

    def save_model(self, request, obj, form, change):
        adopt(obj, form.result)

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["customer", "invoice_date", "due_date", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "customer" in self.fields:
            self.fields["customer"].queryset = Customer.objects.select_related("entity").order_by("name")
            self.fields["customer"].label_from_instance = lambda customer: (
                f"{customer.name} ({customer.entity.code})"
            )
        if "due_date" in self.fields:
            self.fields["due_date"].required = False
            self.fields["due_date"].help_text = "Empty: due on receipt (the invoice date)."

    def validate_constraints(self, exclude=None):
        # invoice_create checks these with precise messages (and the database still enforces them).
        return None


class InvoiceLineForm(forms.ModelForm):
    class Meta:
        model = InvoiceLine
        fields = ["description", "quantity", "unit_price"]

    def validate_constraints(self, exclude=None):
        return None


class InvoiceLinesFormSet(forms.BaseInlineFormSet):
    """The add page's lines: once the header and the lines are valid, invoice_create runs here."""

    def clean(self):
        super().clean()
        header = getattr(self.instance, "_admin_form", None)
        if header is None or any(self.errors):
            return  # the header is invalid (nothing to create yet) or a line already has an error
        rows = [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]
        data = header.cleaned_data
        try:
            self.instance._created = invoice_create(
                entity=data["customer"].entity,
                customer_id=data["customer"].pk,
                invoice_date=data["invoice_date"],
                due_date=data.get("due_date"),
                notes=data.get("notes") or "",
                lines=[
                    InvoiceLineInput(
                        description=form.cleaned_data["description"],
                        quantity=form.cleaned_data["quantity"],
                        unit_price=form.cleaned_data["unit_price"],
                    )
                    for form in rows
                ],
                created_by=self.instance._admin_actor,
            )
        except FolioError as error:
            self._show(error, header, rows)

    def _show(self, error: FolioError, header, rows) -> None:
        """Put a service error next to the line field or header field it names."""
        match = _LINE_PARAM.fullmatch(error.param or "")
        if match and int(match[1]) < len(rows):
            form = rows[int(match[1])]
            form.add_error(match[2] if match[2] in form.fields else None, error.message)
            return
        field = _INVOICE_FIELDS.get(error.param, error.param)
        if field in header.fields:
            header.add_error(field, error.message)
            raise forms.ValidationError("The invoice was not created: see the error above.")
        raise forms.ValidationError(error.message)


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    form = InvoiceLineForm
    formset = InvoiceLinesFormSet
    extra = 3
    can_delete = False

    def get_fields(self, request, obj=None):
        return (
            ["position", "description", "quantity", "unit_price", "amount"] if obj else self.form.Meta.fields
        )

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else self.extra

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    form = InvoiceForm
    inlines = [InvoiceLineInline]
    list_display = [
        "number",
        "customer",
        "entity",
        "invoice_date",
        "due_date",
        "total",
        "balance_due",
        "status",
    ]
    list_filter = ["entity", "status", ("invoice_date", admin.DateFieldListFilter)]
    search_fields = ["number", "customer__name"]
    list_select_related = ["customer", "entity"]
    date_hierarchy = "invoice_date"
    actions = ["void_selected"]
    view_fields = [
        "number",
        "entity",
        "customer",
        "invoice_date",
        "due_date",
        "notes",
        "total",
        "balance_due",
        "status",
        "journal_entry",
        "void_journal_entry",
        "void_reason",
        "voided_at",
        "voided_by",
        "created_by",
        "created_at",
    ]

    def get_fields(self, request, obj=None):
        return self.view_fields if obj else InvoiceForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return self.view_fields if obj else []

    def has_change_permission(self, request, obj=None):
        # A posted invoice never changes: it is voided (and reissued) instead.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        # The lines formset validates after this and creates the invoice with its lines in one
        # service call: hand it the valid header and who is asking.
        form.instance._admin_form = form
        form.instance._admin_actor = actor_of(request)
        return form.instance

    def save_model(self, request, obj, form, change):
        adopt(obj, obj._created)

    def save_related(self, request, form, formsets, change):
        """invoice_create already saved the lines."""

    def construct_change_message(self, request, form, formsets, add=False):
        # The lines were saved by the service, not by the formsets: the log says "Added." alone.
        return super().construct_change_message(request, form, [], add)

    @admin.action(
        description="Void selected invoices (only those with nothing applied)", permissions=["view"]
    )
    def void_selected(self, request, queryset):
        if not request.user.has_perm("receivables.change_invoice"):
            raise PermissionDenied
        voided = 0
        for invoice in queryset.order_by("pk"):
            try:
                invoice_void(invoice=invoice, voided_by=actor_of(request))
            except FolioError as error:
                self.message_user(request, f"{invoice}: {error.message}", messages.ERROR)
            else:
                voided += 1
        if voided:
            self.message_user(
                request, f"Voided {voided} invoice(s) and posted their reversals.", messages.SUCCESS
            )


import receivables.admin_payments  # noqa: E402, F401  (payments and "Receive payment" register themselves)
