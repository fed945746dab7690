"""The base of every input serializer: a body field the operation does not define is a 400, never ignored.

DRF drops unknown keys silently; a client that misspells `due_date` would get a document without its
due date. `InputSerializer` refuses them as `unknown_parameter` with `param` naming the field, nested
fields included (`lines[0].foo`, `counters[2].bar`), before any field is validated (docs/api.md).
It then refuses control characters in every text field of the body (`parameter_invalid`, erp/text.py).
"""

from collections.abc import Iterator, Mapping

from rest_framework import serializers

from erp.exceptions import InvalidInput
from erp.text import refuse_control_characters

__all__ = [
    "UNKNOWN_PARAMETER",
    "InputSerializer",
    "control_character_param",
    "param_of",
    "unknown_parameter",
]

UNKNOWN_PARAMETER = "unknown_parameter"


def _input_names(serializer: serializers.Serializer) -> set[str]:
    """Return the keys a serializer reads from its input (its writable fields)."""
    return {name for name, field in serializer.fields.items() if not field.read_only}


def _nested(field) -> serializers.Serializer | None:
    """Return the serializer reading a field's value, or each of its items; None for a plain field."""
    if isinstance(field, serializers.ListSerializer | serializers.ListField | serializers.DictField):
        field = field.child
    return field if isinstance(field, serializers.Serializer) else None


def unknown_parameter(serializer: serializers.Serializer, data, path: tuple = ()) -> tuple | None:
    """Return the path (names and list indexes) of the first key in `data` that `serializer` does not define.

    Walks nested serializers, lists of them (ListSerializer, ListField) and dicts of them (DictField).
    Values of the wrong shape are left to the fields, which refuse them with their own codes.
    """
    if not isinstance(data, Mapping):
        return None
    names = _input_names(serializer)
    for key in data:
        if key not in names:
            return (*path, key)
    for name, field in serializer.fields.items():
        if name not in data or field.read_only:
            continue
        child = _nested(field)
        if child is None:
            continue
        value = data[name]
        if isinstance(field, serializers.DictField):
            items = value.items() if isinstance(value, Mapping) else ()
        elif isinstance(field, serializers.ListSerializer | serializers.ListField):
            items = enumerate(value) if isinstance(value, list | tuple) else ()
        else:
            items = [(None, value)]
        for index, item in items:
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
    for name, field in serializer.fields.items():
        if name not in data or field.read_only:
            continue
        value = data[name]
        child = _nested(field)
        if isinstance(field, serializers.ListSerializer | serializers.ListField | serializers.DictField):
            if isinstance(field, serializers.DictField):
                items = value.items() if isinstance(value, Mapping) else ()
            else:
                items = enumerate(value) if isinstance(value, list | tuple) else ()
            for index, item in items:
                if child is not None:
                    yield from _text_values(child, item, (*path, name, index))
                elif isinstance(field.child, serializers.CharField):
                    yield (*path, name, index), item
        elif child is not None:
            yield from _text_values(child, value, (*path, name))
        elif isinstance(field, serializers.CharField):
            yield (*path, name), value


def control_character_param(serializer: serializers.Serializer, data) -> tuple[tuple, str] | None:
    """Return (path, message) of the first text value of `data` holding a control character, or None."""
    for path, value in _text_values(serializer, data):
        if isinstance(value, str):
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
