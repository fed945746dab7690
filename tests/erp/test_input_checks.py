"""The body checks of InputSerializer: control characters found at any depth, in field order, by field.

The checks read each serializer's fields once (a list's items share one child); a text value is looked at
closely only when it holds a control character, and its field's name still decides which it allows
(multi-line fields keep tab and line breaks).
"""

import pytest
from rest_framework import serializers

from erp.api.serializers import InputSerializer, control_character_param, unknown_parameter


class Line(serializers.Serializer):
    description = serializers.CharField()
    amount = serializers.IntegerField()


class Amounts(serializers.Serializer):
    amount = serializers.IntegerField()


class Body(InputSerializer):
    name = serializers.CharField(required=False)
    notes = serializers.CharField(required=False)
    lines = Line(many=True, required=False)
    amounts = Amounts(many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    labels = serializers.DictField(child=serializers.CharField(), required=False)
    shown = serializers.CharField(read_only=True)


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ({"name": "plain", "notes": "two\nlines\tand a tab", "lines": [{"description": "a\nb"}]}, None),
        ({"name": "bell\x07"}, (("name",), "name contains a control character (U+0007).")),
        ({"name": "two\nlines"}, (("name",), "name contains a control character (U+000A).")),
        ({"notes": "nul\x00"}, (("notes",), "notes contains a NUL character.")),
        (
            {"lines": [{"description": "ok"}, {"description": "two\x0blines"}]},
            (("lines", 1, "description"), "lines[1].description contains a control character (U+000B)."),
        ),
        ({"tags": ["a", "b\x1b"]}, (("tags", 1), "tags[1] contains a control character (U+001B).")),
        ({"labels": {"k": "\x7f"}}, (("labels", "k"), "labels.k contains a control character (U+007F).")),
        # The first in field order, not in the body's key order.
        ({"tags": ["\x01"], "name": "\x02"}, (("name",), "name contains a control character (U+0002).")),
        ({"shown": "\x00", "amounts": [{"amount": "\x00"}]}, None),  # not text fields the body reads
        ({"lines": "not a list", "labels": ["not", "a dict"]}, None),  # left to the fields
    ],
)
def test_control_characters_are_found_at_any_depth(data, found):
    assert control_character_param(Body(), data) == found


def test_a_lists_items_share_one_reading_of_their_fields():
    body = Body()
    data = {"lines": [{"description": "x", "amount": 1}] * 50 + [{"description": "x", "colour": "red"}]}
    assert unknown_parameter(body, data) == ("lines", 50, "colour")
    child = body.fields["lines"].child
    assert child.__dict__["_input_reading"].names == {"description", "amount"}


def test_a_body_with_a_control_character_is_refused_naming_its_path():
    body = Body(data={"lines": [{"description": "a\x00b", "amount": 1}]})
    assert not body.is_valid()
    error = body.errors["lines"][0]["description"][0]
    assert (error.code, str(error)) == ("parameter_invalid", "lines[0].description contains a NUL character.")
