"""Numbering API views: thin — validate input, call the service, render the output."""

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from erp.api.base import EntityPathMixin, FolioAPIView, FolioViewSet, actor_of
from erp.exceptions import Conflict, InvalidInput
from numbering import selectors
from numbering.api.serializers import (
    MAX_ADVANCE_ROWS,
    AuditSerializer,
    CounterAdvanceBatchSerializer,
    CounterAdvanceResultSerializer,
    CounterAdvanceRowSerializer,
    GenerateNextValueSerializer,
    GenerateNextValuesSerializer,
    IssuedNumberSerializer,
    PreviewQuerySerializer,
    PreviewSerializer,
    SequenceInputSerializer,
    SequenceSerializer,
    VoidSerializer,
)
from numbering.audit import sequence_audit
from numbering.models import IssuedNumber, Sequence
from numbering.rendering import fiscal_year_of
from numbering.services import (
    issued_number_void,
    migration_counters_advance,
    sequence_create,
    sequence_delete,
    sequence_issue_block,
    sequence_issue_next,
    sequence_update,
)


class SequenceFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Sequence
        fields = ["name", "status", "type", "counter_type"]


class DocumentSequenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Document sequences (Intacct) with PORTOS format strings, periods and `version`."""

    required_scopes = {"read": "numbering:read", "write": "numbering:write"}
    serializer_class = SequenceSerializer
    filterset_class = SequenceFilter
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.sequences_for_entity(entity=self.entity).prefetch_related("periods")

    def retrieve(self, request, *args, **kwargs):
        sequence = self.get_object()
        response = Response(SequenceSerializer(sequence).data)
        response["ETag"] = f'"{sequence.version}"'
        return response

    @extend_schema(request=SequenceInputSerializer, responses={201: SequenceSerializer})
    def create(self, request):
        body = SequenceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sequence = sequence_create(entity=self.entity, actor=actor_of(request), **body.to_service_fields())
        return Response(self._fresh(sequence), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SequenceInputSerializer,
        responses=SequenceSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    )
    def partial_update(self, request, pk=None):
        sequence = self.get_object()
        body = SequenceInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        sequence = sequence_update(
            sequence=sequence,
            expected_version=self._expected_version(request, body.validated_data.get("version")),
            actor=actor_of(request),
            **body.to_service_fields(),
        )
        response = Response(self._fresh(sequence))
        response["ETag"] = f'"{sequence.version}"'
        return response

    def destroy(self, request, pk=None):
        sequence_delete(sequence=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=GenerateNextValueSerializer, responses={201: IssuedNumberSerializer})
    @action(detail=True, methods=["post"], url_path="generate-next-value")
    def generate_next_value(self, request, pk=None):
        sequence = self.get_object()
        body = GenerateNextValueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        on = self._document_date(sequence, body.validated_data)
        with transaction.atomic():
            issued = sequence_issue_next(
                sequence=sequence,
                date=on,
                reference=body.validated_data["reference"],
                document_type="api",
                issued_by=actor_of(request),
            )
        return Response(IssuedNumberSerializer(issued).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=GenerateNextValuesSerializer,
        responses={
            201: inline_serializer(
                "IssuedNumberBlock",
                {"object": serializers.CharField(), "data": IssuedNumberSerializer(many=True)},
            )
        },
    )
    @action(detail=True, methods=["post"], url_path="generate-next-values")
    def generate_next_values(self, request, pk=None):
        sequence = self.get_object()
        body = GenerateNextValuesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            issued = sequence_issue_block(
                sequence=sequence,
                count=body.validated_data["count"],
                date=body.validated_data.get("date"),
                reference=body.validated_data["reference"],
                issued_by=actor_of(request),
            )
        data = IssuedNumberSerializer(issued, many=True).data
        return Response({"object": "list", "data": data}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("date", datetime.date, required=False)], responses=PreviewSerializer
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        sequence = self.get_object()
        query = PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.sequence_preview(sequence=sequence, date=query.validated_data.get("date")))

    @extend_schema(responses=AuditSerializer)
    @action(detail=True, methods=["get"])
    def audit(self, request, pk=None):
        return Response(sequence_audit(sequence=self.get_object()))

    def _fresh(self, sequence) -> dict:
        """Render a sequence re-read with its periods (services may have added some)."""
        return SequenceSerializer(self.get_queryset().get(pk=sequence.pk)).data

    def _expected_version(self, request, body_version: int | None) -> int | None:
        header = request.headers.get("If-Match")
        if header is None:
            return body_version
        try:
            header_version = int(header.strip().removeprefix("W/").strip('"'))
        except ValueError:
            raise InvalidInput(
                'If-Match must be the sequence\'s ETag, e.g. "3".', code="invalid_if_match", param="If-Match"
            ) from None
        if body_version is not None and body_version != header_version:
            raise Conflict("If-Match and version disagree.", code="version_mismatch", param="version")
        return header_version

    def _document_date(self, sequence, data) -> datetime.date:
        """Pick the document date: `date`, else a day of the requested fiscal year, else today."""
        on = data.get("date")
        fiscal_year = data.get("fiscal_year")
        if fiscal_year is None:
            return on or timezone.localdate()
        start_month = self.entity.fiscal_year_start_month
        if on is not None:
            if fiscal_year_of(on, start_month=start_month) != fiscal_year:
                raise InvalidInput(
                    f"date {on} is not in fiscal year {fiscal_year}.",
                    code="fiscal_year_date_mismatch",
                    param="fiscal_year",
                )
            return on
        today = timezone.localdate()
        if fiscal_year_of(today, start_month=start_month) == fiscal_year:
            return today
        # The fiscal year named by the year it ends in starts in the previous calendar year
        # unless it starts in January.
        start_year = fiscal_year if start_month == 1 else fiscal_year - 1
        return datetime.date(start_year, start_month, 1)


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
        return Response(IssuedNumberSerializer(issued).data)


class MigrationCounterSerializer(serializers.Serializer):
    counter_type = serializers.CharField()
    sequence_id = serializers.UUIDField()
    current_value = serializers.IntegerField(allow_null=True)
    prefix = serializers.CharField()
    padding = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()
    next_issued_preview = serializers.CharField(allow_null=True)


class MigrationCountersView(EntityPathMixin, FolioAPIView):
    """GET /v1/entities/{entity_id}/migration/counters — the entity's counters as Arcus shows them."""

    required_scopes = {"read": "numbering:read"}

    @extend_schema(
        responses=inline_serializer(
            "MigrationCounterList",
            {
                "object": serializers.CharField(),
                "data": MigrationCounterSerializer(many=True),
                "has_more": serializers.BooleanField(),
                "next_cursor": serializers.CharField(allow_null=True),
            },
        ),
        operation_id="migration_counters_list",
    )
    def get(self, request, entity_id):
        counters = selectors.migration_counters(entity=self.entity)
        return Response({"object": "list", "data": counters, "has_more": False, "next_cursor": None})


class MigrationCountersAdvanceView(EntityPathMixin, FolioAPIView):
    """POST …/migration/counters/advance — single `{counter_type, advance_to, …}` or `{counters: [...]}`."""

    required_scopes = {"write": "migration:write"}

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="MigrationCounterAdvance",
            serializers=[CounterAdvanceRowSerializer, CounterAdvanceBatchSerializer],
            resource_type_field_name=None,
        ),
        responses=CounterAdvanceResultSerializer,
        operation_id="migration_counters_advance",
        description=(
            "Advance one counter, or up to 50 as `counters`. Each row reports on its own: a bad row "
            "comes back failed, with `error`, `code` and `param` (the row's field), and the others "
            "still apply."
        ),
        examples=[
            OpenApiExample(
                "Single counter", value={"counter_type": "invoice", "advance_to": 342665}, request_only=True
            ),
            OpenApiExample(
                "Batch",
                value={
                    "counters": [
                        {"counter_type": "invoice", "advance_to": 342665},
                        {"counter_type": "rma", "advance_to": 41, "prefix": "RMA-", "padding": 5},
                    ]
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request, entity_id):
        rows = self._rows(request.data)
        result = migration_counters_advance(entity=self.entity, rows=rows, actor=actor_of(request))
        return Response(result, status=status.HTTP_200_OK)

    def _rows(self, data) -> list[dict]:
        if not isinstance(data, dict):
            raise InvalidInput("The body must be a JSON object.", code="invalid_request")
        if "counters" not in data:
            for field in ("counter_type", "advance_to"):
                if field not in data:
                    raise InvalidInput(f"{field} is required.", code="parameter_missing", param=field)
            return [data]
        rows = data["counters"]
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ADVANCE_ROWS:
            raise InvalidInput(
                f"counters must be a list of 1–{MAX_ADVANCE_ROWS} rows.",
                code="invalid_counters",
                param="counters",
            )
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise InvalidInput(
                    "Each row must be an object.", code="invalid_counters", param=f"counters[{index}]"
                )
        return rows
