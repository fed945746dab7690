"""The admin kit receivables and payables share: parties, posted documents with lines, payments.

Every page here writes the way erp.adminkit describes: forms validate, the service is called once
from ``save_related`` or the page's view, a refusal comes back as an error on the page.

- :class:`PartyAdmin`: customers and vendors, created and edited through their services.
- :class:`DocumentAdmin`: a numbered document added with its lines in one service call, read-only
  once posted, voided with a reason.
- :class:`PaymentAdmin`: payments, read-only once made, voided with a reason, made on one page
  that applies one payment to several open documents of one party (:class:`ApplyPaymentForm`).
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst

from erp.access import entities_for
from erp.adminaccess import scope_form
from erp.adminerrors import plain_message
from erp.adminkit import (
    PagesMixin,
    ReadOnlyAdmin,
    ReversalLine,
    ServiceAdmin,
    ServiceForm,
    VoidPreview,
    VoidWithReasonMixin,
    actor_of,
    refusal_of,
    render_page,
)
from erp.adminlists import TotalsMixin, date_column, money_column, money_text
from erp.exceptions import FolioError
from erp.money import CENT, money_grouped, money_parse
from ledger.documents.models import DocumentStatus
from ledger.documents.services import ApplicationInput, LineInput
from ledger.documents.services.inputs import date_parse, due_date_check, quantity_parse, text_parse

LINE_FIELDS = ["description", "quantity", "unit_price"]
# The record every posted row (document or payment) ends its page with.
RECORD_FIELDS = [
    "journal_entry",
    "void_journal_entry",
    "void_reason",
    "voided_at",
    "voided_by",
    "created_by",
    "created_at",
]
# What a posted document shows after the fields it was added with.
POSTED_FIELDS = ["total", "balance_due", "status", *RECORD_FIELDS]
_LINE_PARAM = re.compile(r"lines\[(\d+)\](?:\.(\w+))?")
_APPLICATION_PARAM = re.compile(r"applications\[(\d+)\](?:\.\w+)?")


def reversal_preview(entry) -> list[ReversalLine]:
    """Return the lines the reversal of `entry` will post: each debit becomes a credit and back."""
    if entry is None:
        return []
    return [
        ReversalLine(
            account=f"{line.account.code} · {line.account.name}",
            debit=money_grouped(line.credit) if line.credit else "",
            credit=money_grouped(line.debit) if line.debit else "",
        )
        for line in entry.lines.select_related("account").order_by("id")
    ]


def checked(form: forms.BaseForm, name: str, parse, **options):
    """Return a field's value checked by the services' own `parse`; its refusal in plain words.

    The form reports every field's error at once; the service would stop at the first.
    """
    value = form.cleaned_data.get(name)
    if value is None:
        return value
    try:
        return parse(value, param=name, **options)
    except FolioError as error:
        raise forms.ValidationError(plain_message(error, label=capfirst(form.fields[name].label))) from None


def party_label(party) -> str:
    """Name a customer or a vendor with its entity's code."""
    return f"{party.name} ({party.entity.code})"


def party_choice(model, **kwargs) -> forms.ModelChoiceField:
    """Return a field choosing one of `model`'s parties (customers or vendors) of any entity."""
    field = forms.ModelChoiceField(
        queryset=model.objects.select_related("entity").order_by("entity__code", "name"), **kwargs
    )
    field.label_from_instance = party_label
    return field


class PartyForm(ServiceForm, forms.ModelForm):
    class Meta:
        fields = ["entity", "name", "email", "external_reference"]

    def validate_constraints(self, exclude=None):
        # The service says precisely what is wrong (and the database still enforces it).
        return None


class PartyAdmin(ServiceAdmin):
    """Customers or vendors: created and edited through `party_create` / `party_update`."""

    form = PartyForm
    list_display = ["name", "entity", "email", "external_reference", "created_at"]
    list_filter = ["entity"]
    search_fields = ["name", "email", "external_reference"]

    def party_create(self, *, entity, name: str, email: str, external_reference: str):
        """Create the party through its service."""
        raise NotImplementedError

    def party_update(self, party, *, name: str, email: str, external_reference: str):
        """Update the party through its service."""
        raise NotImplementedError

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in ("name", "email", "external_reference")}
        if change:
            return self.party_update(form.instance, **fields)
        return self.party_create(entity=data["entity"], **fields)

    def get_readonly_fields(self, request, obj=None):
        return ["entity", "created_at", "updated_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentForm(ServiceForm, forms.ModelForm):
    """The add page's header of a document; its first field is the party (the lines are the formset's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        party = self._meta.fields[0]
        self.params = {f"{party}_id": party}  # the services name the party by its id
        field = self.fields[party]
        field.queryset = field.queryset.select_related("entity").order_by("entity__code", "name")
        field.label_from_instance = party_label

    def validate_constraints(self, exclude=None):
        # The service says precisely what is wrong (and the database still enforces it).
        return None

    def clean(self):
        data = super().clean()
        date_field = self._meta.fields[1]
        for name in (date_field, "due_date"):
            if name in self.fields and name not in self.errors:
                try:
                    data[name] = checked(self, name, date_parse)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        if data.get(date_field) and data.get("due_date") and "due_date" not in self.errors:
            try:
                due_date_check(data[date_field], data["due_date"], date_param=date_field)
            except FolioError:
                label = self.fields[date_field].label.lower()
                self.add_error("due_date", f"The due date cannot be before the {label}.")
        return data

    def show_refusal(self, error: FolioError) -> None:
        if _LINE_PARAM.fullmatch(error.param or "") or error.param == "lines":
            # The lines formset shows the error on its line; the header says why nothing was saved.
            noun = self._meta.model._meta.verbose_name
            self.add_error(None, f"The {noun} was not saved: see the lines below.")
        else:
            super().show_refusal(error)


class DocumentLineForm(forms.ModelForm):
    """One line typed on the add page, checked by the services' own rules (every error at once)."""

    class Meta:
        fields = LINE_FIELDS

    def validate_constraints(self, exclude=None):
        # The service names the line and the field; the model's generic message would not.
        return None

    def clean_description(self):
        return checked(self, "description", text_parse, max_length=500, required=True)

    def clean_quantity(self):
        return checked(self, "quantity", quantity_parse)

    def clean_unit_price(self):
        return checked(self, "unit_price", money_parse, positive=False)


class DocumentLinesFormSet(forms.BaseInlineFormSet):
    """The lines typed on a document's add page; shows a refusal that names one of them."""

    refusal: FolioError | None = None

    def entered(self) -> list[forms.Form]:
        """Return the line forms something was typed in, in order (the service's lines[i])."""
        return [form for form in self.forms if form.has_changed()]

    def clean(self):
        super().clean()
        if self.refusal is not None:
            self._show_refusal(self.refusal)
            return
        if any(form.errors for form in self.forms):
            return  # each line says what is wrong with it; a total of wrong lines says nothing
        rows = self.entered()
        if not rows:
            raise forms.ValidationError("Enter at least one line.")
        total = sum(
            ((r.cleaned_data["quantity"] * r.cleaned_data["unit_price"]).quantize(CENT) for r in rows),
            CENT * 0,
        )
        if total <= 0:
            raise forms.ValidationError("The total must be more than zero: enter a line with a price.")

    def _show_refusal(self, refusal: FolioError) -> None:
        match = _LINE_PARAM.fullmatch(refusal.param or "")
        if match is None:
            if refusal.param == "lines":
                raise forms.ValidationError(plain_message(refusal))
            return  # the header shows it
        rows = self.entered()
        if int(match[1]) >= len(rows):
            raise forms.ValidationError(plain_message(refusal))
        row = rows[int(match[1])]
        name = match[2] if match[2] in row.fields else None
        label = capfirst(row.fields[name].label) if name else None
        row.add_error(name, plain_message(refusal, label=label))


def entered_lines(formsets) -> list[dict]:
    """Return the description, quantity and unit price of each line on the page (a draft's: kept and new)."""
    lines = next(formset for formset in formsets if isinstance(formset, DocumentLinesFormSet))
    return [{name: form.cleaned_data[name] for name in LINE_FIELDS} for form in lines.entered()]


class DocumentLineInline(admin.TabularInline):
    """A document's lines: typed on the add page, read-only once the document is posted."""

    form = DocumentLineForm
    formset = DocumentLinesFormSet
    extra = 3
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.refusal = refusal_of(request)
        return formset

    def get_fields(self, request, obj=None):
        return LINE_FIELDS if obj is None else ["position", *LINE_FIELDS, "amount"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra if obj is None else 0

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentAdmin(TotalsMixin, VoidWithReasonMixin, ServiceAdmin):
    """A posted, numbered document with lines: added in one service call, read-only once posted.

    A subclass names its `add_form` (a DocumentForm), the `header_fields` the add page asks for
    (the party first, the document date second, each named as `create_service` names it), its
    `line_inline`, `create_service` (as a staticmethod), and implements ``void_row``.
    """

    add_form = DocumentForm
    header_fields: list[str] = []
    line_inline = DocumentLineInline
    posted_inlines: list = []
    create_service = None
    void_notice = (
        "A voided document stays on record with its number, marked void with your reason; "
        "its posting is reversed by the entry below."
    )
    list_totals = [("total", "Total"), ("balance_due", "Balance due")]
    # Neither is owed: a void document no longer, a draft not yet (it is posted nowhere).
    totals_exclude = {"status__in": [DocumentStatus.VOID, DocumentStatus.DRAFT]}
    totals_excluded = "void and draft ones"
    due_date_short = date_column("due_date", "Due date")
    total_amount = money_column("total", "Total")
    balance_due_amount = money_column("balance_due", "Balance due")

    def service_save(self, request, form, formsets, change):
        header = {name: form.cleaned_data[name] for name in self.header_fields}
        party = header.pop(self.header_fields[0])
        return self.create_service(
            entity=party.entity,
            **{f"{self.header_fields[0]}_id": party.pk},
            **header,
            lines=[LineInput(**line) for line in entered_lines(formsets)],
            created_by=actor_of(request),
            **self.create_options(request),
        )

    def create_options(self, request) -> dict:
        """Return the create service's further arguments for this request (drafts: `draft`)."""
        return {}

    def void_preview(self, row) -> VoidPreview:
        preview = super().void_preview(row)
        currency = row.entity.base_currency
        preview.amount = money_text(row.total, currency)
        if not preview.blocked and row.status == "draft":
            preview.blocked = "It is a draft: nothing is posted or numbered yet, so there is nothing to void."
        elif not preview.blocked and row.status != DocumentStatus.OPEN:
            paid = money_text(row.total - row.balance_due, currency)
            preview.blocked = f"Payments of {paid} are applied to it; void those payments first."
        if not preview.blocked:
            preview.reversal = reversal_preview(row.journal_entry)
            preview.notes = [f"Its balance due of {money_text(row.balance_due, currency)} becomes 0.00."]
        return preview

    def get_autocomplete_fields(self, request):
        # The customer or vendor is found by typing: PartyAdmin.search_fields answer the lookup.
        return [self.header_fields[0]]

    @admin.display(description="entity", ordering="entity__code")
    def entity_code(self, row):
        return row.entity.code

    def get_list_display(self, request):
        # Everything an accountant reads fits 1366 px beside the menu and the filters: the entity by its
        # short code, and not at all for someone who works on one entity only.
        party = self.header_fields[0]
        entity = ["entity_code"] if entities_for(request.user).count() > 1 else []
        dates = ["document_date", "due_date_short"]
        return ["number", party, *entity, *dates, "total_amount", "balance_due_amount", "status"]

    @property
    def document_date(self):
        """The list's column of the document's own date (invoice date, bill date)."""
        field = self.header_fields[1]
        return date_column(field, self.model._meta.get_field(field).verbose_name).__get__(self)

    def get_list_filter(self, request):
        return ["status", "entity", (self.header_fields[1], admin.DateFieldListFilter)]

    def get_list_select_related(self, request):
        return [self.header_fields[0], "entity"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["number", "entity", *self.header_fields, *POSTED_FIELDS] if obj else self.header_fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def get_inlines(self, request, obj):
        return [self.line_inline, *self.posted_inlines] if obj else [self.line_inline]

    def has_change_permission(self, request, obj=None):
        # A posted document never changes: it is voided (and reissued) instead.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class PartyAutocomplete(AutocompleteSelect):
    """The admin's autocomplete for a customer or vendor field, saying what to do while empty."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-placeholder"] = f"Choose a {self.field.remote_field.model._meta.verbose_name}…"
        return attrs


class PartyPickForm(forms.Form):
    """The payment page's first step: which customer or vendor pays or is paid (found by typing)."""

    def __init__(self, *args, name: str, model, widget=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[name] = party_choice(model, empty_label=f"Choose a {name}…", widget=widget)


class ApplyPaymentForm(ServiceForm, forms.Form):
    """One payment applied to several open documents of one party: an amount field per document.

    The subclass declares the payment's own fields, `columns` (label, attribute) of the document
    table, and the `noun` of its documents.
    """

    columns: list[tuple[str, str]] = []
    noun = "document"

    def __init__(self, *args, party, documents: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.party, self.documents = party, documents
        for document in documents:
            self.fields[self.amount_field(document)] = forms.DecimalField(
                required=False, max_digits=14, decimal_places=2, label=f"Apply to {document.number}"
            )

    @staticmethod
    def amount_field(document) -> str:
        return f"apply_{document.pk.hex}"

    def payment_fields(self) -> list[forms.BoundField]:
        """Return the payment's own bound fields (not the amounts per document)."""
        return [self[name] for name in self.base_fields]

    def rows(self):
        """Yield (document, its column values, its amount field) for the template."""
        for document in self.documents:
            cells = [getattr(document, attribute) for _, attribute in self.columns]
            yield document, cells, self[self.amount_field(document)]

    def applied(self) -> list[tuple]:
        """Return (document, amount) for each document given an amount, in the order listed."""
        data = self.cleaned_data
        return [(d, amount) for d in self.documents if (amount := data.get(self.amount_field(d)))]

    def service_inputs(self) -> dict:
        """Return the keywords of the payment service that the form holds (its fields use their names)."""
        return {
            "entity": self.party.entity,
            f"{self.party._meta.model_name}_id": self.party.pk,
            "applications": [ApplicationInput(document_id=d.pk, amount_applied=a) for d, a in self.applied()],
            **{field.name: self.cleaned_data[field.name] for field in self.payment_fields()},
        }

    def clean(self):
        data = super().clean()
        for document in self.documents:
            name = self.amount_field(document)
            amount = data.get(name)
            if amount is not None and amount < 0:
                self.add_error(name, "An amount to apply cannot be negative.")
            elif amount is not None and amount > document.balance_due:
                self.add_error(name, f"{amount} exceeds the balance due of {document.balance_due}.")
        # An empty or zero amount means "not this document".
        if not self.errors and not self.applied():
            raise forms.ValidationError(f"Enter the amount to apply to at least one {self.noun}.")
        return data

    def balance_total(self):
        """Return the sum of the open documents' balances (the table's footer)."""
        return sum((document.balance_due for document in self.documents), CENT * 0)

    def applied_total(self):
        """Return the sum of the amounts typed against documents."""
        return sum((amount for _, amount in self.applied()), CENT * 0)

    def show_refusal(self, error: FolioError) -> None:
        match = _APPLICATION_PARAM.fullmatch(error.param or "")
        applied = self.applied()
        if match and int(match[1]) < len(applied):
            self.add_error(self.amount_field(applied[int(match[1])][0]), plain_message(error, label="Apply"))
        else:
            super().show_refusal(error)


class PaymentAdmin(PagesMixin, VoidWithReasonMixin, ReadOnlyAdmin):
    """Payments: made on their own page, read-only once made, voided with a reason.

    A subclass names the `party_model`, its applications' `document_field`, the page (`pages`
    holds its route and URL name; `page_title`, `page_form`, `page_template`) and implements
    :meth:`open_documents` and :meth:`pay`.
    """

    party_model = None
    document_field = ""  # an application's field naming the document it pays
    page_title = ""
    page_form = ApplyPaymentForm
    page_template = "admin/folio/apply_payment.html"
    void_notice = (
        "A voided payment stays on record, marked void with your reason; its posting is reversed by the "
        "entry below and what it paid is owed again."
    )
    amount_column = money_column("amount", "Amount")

    def applications_undone(self, row) -> list[tuple[str, str]]:
        """Return (what, amount) for each document the payment paid: owed again after the void."""
        currency, noun = row.entity.base_currency, self.page_form.noun.capitalize()
        applications = row.applications.select_related(self.document_field).order_by(
            f"{self.document_field}__number"
        )
        return [
            (f"{noun} {getattr(a, self.document_field).number}", money_text(a.amount_applied, currency))
            for a in applications
        ]

    def void_preview(self, row) -> VoidPreview:
        preview = super().void_preview(row)
        preview.amount = money_text(row.amount, row.entity.base_currency)
        if not preview.blocked:
            preview.reversal = reversal_preview(row.journal_entry)
            preview.undone_title = "Applications undone: owed again"
            preview.undone = self.applications_undone(row)
        return preview

    def open_documents(self, party) -> list:
        """Return the party's documents a payment can apply to, oldest first."""
        raise NotImplementedError

    def page_form_kwargs(self, party) -> dict:
        """Return what the page's form needs beyond the party and its open documents."""
        return {}

    def pay(self, form: ApplyPaymentForm, *, created_by: str):
        """Make the payment through the service; return it and the message to show."""
        raise NotImplementedError

    def payment_page_view(self, request):
        """Pick the party, see its open documents, apply one payment to several of them."""
        opts = self.model._meta
        if not request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}") or not self.entity_access(
            request, None, self.write_role
        ):
            raise PermissionDenied
        name = self.party_model._meta.model_name
        chosen = request.GET.get(name) or request.POST.get(name)
        picker = PartyPickForm(
            {name: chosen} if chosen else None,
            name=name,
            model=self.party_model,
            widget=PartyAutocomplete(self.model._meta.get_field(name), self.admin_site),
        )
        scope_form(picker, request, self.write_role)  # only parties of the user's entities (docs/access.md)
        party = picker.cleaned_data[name] if picker.is_bound and picker.is_valid() else None
        if chosen and party is None:
            raise Http404(f"No {name} with this id.")
        form = None
        if party is not None:
            form = self.page_form(
                request.POST if request.method == "POST" else None,
                party=party,
                documents=list(self.open_documents(party)),
                **self.page_form_kwargs(party),
            )
            if request.method == "POST" and form.is_valid():
                try:
                    payment, message = self.pay(form, created_by=actor_of(request))
                except FolioError as error:
                    form.show_refusal(error)
                else:
                    messages.success(request, message)
                    return redirect(
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[payment.pk])
                    )
        return render_page(
            self,
            request,
            self.page_template,
            title=self.page_title,
            picker=picker,
            party_name=name,
            party=party,
            noun=self.page_form.noun,
            form=form,
        )
