"""The base of every input serializer: a body field the operation does not define is a 400, never ignored.

DRF drops unknown keys silently; a client that misspells `due_date` would get a document without its
due date. `InputSerializer` refuses them as `unknown_parameter` with `param` naming the field, nested
fields included (`lines[0].foo`, `counters[2].bar`), before any field is validated (docs/api.md).
It then refuses control characters in every text field of the body (`parameter_invalid`, erp/text.py).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rest_framework import serializers

from erp.exceptions import InvalidInput
from erp.text import control_character, refuse_control_characters

__all__ = [
    "UNKNOWN_PARAMETER",
    "InputSerializer",
    "control_character_param",
    "param_of",
    "unknown_parameter",
]

UNKNOWN_PARAMETER = "unknown_parameter"


# How a field holds what it reads: one value, a list of them or a dict of them.
_ONE, _LIST, _DICT = "one", "list", "dict"


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the body checks need of a serializer's input fields, in field order."""

    # The keys it reads (its writable fields).
    names: frozenset[str]
    # (name, shape, serializer) of each field read by a nested serializer.
    nested: tuple[tuple[str, str, serializers.Serializer], ...]
    # (name, shape, None) of each text field, (name, shape, serializer) of each that may hold text.
    texts: tuple[tuple[str, str, serializers.Serializer | None], ...]


def _reading(serializer: serializers.Serializer) -> _Reading:
    """Return what the checks need of a serializer, worked out once per instance.

    A list's items share one child serializer: reading its fields once instead of once per item is
    most of what the checks of a 50-item body cost. A serializer's fields are fixed once it is bound.
    """
    reading = serializer.__dict__.get("_input_reading")
    if reading is None:
        names, nested, texts = set(), [], []
        for name, field in serializer.fields.items():
            if field.read_only:
                continue
            names.add(name)
            shape = _shape(field)
            child = _nested(field)
            if child is not None:
                nested.append((name, shape, child))
                texts.append((name, shape, child))
            elif isinstance(field if shape == _ONE else field.child, serializers.CharField):
                texts.append((name, shape, None))
        reading = _Reading(frozenset(names), tuple(nested), tuple(texts))
        serializer._input_reading = reading
    return reading


def _shape(field) -> str:
    """Return how a field holds its values: one, a list (ListSerializer, ListField) or a dict (DictField)."""
    if isinstance(field, serializers.DictField):
        return _DICT
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        return _LIST
    return _ONE


def _nested(field) -> serializers.Serializer | None:
    """Return the serializer reading a field's value, or each of its items; None for a plain field."""
    if isinstance(field, serializers.ListSerializer | serializers.ListField | serializers.DictField):
        field = field.child
    return field if isinstance(field, serializers.Serializer) else None


def _items(shape: str, value):
    """Return (index or key, item) for each item of a value of that shape; (None, value) for one value.

    A value of the wrong shape has no items: its field refuses it with its own code.
    """
    if shape == _ONE:
        return ((None, value),)
    if shape == _LIST:
        return enumerate(value) if isinstance(value, list | tuple) else ()
    return value.items() if isinstance(value, Mapping) else ()


def unknown_parameter(serializer: serializers.Serializer, data, path: tuple = ()) -> tuple | None:
    """Return the path (names and list indexes) of the first key in `data` that `serializer` does not define.

    Walks nested serializers, lists of them (ListSerializer, ListField) and dicts of them (DictField).
    Values of the wrong shape are left to the fields, which refuse them with their own codes.
    """
    if not isinstance(data, Mapping):
        return None
    reading = _reading(serializer)
    for key in data:
        if key not in reading.names:
            return (*path, key)
    for name, shape, child in reading.nested:
        if name not in data:
            continue
        for index, item in _items(shape, data[name]):
            where = (*path, name) if index is None else (*path, name, index)
            found = unknown_parameter(child, item, where)
            if found:
                return found
    return None


def _text_values(
    serializer: serializers.Serializer, data, path: tuple = ()
) -> Iterator[tuple[tuple, object]]:
    """Yield (path, value) for every value of `data` that a text field (CharField) of `serializer` reads."""
    if not isinstance(data, Mapping):
        return
    for name, shape, child in _reading(serializer).texts:
        if name not in data or (child is not None and not _holds_text(child)):
            continue
        for index, item in _items(shape, data[name]):
            where = (*path, name) if index is None else (*path, name, index)
            if child is None:
                yield where, item
            else:
                yield from _text_values(child, item, where)


def _holds_text(serializer: serializers.Serializer) -> bool:
    """Return whether a serializer may read text (a list of 50 amounts and ids need not be walked)."""
    return bool(_reading(serializer).texts)


def control_character_param(serializer: serializers.Serializer, data) -> tuple[tuple, str] | None:
    """Return (path, message) of the first text value of `data` holding a control character, or None."""
    for path, value in _text_values(serializer, data):
        # Text without any control character passes in every field, multi-line or not: only a
        # value holding one needs its param, which decides which characters its field allows.
        if isinstance(value, str) and control_character(value) is not None:
            try:
                refuse_control_characters(value, param=param_of(path))
            except InvalidInput as error:
                return path, error.message
    return None


def param_of(path: tuple) -> str:
    """Render a path as the envelope's `param`: `lines[0].foo`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _detail_of(path: tuple, error: serializers.ErrorDetail):
    """Nest an error the way DRF nests field errors, so the envelope's `param` is the whole path."""
    detail = [error]
    for part in reversed(path):
        detail = {part: detail}
    return detail


class InputSerializer(serializers.Serializer):
    """A request body (or part of one): unknown keys are refused, at any depth, before the fields run.

    The outermost InputSerializer checks the whole body, nested plain serializers included; a nested
    InputSerializer under it does not check again.
    """

    def to_internal_value(self, data):
        if not self._checked_by_an_ancestor():
            found = unknown_parameter(self, data)
            if found:
                name = param_of(found)
                error = serializers.ErrorDetail(
                    f"{name} is not a parameter of this operation.", UNKNOWN_PARAMETER
                )
                raise serializers.ValidationError(_detail_of(found, error))
            refusal = control_character_param(self, data)
            if refusal is not None:
                path, message = refusal
                error = serializers.ErrorDetail(message, "parameter_invalid")
                raise serializers.ValidationError(_detail_of(path, error))
        return super().to_internal_value(data)

    def _checked_by_an_ancestor(self) -> bool:
        parent = self.parent
        while parent is not None:
            if isinstance(parent, InputSerializer):
                return True
            parent = parent.parent
        return False
