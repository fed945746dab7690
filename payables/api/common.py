"""Pieces every payables endpoint shares: money input, the void body, and naming the caller."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from erp.exceptions import InvalidInput
from erp.money import money_parse

# Detail routes take only a UUID: anything else is "no such endpoint" before any query runs.
UUID_PATH = "[0-9a-fA-F-]{36}"


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "example": "125.50"}]})
class MoneyField(serializers.Field):
    """An amount sent as a JSON number or string, at most two decimal places, parsed to a Decimal."""

    def __init__(self, *, positive: bool = True, **kwargs):
        self.positive = positive
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return money_parse(data, param=self.field_name, positive=self.positive)
        except InvalidInput as error:
            raise serializers.ValidationError(error.message, code=error.code) from None

    def to_representation(self, value):
        return f"{value:.2f}"


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "example": "1.5"}]})
class QuantityField(serializers.Field):
    """A quantity sent as a JSON number or string; the service checks its range and places."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            raise serializers.ValidationError("quantity must be a number.", code="parameter_invalid")
        return data

    def to_representation(self, value):
        return str(value)


def service_checked_list(item_schema, **kwargs) -> serializers.ListField:
    """Return a list field whose items the service checks, so each error names `list[i].field` exactly.

    DRF would report a nested item's error keyed by index (`lines.1.description`); the services already
    check every item with its precise param, so the API hands the items over as they came.
    `item_schema` (a serializer instance, or a dict) documents the items in the OpenAPI schema.
    """

    @extend_schema_field(item_schema)
    class ServiceCheckedList(serializers.ListField):
        pass

    return ServiceCheckedList(**kwargs)


class VoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


def money_output() -> serializers.DecimalField:
    """Return a read-only output field rendering an amount as a decimal string."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, coerce_to_string=True)
