"""The issued-number ledger: read-only, each number voided with a reason (never reused, never deleted)."""

from django.contrib import admin

from erp.adminkit import ReadOnlyAdmin, VoidWithReasonMixin
from numbering.documents import document_is_void
from numbering.models import IssuedNumber
from numbering.services import issued_number_void


@admin.register(IssuedNumber)
class IssuedNumberAdmin(VoidWithReasonMixin, ReadOnlyAdmin):
    list_display = [
        "number",
        "sequence",
        "period",
        "value",
        "status",
        "document_type",
        "document_id",
        "issued_at",
        "issued_by",
    ]
    list_filter = ["status", "entity", "sequence", "document_type", ("issued_at", admin.DateFieldListFilter)]
    search_fields = ["number", "reference", "document_id"]
    date_hierarchy = "issued_at"
    list_select_related = ["sequence", "period"]
    void_notice = (
        "Voided numbers stay in the ledger, marked voided with your reason: never reused, never deleted."
    )

    def void_preview(self, row):
        preview = super().void_preview(row)
        if preview.blocked:
            return preview
        preview.notes = [
            f"Value {row.value} of {row.sequence} ({row.period}) is accounted for as voided by the audit."
        ]
        if row.document_id:
            noun = row.document_type.replace("_", " ")
            if not document_is_void(row.document_type, row.document_id):
                preview.blocked = f"It is the number of {noun} {row.document_id}: void the {noun} instead."
                return preview
            # Voided before numbers were bound to documents: the number catches up with its document.
            preview.notes.append(f"Its {noun} {row.document_id} is already void.")
        return preview

    def void_row(self, row, *, reason, voided_by):
        issued_number_void(issued_number=row, reason=reason, voided_by=voided_by)
