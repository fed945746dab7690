"""GET /v1/entities/{entity_id}: the key's own entity (proves auth, scopes and tenancy end to end);
PATCH sets its lock date (scope accounting:write; docs/posting.md, "Closed periods")."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.api.base import EntityPathMixin, FolioAPIView, actor_of
from erp.api.permissions import ANY_KEY
from erp.api.serializers import InputSerializer
from erp.models import Entity
from erp.services.lock_date import entity_lock_date_set


class EntitySerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    # A test key sees its test books under the live entity's id and code (docs/api.md, "Test mode").
    id = serializers.UUIDField(source="public_id", read_only=True)
    code = serializers.SerializerMethodField()

    class Meta:
        model = Entity
        fields = [
            "id",
            "object",
            "name",
            "code",
            "base_currency",
            "fiscal_year_start_month",
            "vendor_credit_expiry_days",
            "lock_date",
            "ledger_public_key",
            "created_at",
        ]

    def get_object(self, entity) -> str:
        return "entity"

    def get_code(self, entity) -> str:
        return entity.code if entity.livemode else entity.live_entity.code


class EntityUpdateSerializer(InputSerializer):
    lock_date = serializers.DateField(
        allow_null=True,
        help_text="Close the books through this date (null reopens every period); not after today.",
    )


class EntityDetailView(EntityPathMixin, FolioAPIView):
    """Retrieve the calling key's entity, or set its lock date; any other entity id is 403."""

    # Any valid key may read its own entity, whatever its scopes; closing periods is accounting's.
    required_scopes = {"read": ANY_KEY, "write": "accounting:write"}
    error_codes = {"patch": {422: ["date_out_of_range", "lock_date_in_future"]}}

    @extend_schema(responses=EntitySerializer, operation_id="entities_retrieve")
    def get(self, request, entity_id):
        return Response(EntitySerializer(request.auth.entity).data)

    @extend_schema(
        request=EntityUpdateSerializer,
        responses=EntitySerializer,
        operation_id="entities_partial_update",
        examples=[OpenApiExample("Close March", value={"lock_date": "2026-03-31"}, request_only=True)],
    )
    def patch(self, request, entity_id):
        body = EntityUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entity = entity_lock_date_set(
            entity=request.auth.entity, lock_date=body.validated_data["lock_date"], set_by=actor_of(request)
        )
        return Response(EntitySerializer(entity).data)
