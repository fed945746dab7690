"""/v1/journal-entries: posted entries with their lines, read-only (scope accounting:read)."""

import django_filters
from rest_framework import mixins, serializers

from erp.api.base import UUID_PATH, FolioViewSet
from ledger import selectors
from ledger.models import JournalEntry, JournalLine


class JournalLineSerializer(serializers.ModelSerializer):
    account_id = serializers.UUIDField(read_only=True)
    account_code = serializers.CharField(source="account.code", read_only=True)

    class Meta:
        model = JournalLine
        fields = ["id", "account_id", "account_code", "debit", "credit"]


class JournalEntrySerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    entity_id = serializers.UUIDField(read_only=True)
    reversal_of_id = serializers.UUIDField(read_only=True, allow_null=True)
    lines = JournalLineSerializer(many=True, read_only=True)

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "object",
            "entity_id",
            "number",
            "date",
            "memo",
            "source_type",
            "source_id",
            "reversal_of_id",
            "posted_at",
            "posted_by",
            "lines",
        ]

    def get_object(self, entry) -> str:
        return "journal_entry"


class JournalEntryFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    account = django_filters.CharFilter(method="filter_account", help_text="An account code.")

    class Meta:
        model = JournalEntry
        fields = ["number", "source_type", "source_id", "date_from", "date_to", "account"]

    def filter_account(self, queryset, name, value):
        return queryset.filter(lines__account__code=value).distinct()


class JournalEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Posted journal entries with their lines (read-only: corrections are reversing entries)."""

    required_scopes = {"read": "accounting:read"}
    serializer_class = JournalEntrySerializer
    filterset_class = JournalEntryFilter
    ordering_fields = ["posted_at", "date"]
    ordering = ["-posted_at"]
    lookup_value_regex = UUID_PATH

    def get_queryset(self):
        return selectors.journal_entries_for_entity(entity=self.entity)
