"""/v1/document-sequences: CRUD, issuing, preview and audit (Intacct and PORTOS fields, docs/contracts.md)."""

import datetime
from collections.abc import Mapping

import django_filters
from django import forms
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from erp.api.base import FolioViewSet, actor_of
from erp.api.serializers import InputSerializer
from erp.exceptions import Conflict, InvalidInput
from numbering import selectors
from numbering.api.issued_numbers import IssuedNumberSerializer, issued_number_data
from numbering.audit import sequence_audit
from numbering.models import COUNTER_TYPES, NumberingPeriod, Sequence
from numbering.rendering import alpha_from_value, fiscal_year_of
from numbering.services import (
    sequence_create,
    sequence_delete,
    sequence_issue_block_to_caller,
    sequence_issue_next_to_caller,
    sequence_update,
)


class RolloverSerializer(InputSerializer):
    """Intacct's rollover block: restart numbering every fiscal year, optionally with a FY affix."""

    is_enabled = serializers.BooleanField(required=False)
    enabled_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Read only: set when rollover is first enabled. Accepted on input only unchanged.",
    )
    fiscal_year_affix_position = serializers.ChoiceField(
        choices=Sequence.FiscalYearAffix.choices, required=False
    )
    separator = serializers.CharField(required=False, allow_blank=True, max_length=5)


class PeriodSerializer(InputSerializer):
    """PORTOS's period: restart every `amount` months or years."""

    unit = serializers.CharField()
    amount = serializers.IntegerField(min_value=1)

    def validate_unit(self, value: str) -> str:
        unit = value.strip().lower()
        if unit not in Sequence.PeriodUnit.values:
            raise serializers.ValidationError("unit must be Month or Year.", code="invalid_period_unit")
        return unit


class FiscalYearInputSerializer(InputSerializer):
    fiscal_year = serializers.IntegerField(min_value=1900, max_value=9999)
    next_number = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    next_sequence = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class NumberingInputSerializer(InputSerializer):
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)
    next_number = serializers.IntegerField(min_value=0)


class SequenceInputSerializer(InputSerializer):
    """Create/PATCH body of a document sequence; only the fields given are applied."""

    name = serializers.CharField(max_length=100)
    portos_id = serializers.CharField(
        required=False, max_length=24, help_text="24 lowercase hex characters; generated if not given."
    )
    stock_transfer_type = serializers.ChoiceField(
        choices=[("", ""), *Sequence._meta.get_field("stock_transfer_type").choices], required=False
    )
    next_number = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="The next value for a document dated today; on update a recorded counter advance.",
    )
    next_sequence = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=16, help_text="Alpha sequences."
    )
    period_anchor = serializers.DateField(
        required=False, allow_null=True, help_text="Custom periods are counted from this date."
    )
    print_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    counter_type = serializers.ChoiceField(choices=COUNTER_TYPES, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Sequence.Status.choices, required=False)
    type = serializers.ChoiceField(choices=Sequence.Type.choices, required=False)
    fixed_prefix = serializers.CharField(required=False, allow_blank=True, max_length=100)
    prefix_separator = serializers.CharField(required=False, allow_blank=True, max_length=5)
    fixed_suffix = serializers.CharField(required=False, allow_blank=True, max_length=100)
    suffix_separator = serializers.CharField(required=False, allow_blank=True, max_length=5)
    fixed_length = serializers.IntegerField(required=False, allow_null=True)
    format = serializers.CharField(required=False, allow_blank=True, max_length=100)
    starting_number = serializers.IntegerField(required=False, min_value=0)
    ending_number = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    starting_sequence = serializers.CharField(required=False, allow_blank=True, max_length=16)
    ending_sequence = serializers.CharField(required=False, allow_blank=True, max_length=16)
    reset = serializers.ChoiceField(choices=Sequence.Reset.choices, required=False)
    period = PeriodSerializer(required=False, allow_null=True)
    rollover = RolloverSerializer(required=False)
    fiscal_years = FiscalYearInputSerializer(many=True, required=False)
    numberings = NumberingInputSerializer(many=True, required=False)
    warning_threshold = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="For PATCH: the version you read."
    )

    def to_service_fields(self, sequence: Sequence | None = None) -> dict:
        """Translate the API shape into the service's model-field keywords."""
        data = dict(self.validated_data)
        data.pop("version", None)
        rollover = data.pop("rollover", None)
        if rollover is not None:
            _enabled_date_unchanged(rollover, sequence)
            if "is_enabled" in rollover and "reset" not in data:
                data["reset"] = Sequence.Reset.FISCAL_YEAR if rollover["is_enabled"] else Sequence.Reset.NEVER
            if "fiscal_year_affix_position" in rollover:
                data["fiscal_year_affix"] = rollover["fiscal_year_affix_position"]
            if "separator" in rollover:
                data["fiscal_year_separator"] = rollover["separator"]
        if "period" in data:
            period = data.pop("period")
            if period is None:
                data["period_unit"], data["period_amount"] = "", None
            else:
                data["period_unit"], data["period_amount"] = period["unit"], period["amount"]
                data.setdefault("reset", Sequence.Reset.CUSTOM)
        if data.get("counter_type") == "":
            data["counter_type"] = None
        return data


def _enabled_date_unchanged(rollover: dict, sequence: Sequence | None) -> None:
    """Refuse a rollover.enabled_date other than the one the sequence shows (the system sets it)."""
    if "enabled_date" not in rollover:
        return
    current = sequence.rollover_enabled_date if sequence is not None else None
    if rollover["enabled_date"] != current:
        raise InvalidInput(
            "rollover.enabled_date is read only: it is set when rollover is first enabled.",
            code="read_only",
            param="rollover.enabled_date",
        )


class NumberingOutputSerializer(serializers.ModelSerializer):
    """A period's counter (PORTOS `numberings[]`)."""

    current_number = serializers.IntegerField(source="last_value")
    next_number = serializers.IntegerField(source="next_value")

    class Meta:
        model = NumberingPeriod
        fields = ["id", "label", "start", "end", "start_value", "current_number", "next_number"]


class SequenceSerializer(serializers.ModelSerializer):
    """A document sequence as the API shows it."""

    object = serializers.SerializerMethodField()
    key = serializers.CharField(read_only=True, help_text="The Intacct dialect's key: digits, never changes.")
    next_number = serializers.SerializerMethodField()
    next_sequence = serializers.SerializerMethodField()
    effective_format = serializers.CharField(read_only=True)
    period = serializers.SerializerMethodField()
    rollover = serializers.SerializerMethodField()
    fiscal_years = serializers.SerializerMethodField()
    numberings = NumberingOutputSerializer(source="periods", many=True, read_only=True)
    audit = serializers.SerializerMethodField()

    class Meta:
        model = Sequence
        fields = [
            "id",
            "object",
            "key",
            "portos_id",
            "stock_transfer_type",
            "name",
            "print_title",
            "counter_type",
            "status",
            "type",
            "fixed_prefix",
            "prefix_separator",
            "fixed_suffix",
            "suffix_separator",
            "fixed_length",
            "format",
            "effective_format",
            "starting_number",
            "ending_number",
            "starting_sequence",
            "ending_sequence",
            "next_number",
            "next_sequence",
            "reset",
            "period",
            "period_anchor",
            "reset_from",
            "rollover",
            "fiscal_years",
            "numberings",
            "warning_threshold",
            "version",
            "audit",
        ]

    def get_object(self, sequence) -> str:
        return "document_sequence"

    def get_next_number(self, sequence) -> int | None:
        """The value a document dated today takes next (numeric sequences)."""
        return None if sequence.is_alpha else selectors.sequence_next_value(sequence)

    def get_next_sequence(self, sequence) -> str | None:
        """The letters a document dated today takes next (alpha sequences)."""
        return alpha_from_value(selectors.sequence_next_value(sequence)) if sequence.is_alpha else None

    def get_period(self, sequence) -> dict | None:
        if not sequence.period_unit:
            return None
        return {"unit": sequence.period_unit.capitalize(), "amount": sequence.period_amount}

    def get_rollover(self, sequence) -> dict:
        return {
            "is_enabled": sequence.reset == Sequence.Reset.FISCAL_YEAR,
            "enabled_date": sequence.rollover_enabled_date,
            "fiscal_year_affix_position": sequence.fiscal_year_affix,
            "separator": sequence.fiscal_year_separator,
        }

    def get_fiscal_years(self, sequence) -> list[dict]:
        if sequence.reset != Sequence.Reset.FISCAL_YEAR:
            return []
        alpha = sequence.type == Sequence.Type.ALPHA
        return [
            {
                # A fiscal year is named by the calendar year it ends in.
                "fiscal_year": period.end.year,
                "next_number": None if alpha else period.next_value,
                "next_sequence": alpha_from_value(period.next_value) if alpha else None,
            }
            for period in sequence.periods.all()
        ]

    @extend_schema_field(
        inline_serializer(
            "SequenceAudit",
            {
                "created_at": serializers.DateTimeField(),
                "modified_at": serializers.DateTimeField(),
                "created_by": serializers.CharField(),
                "modified_by": serializers.CharField(),
            },
        )
    )
    def get_audit(self, sequence) -> dict:
        return {
            "created_at": sequence.created_at,
            "modified_at": sequence.updated_at,
            "created_by": sequence.created_by,
            "modified_by": sequence.modified_by,
        }


class GenerateNextValueSerializer(InputSerializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=1900, max_value=9999)
    date = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


# What GenerateNextValueSerializer makes of an empty body, the one most calls send.
_NO_FIELDS = {"reference": ""}


def _generate_next_value_input(data) -> dict:
    """Return generate-next-value's validated body: an empty one without building the serializer.

    Building and running the serializer costs ~80 µs, ~2 % of the request; an empty body has nothing
    to refuse (tests/numbering/test_api.py checks both give the same values).
    """
    if isinstance(data, Mapping) and not data:
        return dict(_NO_FIELDS)
    body = GenerateNextValueSerializer(data=data)
    body.is_valid(raise_exception=True)
    return body.validated_data


class GenerateNextValuesSerializer(InputSerializer):
    count = serializers.IntegerField(min_value=1, max_value=10_000)
    date = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class PreviewQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False)


class PreviewSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    number = serializers.CharField()
    period_label = serializers.CharField()


class AuditPeriodSerializer(serializers.Serializer):
    label = serializers.CharField()
    first = serializers.IntegerField()
    last = serializers.IntegerField()
    issued = serializers.IntegerField()
    voided = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    gaps = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    overlaps = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), help_text="Values issued and skipped."
    )
    out_of_range = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Issued values outside first…last.",
    )


class AuditDisagreementSerializer(serializers.Serializer):
    problem = serializers.ChoiceField(
        choices=[
            "document_missing",
            "document_carries_another_number",
            "number_voided_document_live",
            "document_void_number_live",
            "document_number_not_issued",
        ]
    )
    document_type = serializers.CharField()
    document_id = serializers.CharField()
    number = serializers.CharField(allow_null=True, help_text="The issued number (null: none was issued).")
    document_number = serializers.CharField(allow_null=True, help_text="The number the document carries.")
    issued_number_id = serializers.UUIDField(allow_null=True)


class AuditSerializer(serializers.Serializer):
    sequence_id = serializers.UUIDField()
    ok = serializers.BooleanField()
    periods = AuditPeriodSerializer(many=True)
    documents = AuditDisagreementSerializer(
        many=True, help_text="Where numbers and the documents they number disagree (docs/activity.md)."
    )


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter: `key=1.5` is a 400, not an empty list (django-filter's numbers are decimals)."""

    field_class = forms.IntegerField


class SequenceFilter(django_filters.FilterSet):
    """Filters of the sequence list; inactive sequences are listed only when `status` asks for them."""

    name = django_filters.CharFilter(lookup_expr="iexact")
    key = IntegerFilter(help_text="The sequence's key (digits).")
    status = django_filters.ChoiceFilter(
        choices=[*Sequence.Status.choices, ("all", "all")],
        method="filter_status",
        help_text="Default: active only (inactive sequences are hidden unless asked for); `all` lists both.",
    )

    class Meta:
        model = Sequence
        fields = ["name", "status", "type", "counter_type", "stock_transfer_type", "key", "portos_id"]

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)


ISSUING_CONFLICTS = ["sequence_inactive", "sequence_exhausted", "sequence_busy", "number_taken"]


_ISSUING_ACTIONS = frozenset({"generate_next_value", "generate_next_values"})


class DocumentSequenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Document sequences (Intacct) with PORTOS format strings, periods and `version`."""

    required_scopes = {"read": "numbering:read", "write": "numbering:write"}
    serializer_class = SequenceSerializer
    filterset_class = SequenceFilter
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    error_codes = {
        "create": {
            400: ["too_many_fiscal_years", "too_many_numberings", "period_mismatch"],
            409: ["sequence_name_taken", "counter_type_taken", "portos_id_taken"],
            422: ["advance_too_far"],
        },
        "partial_update": {
            400: ["invalid_if_match", "read_only", "too_many_fiscal_years", "too_many_numberings"],
            409: ["version_mismatch", "sequence_in_use", "sequence_name_taken", "counter_type_taken"],
            422: ["counter_decrement", "advance_too_far"],
        },
        "destroy": {409: ["sequence_in_use"]},
        "generate_next_value": {409: ISSUING_CONFLICTS, 422: ["date_out_of_range"]},
        "generate_next_values": {409: ISSUING_CONFLICTS, 422: ["date_out_of_range"]},
        "preview": {409: ["sequence_exhausted"]},
    }

    def get_queryset(self):
        queryset = selectors.sequences_for_entity(entity=self.entity)
        if self.action in _ISSUING_ACTIONS:
            return queryset  # issuing reads no period from here: one query fewer on the hot path
        return queryset.prefetch_related("periods")

    def get_object(self):
        if self.action not in _ISSUING_ACTIONS:
            return super().get_object()
        # Issuing takes no query parameter (check_query_params refused any), so no filter applies:
        # the sequence is read by a statement built once per process, not compiled per request.
        sequence = selectors.sequence_of_entity(entity=self.entity, pk=self.kwargs[self.lookup_field])
        if sequence is None:
            raise Http404
        self.check_object_permissions(self.request, sequence)
        return sequence

    def filter_queryset(self, queryset):
        # Inactive sequences are hidden from the list unless `status` asks; a read by id still finds them.
        if self.action == "list" and not self.request.query_params.get("status"):
            queryset = queryset.filter(status=Sequence.Status.ACTIVE)
        return super().filter_queryset(queryset)

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
            reason=f"PATCH {request.path}",
            **body.to_service_fields(sequence),
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
        data = _generate_next_value_input(request.data)
        on = self._document_date(sequence, data)
        issued = sequence_issue_next_to_caller(
            sequence=sequence, date=on, reference=data["reference"], issued_by=actor_of(request)
        )
        return Response(issued_number_data(issued), status=status.HTTP_201_CREATED)

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
        data = body.validated_data
        issued = sequence_issue_block_to_caller(
            sequence=sequence,
            count=data["count"],
            date=data.get("date"),
            reference=data["reference"],
            issued_by=actor_of(request),
        )
        data = [issued_number_data(number) for number in issued]
        return Response({"object": "list", "data": data}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("date", datetime.date, required=False)], responses=PreviewSerializer
    )
    @action(detail=True, methods=["get"], extra_query_params={"date"})
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
