"""GET /v1/entities/{entity_id}: the key's own entity (proves auth, scopes and tenancy end to end)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from erp.api.base import EntityPathMixin, FolioAPIView
from erp.api.permissions import ANY_KEY
from erp.models import Entity


class EntitySerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()

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
            "created_at",
        ]

    def get_object(self, entity) -> str:
        return "entity"


class EntityDetailView(EntityPathMixin, FolioAPIView):
    """Retrieve the calling key's entity; any other entity id is 403."""

    # Any valid key may read its own entity, whatever its scopes.
    required_scopes = {"read": ANY_KEY}

    @extend_schema(responses=EntitySerializer, operation_id="entities_retrieve")
    def get(self, request, entity_id):
        return Response(EntitySerializer(request.auth.entity).data)
