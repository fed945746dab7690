"""/v1/accounts: the entity's chart of accounts, read-only (scope accounting:read)."""

import django_filters
from rest_framework import mixins, serializers

from erp.api.base import UUID_PATH, FolioViewSet
from erp.api.fields import InlineEnumField
from ledger import selectors
from ledger.models import Account


class AccountSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    entity_id = serializers.UUIDField(read_only=True)
    type = InlineEnumField(Account.Type.choices)

    class Meta:
        model = Account
        fields = ["id", "object", "entity_id", "code", "name", "type", "created_at"]

    def get_object(self, account) -> str:
        return "account"


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
