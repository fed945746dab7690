"""The ledger's proof in the admin: the signed checkpoints (read-only) and a page that verifies the chains."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from erp.access import entities_for
from erp.adminkit import PagesMixin, ReadOnlyAdmin, render_page
from erp.models import Entity
from ledger.models import LedgerCheckpoint
from ledger.proof.verification import ledger_verify


class VerificationForm(forms.Form):
    entity = forms.ModelChoiceField(queryset=Entity.objects.none(), empty_label=None)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["entity"].queryset = entities_for(user).order_by("name")


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(PagesMixin, ReadOnlyAdmin):
    """Chain heads signed by sign_ledger; the verification page recomputes every chain (docs/audit.md)."""

    list_display = ["chain_id", "position", "record_type", "record_id", "signed_at", "entity"]
    list_filter = ["entity"]
    search_fields = ["chain_id", "record_id", "chain_hash"]
    list_select_related = ["entity"]
    fields = readonly_fields = [
        "entity",
        "chain_id",
        "position",
        "record_type",
        "record_id",
        "chain_hash",
        "signed_at",
        "public_key",
        "signature",
    ]
    pages = [("verify/", "verification_view", "verify")]
    list_links = [("verify", "Verify the ledger", "verify-ledger-link", "view")]

    def verification_view(self, request):
        """Recompute the chosen entity's chains and show the first broken record of each."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = VerificationForm(request.GET or None, user=request.user)
        report = None
        if form.is_bound and form.is_valid():
            report = ledger_verify(entity=form.cleaned_data["entity"])
        return render_page(
            self,
            request,
            "admin/ledger/ledgercheckpoint/verification.html",
            title="Verify the ledger",
            form=form,
            form_id="verification-form",
            form_method="get",
            submit_label="Verify",
            report=report,
        )
