"""/v1/activity: the entity's activity log, read-only (scope audit:read; docs/activity.md)."""

import django_filters
from rest_framework import mixins, serializers

from erp.api.base import UUID_PATH, FolioViewSet
from erp.models import Activity
from erp.selectors import activity_for_entity


class ActorSerializer(serializers.Serializer):
    type = serializers.CharField(source="actor_type")
    id = serializers.CharField(source="actor_id")
    name = serializers.CharField(source="actor_name")


class ObjectSerializer(serializers.Serializer):
    type = serializers.CharField(source="object_type")
    id = serializers.CharField(source="object_id")


class ActivitySerializer(serializers.ModelSerializer):
    # The log's own shape (docs/activity.md): `object` is the row's subject {type, id}, not its kind.
    entity_id = serializers.UUIDField(source="entity.public_id", read_only=True)
    actor = ActorSerializer(source="*", read_only=True)
    object = ObjectSerializer(source="*", read_only=True)
    changes = serializers.JSONField(read_only=True, help_text="{field: [before, after]}")

    class Meta:
        model = Activity
        fields = [
            "id",
            "occurred_at",
            "entity_id",
            "actor",
            "channel",
            "action",
            "object",
            "request_id",
            "reason",
            "changes",
            "seq",
            "chain_hash",
        ]


class ActivityFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(help_text="e.g. invoice, vendor_credit, sequence.")
    object_id = django_filters.CharFilter()
    actor_type = django_filters.ChoiceFilter(choices=Activity.ActorType.choices)
    actor_id = django_filters.CharFilter(help_text="A user's id, an API key's id, or a command's name.")
    actor = django_filters.CharFilter(
        field_name="actor_name", help_text="A user's name, an API key's prefix, or a command's name."
    )
    channel = django_filters.ChoiceFilter(choices=Activity.Channel.choices)
    action = django_filters.CharFilter(help_text='e.g. "invoice.voided".')
    request_id = django_filters.CharFilter()
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = [
            "object_type",
            "object_id",
            "actor_type",
            "actor_id",
            "actor",
            "channel",
            "action",
            "request_id",
            "occurred_after",
            "occurred_before",
        ]


class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Every write made to this entity's books and settings, newest first (append-only, chained)."""

    required_scopes = {"read": "audit:read"}
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["occurred_at"]
    ordering = ["-occurred_at"]
    lookup_value_regex = UUID_PATH

    def get_queryset(self):
        return activity_for_entity(entity=self.entity).select_related("entity")
