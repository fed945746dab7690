"""Accounts: added through account_create, never edited or deleted; the report pages (admin/reports.py)."""

from django import forms
from django.contrib import admin

from erp.adminkit import PagesMixin, ServiceAdmin, ServiceForm
from ledger.admin.reports import ReportPagesMixin
from ledger.models import Account
from ledger.services import account_create


class AccountForm(ServiceForm, forms.ModelForm):
    class Meta:
        model = Account
        fields = ["entity", "code", "name", "type"]

    def validate_constraints(self, exclude=None):
        # account_create says precisely what is wrong; the database still enforces uniqueness.
        return None


@admin.register(Account)
class AccountAdmin(ReportPagesMixin, PagesMixin, ServiceAdmin):
    form = AccountForm
    list_display = ["code", "name", "type", "entity"]
    list_filter = ["entity", "type"]
    search_fields = ["code", "name"]
    list_links = ReportPagesMixin.report_links
    pages = ReportPagesMixin.report_pages

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        return account_create(entity=data["entity"], code=data["code"], name=data["name"], type=data["type"])

    def has_change_permission(self, request, obj=None):
        # Codes and types are what postings rely on: an account is added, never edited.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
