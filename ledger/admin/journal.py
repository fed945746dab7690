"""Posted journal entries with their lines: read-only (the database agrees)."""

from django.contrib import admin

from erp.adminkit import ReadOnlyAdmin, ReadOnlyInline
from ledger.models import JournalEntry, JournalLine


class JournalLineInline(ReadOnlyInline):
    model = JournalLine
    fields = readonly_fields = ["account", "debit", "credit"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    """Corrections are reversing entries posted by the document that owns them (voiding it)."""

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
