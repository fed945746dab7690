"""The one renderer: format strings, the structured layout converted to one, alpha numbers.

A format string is literal text plus tokens: {yyyy} {yy} {MM} {dd} (the document's date), {fy} (its
fiscal year, named by the calendar year it ends in), {iN} (the number, padded to N, 1–16) and {n}
(the number, unpadded). `{{` and `}}` are literal braces. Padding sets a minimum width and never
truncates. Alpha numbers are letters counting like an odometer whose zero digit is `a`: value 1 is
"a", 26 is "z", 27 is "ba"; padding prepends a's, exactly as zero padding prepends zeros.
"""

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from erp.exceptions import InvalidInput

MAX_FIXED_LENGTH = 16
DATE_TOKENS = ("yyyy", "yy", "MM", "dd", "fy")
_PIECE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_PADDED = re.compile(r"i(\d{1,2})")
_ALPHA = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Token:
    """A token of a parsed format: a date part, or the number with its padding width."""

    name: str  # one of DATE_TOKENS, or "number"
    width: int | None = None


@lru_cache(maxsize=512)
def format_parse(fmt: str, *, param: str = "format") -> tuple:
    """Return the format as a tuple of literal strings and Tokens, rejecting malformed ones."""
    parts: list = []
    literal = []
    position = 0
    numbers = 0
    for match in _PIECE.finditer(fmt):
        literal.append(fmt[position : match.start()])
        position = match.end()
        piece = match.group(0)
        if piece in ("{{", "}}"):
            literal.append(piece[0])
            continue
        name = match.group(1)
        if name is None:
            raise InvalidInput(
                f"Unbalanced brace at position {match.start()} of the format; write {{{{ or }}}} "
                "for a literal brace.",
                code="unknown_format_token",
                param=param,
            )
        token = _token(name, param=param)
        numbers += token.name == "number"
        if "".join(literal):
            parts.append("".join(literal))
        literal = []
        parts.append(token)
    literal.append(fmt[position:])
    if "".join(literal):
        parts.append("".join(literal))
    if numbers == 0:
        raise InvalidInput(
            "The format has no number token: add {n} or {iN} (e.g. {i5}).",
            code="format_missing_number",
            param=param,
        )
    if numbers > 1:
        raise InvalidInput(
            "The format has more than one number token; use exactly one {n} or {iN}.",
            code="format_multiple_numbers",
            param=param,
        )
    return tuple(parts)


def _token(name: str, *, param: str) -> Token:
    if name in DATE_TOKENS:
        return Token(name)
    if name == "n":
        return Token("number")
    padded = _PADDED.fullmatch(name)
    if padded and 1 <= int(padded.group(1)) <= MAX_FIXED_LENGTH:
        return Token("number", int(padded.group(1)))
    raise InvalidInput(
        f"Unknown format token {{{name}}}. Known tokens: {{yyyy}} {{yy}} {{MM}} {{dd}} {{fy}} "
        f"{{iN}} (N 1–{MAX_FIXED_LENGTH}) and {{n}}.",
        code="unknown_format_token",
        param=param,
    )


def format_tokens(fmt: str) -> set[str]:
    """Return the names of the date tokens a valid format uses."""
    return {part.name for part in format_parse(fmt) if isinstance(part, Token)} - {"number"}


def layout_format(
    *,
    fixed_prefix: str = "",
    prefix_separator: str = "",
    fixed_suffix: str = "",
    suffix_separator: str = "",
    fixed_length: int | None = None,
    fiscal_year_affix: str = "none",
    fiscal_year_separator: str = "",
) -> str:
    """Return the format string exactly equivalent to a structured (Intacct) layout.

    [{fy}<fy sep>][<prefix><prefix sep>]<number>[<suffix sep><suffix>][<fy sep>{fy}]: each
    separator appears only next to its non-empty prefix/suffix or fiscal-year affix; the number is
    {iN} with N = fixed_length, or {n} without a fixed length.
    """
    number = f"{{i{fixed_length}}}" if fixed_length else "{n}"
    text = ""
    if fiscal_year_affix == "prefix":
        text += "{fy}" + _escape(fiscal_year_separator)
    if fixed_prefix:
        text += _escape(fixed_prefix) + _escape(prefix_separator)
    text += number
    if fixed_suffix:
        text += _escape(suffix_separator) + _escape(fixed_suffix)
    if fiscal_year_affix == "suffix":
        text += _escape(fiscal_year_separator) + "{fy}"
    return text


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def fiscal_year_of(on: datetime.date, *, start_month: int) -> int:
    """Return the fiscal year of a date, named by the calendar year the fiscal year ends in."""
    if start_month == 1 or on.month < start_month:
        return on.year
    return on.year + 1


def alpha_from_value(value: int) -> str:
    """Return the letters of an alpha value (1 → "a", 26 → "z", 27 → "ba")."""
    if value < 1:
        raise ValueError("alpha values start at 1")
    rest, letters = value - 1, []
    while True:
        rest, digit = divmod(rest, 26)
        letters.append(chr(97 + digit))
        if rest == 0:
            return "".join(reversed(letters))


def alpha_to_value(text: str) -> int:
    """Return the value of alpha letters; leading a's are zeros ("aab" == "b" == 2)."""
    if not _ALPHA.fullmatch(text):
        raise ValueError("alpha sequences are lowercase letters a–z")
    rest = 0
    for letter in text:
        rest = rest * 26 + ord(letter) - 97
    return rest + 1


def is_alpha_text(text: str) -> bool:
    """Return whether text is a valid alpha sequence value."""
    return bool(_ALPHA.fullmatch(text))


def value_text(value: int, *, width: int | None, alpha: bool) -> str:
    """Return the number part: digits or letters, padded to at least `width` (never truncated)."""
    text = alpha_from_value(value) if alpha else str(value)
    if width and len(text) < width:
        text = ("a" if alpha else "0") * (width - len(text)) + text
    return text


@dataclass(frozen=True)
class Template:
    """A format resolved for one date: the text around the number and how to write the number."""

    head: str
    tail: str
    width: int | None
    alpha: bool

    def render(self, value: int) -> str:
        """Return the rendered number for a value."""
        return self.head + value_text(value, width=self.width, alpha=self.alpha) + self.tail


def format_template(fmt: str, *, on: datetime.date, fiscal_year_start_month: int, alpha: bool) -> Template:
    """Resolve a format's date tokens for a document date, leaving the number open."""
    head, tail, width, seen_number = [], [], None, False
    for part in format_parse(fmt):
        if isinstance(part, Token) and part.name == "number":
            seen_number, width = True, part.width
            continue
        text = part if isinstance(part, str) else _date_text(part.name, on, fiscal_year_start_month)
        (tail if seen_number else head).append(text)
    return Template("".join(head), "".join(tail), width, alpha)


def render(
    fmt: str, *, value: int, on: datetime.date, fiscal_year_start_month: int, alpha: bool = False
) -> str:
    """Return the number a format renders for a value on a document date."""
    template = format_template(fmt, on=on, fiscal_year_start_month=fiscal_year_start_month, alpha=alpha)
    return template.render(value)


def _date_text(name: str, on: datetime.date, fiscal_year_start_month: int) -> str:
    if name == "yyyy":
        return f"{on.year:04d}"
    if name == "yy":
        return f"{on.year % 100:02d}"
    if name == "MM":
        return f"{on.month:02d}"
    if name == "dd":
        return f"{on.day:02d}"
    return f"{fiscal_year_of(on, start_month=fiscal_year_start_month):04d}"


def date_key(tokens: set[str], on: datetime.date, *, fiscal_year_start_month: int) -> tuple:
    """Return what a format's date tokens reveal about a date (two-digit years count as years)."""
    return (
        on.year if tokens & {"yyyy", "yy"} else None,
        on.month if "MM" in tokens else None,
        on.day if "dd" in tokens else None,
        fiscal_year_of(on, start_month=fiscal_year_start_month) if "fy" in tokens else None,
    )
