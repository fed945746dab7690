"""Vendor bills: added with inline lines through vendor_bill_create; read-only once posted; void action."""

from django import forms
from django.contrib import admin

from erp.adminkit import actor_of, adopt
from erp.exceptions import FolioError
from payables.admin.common import ReadOnlyInline, remap_param, void_with_reason
from payables.models import APPaymentApplication, Vendor, VendorBill, VendorBillLine
from payables.services import vendor_bill_create, vendor_bill_void

HEADER_FIELDS = ["vendor", "bill_date", "due_date", "vendor_reference"]


class VendorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, vendor):
        return f"{vendor.name} ({vendor.entity.code})"


class VendorBillAddForm(forms.ModelForm):
    vendor = VendorChoiceField(
        queryset=Vendor.objects.select_related("entity").order_by("entity__code", "name")
    )

    class Meta:
        model = VendorBill
        fields = HEADER_FIELDS
        widgets = {
            "bill_date": forms.DateInput(attrs={"type": "date"}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The lines formset calls the service once both are valid, so it must reach this form:
        # Django's admin hands the formsets this form's instance, and nothing else.
        self.instance._bill_form = self

    def validate_constraints(self, exclude=None):
        # vendor_bill_create validates with precise messages (and the database enforces).
        return None


class VendorBillLineFormSet(forms.BaseInlineFormSet):
    """The bill's lines; on a valid add, creates the whole bill through vendor_bill_create."""

    actor = ""

    def clean(self):
        super().clean()
        header = getattr(self.instance, "_bill_form", None)
        if any(self.errors) or header is None or not header.is_valid():
            return
        entered = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        bill = self.instance
        try:
            created = vendor_bill_create(
                entity=bill.vendor.entity,
                vendor_id=bill.vendor_id,
                bill_date=bill.bill_date,
                due_date=bill.due_date,
                vendor_reference=bill.vendor_reference,
                lines=[
                    {
                        "description": form.cleaned_data["description"],
                        "quantity": form.cleaned_data["quantity"],
                        "unit_price": form.cleaned_data["unit_price"],
                    }
                    for form in entered
                ],
                created_by=self.actor,
            )
        except FolioError as error:
            self._show(error, entered, header)
            raise forms.ValidationError("The bill was not saved; see the errors above and below.") from None
        adopt(bill, created)

    def _show(self, error: FolioError, entered: list, header: forms.Form) -> None:
        """Put the service's error next to the line field or header field it names."""
        param = error.param or ""
        if param.startswith("lines[") and "]." in param:
            index, field = param[len("lines[") :].split("].", 1)
            if int(index) < len(entered) and field in entered[int(index)].fields:
                entered[int(index)].add_error(field, error.message)
                return
        remap_param(error, {"vendor_id": "vendor"})
        header.add_error(error.param if error.param in header.fields else None, error.message)


class VendorBillLineForm(forms.ModelForm):
    class Meta:
        model = VendorBillLine
        fields = ["description", "quantity", "unit_price"]

    def validate_constraints(self, exclude=None):
        # vendor_bill_create names the offending line and field; the model's generic message would not.
        return None


class VendorBillLineInline(admin.TabularInline):
    model = VendorBillLine
    form = VendorBillLineForm
    formset = VendorBillLineFormSet
    extra = 3
    min_num = 1
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = actor_of(request)
        return formset

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["description", "quantity", "unit_price"]
        return ["position", "description", "quantity", "unit_price", "amount"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["position", "description", "quantity", "unit_price", "amount"]

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra if obj is None else 0

    def get_min_num(self, request, obj=None, **kwargs):
        return self.min_num if obj is None else 0

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class BillApplicationInline(ReadOnlyInline):
    model = APPaymentApplication
    fk_name = "bill"
    verbose_name_plural = "payments applied"
    fields = readonly_fields = ["payment", "payment_status", "amount_applied"]

    @admin.display(description="payment status")
    def payment_status(self, obj):
        return obj.payment.status


@admin.register(VendorBill)
class VendorBillAdmin(admin.ModelAdmin):
    list_display = ["number", "vendor", "entity", "bill_date", "due_date", "total", "balance_due", "status"]
    list_filter = ["status", "entity", ("bill_date", admin.DateFieldListFilter)]
    search_fields = ["number", "vendor_reference", "vendor__name"]
    list_select_related = ["vendor", "entity"]
    date_hierarchy = "bill_date"
    inlines = [VendorBillLineInline, BillApplicationInline]
    actions = ["void_selected"]
    readonly_fields = [
        "number",
        "entity",
        "vendor",
        "bill_date",
        "due_date",
        "vendor_reference",
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = VendorBillAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else HEADER_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else [VendorBillLineInline]

    def save_model(self, request, obj, form, change):
        # The lines formset already created the bill (and adopted it into obj) through the service.
        return None

    def save_related(self, request, form, formsets, change):
        # Lines were written by vendor_bill_create with the bill; saving the formset would repeat them.
        # The admin's history message still lists them, as if the formset had saved them.
        for formset in formsets:
            formset.new_objects = list(form.instance.lines.all())
            formset.changed_objects, formset.deleted_objects = [], []

    def has_change_permission(self, request, obj=None):
        # Posted bills never change: only "void" (an action) alters them.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Void selected bills (asks for a reason)", permissions=["view"])
    def void_selected(self, request, queryset):
        return void_with_reason(
            self,
            request,
            queryset,
            service=vendor_bill_void,
            keyword="bill",
            action="void_selected",
            permission="payables.change_vendorbill",
        )
