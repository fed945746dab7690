"""Numbering serializers: input shapes (Intacct/PORTOS names in snake_case) and output shapes."""

from rest_framework import serializers

from numbering.models import COUNTER_TYPES, MAX_PREFIX_LENGTH, IssuedNumber, NumberingPeriod, Sequence
from numbering.rendering import alpha_from_value
from numbering.services.counters import MAX_PADDING

MAX_ADVANCE_ROWS = 50


class RolloverSerializer(serializers.Serializer):
    """Intacct's rollover block: restart numbering every fiscal year, optionally with a FY affix."""

    is_enabled = serializers.BooleanField(required=False)
    enabled_date = serializers.DateField(required=False, allow_null=True)
    fiscal_year_affix_position = serializers.ChoiceField(
        choices=Sequence.FiscalYearAffix.choices, required=False
    )
    separator = serializers.CharField(required=False, allow_blank=True, max_length=5)


class PeriodSerializer(serializers.Serializer):
    """PORTOS's period: restart every `amount` months or years."""

    unit = serializers.CharField()
    amount = serializers.IntegerField(min_value=1)

    def validate_unit(self, value: str) -> str:
        unit = value.strip().lower()
        if unit not in Sequence.PeriodUnit.values:
            raise serializers.ValidationError("unit must be Month or Year.", code="invalid_period_unit")
        return unit


class FiscalYearInputSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(min_value=1900, max_value=9999)
    next_number = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    next_sequence = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class NumberingInputSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)
    next_number = serializers.IntegerField(min_value=0)


class SequenceInputSerializer(serializers.Serializer):
    """Create/PATCH body of a document sequence; only the fields given are applied."""

    name = serializers.CharField(max_length=100)
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

    def to_service_fields(self) -> dict:
        """Translate the API shape into the service's model-field keywords."""
        data = dict(self.validated_data)
        data.pop("version", None)
        rollover = data.pop("rollover", None)
        if rollover is not None:
            if "is_enabled" in rollover and "reset" not in data:
                data["reset"] = Sequence.Reset.FISCAL_YEAR if rollover["is_enabled"] else Sequence.Reset.NEVER
            if "fiscal_year_affix_position" in rollover:
                data["fiscal_year_affix"] = rollover["fiscal_year_affix_position"]
            if "separator" in rollover:
                data["fiscal_year_separator"] = rollover["separator"]
            if rollover.get("enabled_date"):
                data["rollover_enabled_date"] = rollover["enabled_date"]
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


class AuditStampSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    modified_at = serializers.DateTimeField()


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
            "reset",
            "period",
            "rollover",
            "fiscal_years",
            "numberings",
            "warning_threshold",
            "version",
            "audit",
        ]

    def get_object(self, sequence) -> str:
        return "document_sequence"

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

    def get_audit(self, sequence) -> dict:
        return {"created_at": sequence.created_at, "modified_at": sequence.updated_at}


class IssuedNumberSerializer(serializers.ModelSerializer):
    """A number handed out (SPEC §4.4)."""

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


class GenerateNextValueSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=1900, max_value=9999)
    date = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class GenerateNextValuesSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=10_000)
    date = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class PreviewQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False)


class PreviewSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    number = serializers.CharField()
    period_label = serializers.CharField()


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


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


class AuditSerializer(serializers.Serializer):
    sequence_id = serializers.UUIDField()
    ok = serializers.BooleanField()
    periods = AuditPeriodSerializer(many=True)


class CounterAdvanceRowSerializer(serializers.Serializer):
    """One Arcus counter advance: the single form, or a row of `counters`."""

    # Documents the request only: the service checks each row and reports a bad one as a failed row.
    # A string, as the seed documents it; an unknown type is a failed row (invalid_counter_type).
    counter_type = serializers.CharField(help_text=f"One of: {', '.join(COUNTER_TYPES)}.")
    advance_to = serializers.IntegerField(
        min_value=0, help_text="The new current_value (next issued = advance_to + 1); never a decrement."
    )
    prefix = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_PREFIX_LENGTH,
        help_text="Required only to create a missing counter; existing counters keep theirs.",
    )
    padding = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PADDING,
        help_text="Minimum digits, used only when creating a counter (default 7).",
    )


class CounterAdvanceBatchSerializer(serializers.Serializer):
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
