"""Serializer fields shared by the apps' APIs."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class InlineEnumField(serializers.ChoiceField):
    """A read-only choice field whose values are documented inline in the schema.

    Many documents share field names like `status` or `type` with different value sets; drf-spectacular
    turns each set into a global `StatusEnum`-style component and warns (failing `check --deploy`) when
    the names collide. An inline enum documents the same values without a global name.
    """

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(choices, **kwargs)


class InlineEnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = InlineEnumField

    def map_serializer_field(self, auto_schema, direction):
        # Wrapped in allOf: the enum post-processing hook only lifts enums found at property level.
        return {"allOf": [{"type": "string", "enum": list(self.target.choices)}]}
