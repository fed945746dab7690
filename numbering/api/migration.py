"""/v1/entities/{entity_id}/migration/counters (+ /advance): the migration counters (docs/contracts.md)."""

from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from erp.api.base import EntityPathMixin, FolioAPIView, actor_of
from erp.api.serializers import UNKNOWN_PARAMETER, InputSerializer, param_of, unknown_parameter
from erp.exceptions import InvalidInput
from numbering import selectors
from numbering.models import COUNTER_TYPES, MAX_PREFIX_LENGTH
from numbering.services import migration_counters_advance
from numbering.services.counters import MAX_PADDING

MAX_ADVANCE_ROWS = 50


class CounterAdvanceRowSerializer(InputSerializer):
    """One Arcus counter advance: the single form, or a row of `counters`."""

    # Documents the request only: the service checks each row and reports a bad one as a failed row.
    # A string, as the migration contract has it (docs/contracts.md); an unknown type is a failed row
    # (invalid_counter_type).
    counter_type = serializers.CharField(help_text=f"One of: {', '.join(COUNTER_TYPES)}.")
    advance_to = serializers.IntegerField(
        min_value=0,
        help_text=(
            "The new current_value (next issued = advance_to + 1). Below the current value the row "
            "fails with decrement_not_allowed; equal, it succeeds with advanced: false."
        ),
    )
    prefix = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_PREFIX_LENGTH,
        help_text='Required only to create a missing counter ("" for none); existing counters keep theirs.',
    )
    padding = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PADDING,
        help_text="Minimum digits, used only when creating a counter (default 7).",
    )


class CounterAdvanceBatchSerializer(InputSerializer):
    """Several advances at once, each reported on its own."""

    counters = serializers.ListField(
        child=CounterAdvanceRowSerializer(), min_length=1, max_length=MAX_ADVANCE_ROWS
    )


class CounterAdvanceResultRowSerializer(serializers.Serializer):
    counter_type = serializers.CharField(allow_null=True)
    previous_value = serializers.IntegerField(allow_null=True)
    current_value = serializers.IntegerField(allow_null=True)
    prefix = serializers.CharField(allow_null=True)
    padding = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    advanced = serializers.BooleanField()
    next_issued_preview = serializers.CharField(allow_null=True)
    error = serializers.CharField(required=False, help_text="Failed rows only: what went wrong.")
    code = serializers.CharField(required=False, help_text="Failed rows only: a stable error code.")
    param = serializers.CharField(
        required=False, help_text="Failed rows only: the row's field at fault (counter_type, advance_to, …)."
    )


class CounterAdvanceResultSerializer(serializers.Serializer):
    object = serializers.CharField()
    total = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = CounterAdvanceResultRowSerializer(many=True)


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
    # A bad row is not an error response: it is a failed row of the 200 result, with its own code.
    error_codes = {"post": {400: ["invalid_request", "invalid_counters"]}}

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
        # Which form the body is decides which keys it may have: a batch holds only `counters`.
        form = CounterAdvanceBatchSerializer() if "counters" in data else CounterAdvanceRowSerializer()
        unknown = unknown_parameter(form, data)
        if unknown:
            name = param_of(unknown)
            raise InvalidInput(
                f"{name} is not a parameter of this operation.", code=UNKNOWN_PARAMETER, param=name
            )
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
