"""Ledger read API: /v1/accounts and /v1/journal-entries (scope accounting:read)."""

import django_filters
from rest_framework import mixins, serializers

from erp.api.base import FolioViewSet
from erp.api.fields import InlineEnumField
from ledger import selectors
from ledger.models import Account, JournalEntry, JournalLine

UUID_PATH = "[0-9a-fA-F-]{36}"


class AccountSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    entity_id = serializers.UUIDField(read_only=True)
    type = InlineEnumField(Account.Type.choices)

    class Meta:
        model = Account
        fields = ["id", "object", "entity_id", "code", "name", "type", "created_at"]

    def get_object(self, account) -> str:
        return "account"


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


class AccountFilter(django_filters.FilterSet):
    class Meta:
        model = Account
        fields = ["code", "type"]


class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """The entity's chart of accounts (read-only)."""

    required_scopes = {"read": "accounting:read"}
    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    ordering_fields = ["code", "created_at"]
    ordering = ["code"]
    lookup_value_regex = UUID_PATH

    def get_queryset(self):
        return selectors.accounts_for_entity(entity=self.entity)


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
