"""Accounts: added through account_create, never edited or deleted; the trial balance page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from erp.adminkit import PagesMixin, ServiceAdmin, ServiceForm, render_page
from erp.models import Entity
from ledger import selectors
from ledger.models import Account
from ledger.services import account_create


class AccountForm(ServiceForm, forms.ModelForm):
    class Meta:
        model = Account
        fields = ["entity", "code", "name", "type"]

    def validate_constraints(self, exclude=None):
        # account_create says precisely what is wrong; the database still enforces uniqueness.
        return None


class TrialBalanceForm(forms.Form):
    entity = forms.ModelChoiceField(queryset=Entity.objects.order_by("name"))
    as_of = forms.DateField(
        required=False,
        help_text="Entries dated up to this day; empty for all.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@admin.register(Account)
class AccountAdmin(PagesMixin, ServiceAdmin):
    form = AccountForm
    list_display = ["code", "name", "type", "entity"]
    list_filter = ["entity", "type"]
    search_fields = ["code", "name"]
    list_links = [("trial_balance", "Trial balance", "trial-balance-link", "view")]
    pages = [("trial-balance/", "trial_balance_view", "trial_balance")]

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        return account_create(entity=data["entity"], code=data["code"], name=data["name"], type=data["type"])

    def has_change_permission(self, request, obj=None):
        # Codes and types are what postings rely on: an account is added, never edited.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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
        return render_page(
            self,
            request,
            "admin/ledger/account/trial_balance.html",
            title="Trial balance",
            form=form,
            report=report,
            form_id="trial-balance-form",
            form_method="get",
            submit_label="Show",
        )
