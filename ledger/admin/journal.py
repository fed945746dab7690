"""Admin for the ledger: the chart of accounts, posted journal entries (read-only), the trial balance."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from erp.adminkit import ServiceFormMixin, adopt
from erp.models import Entity
from ledger import selectors
from ledger.models import Account, JournalEntry, JournalLine
from ledger.services import account_create


class AccountForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Account
        fields = ["entity", "code", "name", "type"]

    def validate_constraints(self, exclude=None):
        # account_create says precisely what is wrong; the database still enforces uniqueness.
        return None

    def service_call(self):
        data = self.cleaned_data
        return account_create(entity=data["entity"], code=data["code"], name=data["name"], type=data["type"])


class TrialBalanceForm(forms.Form):
    entity = forms.ModelChoiceField(queryset=Entity.objects.order_by("name"))
    as_of = forms.DateField(
        required=False,
        help_text="Entries dated up to this day; empty for all.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountForm
    list_display = ["code", "name", "type", "entity"]
    list_filter = ["entity", "type"]
    search_fields = ["code", "name"]
    change_list_template = "admin/ledger/account/change_list.html"

    def has_change_permission(self, request, obj=None):
        # Codes and types are what postings rely on: an account is added, never edited.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        adopt(obj, form.result)

    def get_urls(self):
        own = [
            path(
                "trial-balance/",
                self.admin_site.admin_view(self.trial_balance_view),
                name="ledger_account_trial_balance",
            )
        ]
        return own + super().get_urls()

    def trial_balance_view(self, request):
        """Every account's net balance for one entity, with the column totals."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = TrialBalanceForm(request.GET or None)
        report = None
        if form.is_bound and form.is_valid():
            report = selectors.trial_balance(
                entity=form.cleaned_data["entity"], as_of=form.cleaned_data["as_of"]
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Trial balance",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/ledger/account/trial_balance.html", context)


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    fields = readonly_fields = ["account", "debit", "credit"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "date",
        "entity",
        "memo",
        "source_type",
        "reversal_of",
        "posted_at",
        "posted_by",
    ]
    list_filter = ["entity", "source_type", ("date", admin.DateFieldListFilter)]
    search_fields = ["number", "memo", "source_id"]
    date_hierarchy = "date"
    list_select_related = ["entity", "reversal_of"]
    inlines = [JournalLineInline]
    fields = readonly_fields = [
        "number",
        "entity",
        "date",
        "memo",
        "source_type",
        "source_id",
        "reversal_of",
        "posted_at",
        "posted_by",
    ]

    # Posted entries are immutable (the database agrees): corrections are reversing entries
    # posted by the document that owns them (voiding an invoice or a payment).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
