"""Vendors API: /v1/vendors create, list, retrieve, PATCH (scope accounts:read|write)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from erp.api.base import FolioViewSet
from payables import selectors
from payables.api.common import UUID_PATH
from payables.models import Vendor
from payables.services import vendor_create, vendor_update


class VendorInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    external_reference = serializers.CharField(required=False, allow_blank=True, max_length=200)


class VendorSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    entity_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Vendor
        fields = [
            "id",
            "object",
            "entity_id",
            "name",
            "email",
            "external_reference",
            "created_at",
            "updated_at",
        ]

    def get_object(self, vendor) -> str:
        return "vendor"


class VendorFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    email = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Vendor
        fields = ["name", "email", "external_reference"]


class VendorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Vendors of the caller's entity."""

    lookup_value_regex = UUID_PATH
    required_scopes = {"read": "accounts:read", "write": "accounts:write"}
    serializer_class = VendorSerializer
    filterset_class = VendorFilter
    ordering_fields = ["name", "created_at"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.vendors_for_entity(entity=self.entity)

    @extend_schema(request=VendorInputSerializer, responses={201: VendorSerializer})
    def create(self, request):
        body = VendorInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        vendor = vendor_create(entity=self.entity, **body.validated_data)
        return Response(VendorSerializer(vendor).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VendorInputSerializer, responses=VendorSerializer)
    def partial_update(self, request, pk=None):
        vendor = self.get_object()
        body = VendorInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        vendor = vendor_update(vendor=vendor, **body.validated_data)
        return Response(VendorSerializer(vendor).data)
