"""Text every channel (API, admin, commands, CSV) refuses: NUL and other control characters.

C0 controls (U+0000–U+001F) and DEL (U+007F) have no place in a name, a prefix or a reference: they
break CSV exports, terminals and logs, and PostgreSQL cannot store NUL at all. A field that allows
multi-line text (notes, descriptions, reasons) keeps tab, line feed and carriage return.
"""

import re

from erp.exceptions import InvalidInput

__all__ = ["MULTILINE_FIELDS", "control_character", "refuse_control_characters"]

_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Text fields that are multi-line wherever they appear (the last part of a `param`).
MULTILINE_FIELDS = frozenset({"notes", "description", "reason", "void_reason", "memo", "bill_to"})


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """Return the first control character of `value` a field refuses, or None."""
    found = (_MULTILINE if multiline else _SINGLE_LINE).search(value)
    return found.group() if found else None


def refuse_control_characters(value: str, *, param: str, multiline: bool | None = None) -> str:
    """Return `value`, or raise 400 `parameter_invalid` naming `param` if it holds a control character.

    `multiline` None: decided by the field's name (MULTILINE_FIELDS).
    """
    if multiline is None:
        multiline = param.rsplit(".", 1)[-1] in MULTILINE_FIELDS
    char = control_character(value, multiline=multiline)
    if char is not None:
        what = "a NUL character" if char == "\x00" else f"a control character (U+{ord(char):04X})"
        raise InvalidInput(f"{param} contains {what}.", code="parameter_invalid", param=param)
    return value
