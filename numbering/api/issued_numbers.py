"""/v1/issued-numbers: the issuance ledger, read-only, plus void with a reason."""

import datetime
import functools

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from erp.api.base import FolioViewSet, actor_of
from erp.api.serializers import InputSerializer
from numbering import selectors
from numbering.models import IssuedNumber
from numbering.services import issued_number_void


class IssuedNumberSerializer(serializers.ModelSerializer):
    """A number handed out (docs/numbering.md)."""

    object = serializers.SerializerMethodField()
    sequence_id = serializers.UUIDField(read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)

    class Meta:
        model = IssuedNumber
        fields = [
            "id",
            "object",
            "sequence_id",
            "period_label",
            "value",
            "number",
            "status",
            "reference",
            "document_type",
            "document_id",
            "issued_at",
            "issued_by",
            "void_reason",
            "voided_at",
            "voided_by",
        ]

    def get_object(self, issued) -> str:
        return "issued_number"


@functools.cache
def _issued_number_serializer() -> IssuedNumberSerializer:
    """Return one serializer, its fields built once per process (a ModelSerializer builds them per use)."""
    return IssuedNumberSerializer()


def issued_number_data(issued: IssuedNumber) -> dict:
    """Return an issued number's API representation (what IssuedNumberSerializer(issued).data gives)."""
    # The fields hold no per-response state, so one bound set serves every response
    # (docs/benchmarks.md, "HTTP: the API path").
    return _issued_number_serializer().to_representation(issued)


class VoidSerializer(InputSerializer):
    reason = serializers.CharField(max_length=500)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 datetime taken to UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return None if value is None else value.astimezone(datetime.UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00+05:00 falls before year 1 in UTC
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class IssuedNumberFilter(django_filters.FilterSet):
    sequence = django_filters.UUIDFilter(field_name="sequence_id")
    period = django_filters.NumberFilter(field_name="period_id")
    document = django_filters.CharFilter(field_name="document_id")
    document_type = django_filters.CharFilter()
    issued_after = UtcDateTimeFilter(field_name="issued_at", lookup_expr="gte")
    issued_before = UtcDateTimeFilter(field_name="issued_at", lookup_expr="lt")

    class Meta:
        model = IssuedNumber
        fields = [
            "sequence",
            "period",
            "status",
            "document",
            "document_type",
            "issued_after",
            "issued_before",
        ]


class IssuedNumberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """The issuance ledger: read-only, plus void with a reason."""

    required_scopes = {"read": "numbering:read", "write": "numbering:write"}
    serializer_class = IssuedNumberSerializer
    filterset_class = IssuedNumberFilter
    ordering_fields = ["issued_at", "value"]
    ordering = ["-issued_at"]
    error_codes = {"void": {409: ["already_void", "number_bound_to_document"]}}

    def get_queryset(self):
        return selectors.issued_numbers_for_entity(entity=self.entity).select_related("period")

    @extend_schema(request=VoidSerializer, responses=IssuedNumberSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        issued = self.get_object()
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issued = issued_number_void(
            issued_number=issued, reason=body.validated_data["reason"], voided_by=actor_of(request)
        )
        return Response(issued_number_data(issued))
