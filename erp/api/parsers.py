"""Request bodies the API reads: JSON only, at most 1 MiB, nested at most 32 deep (docs/api.md, "Limits").

Python's JSON decoder recurses once per level, so a body of a few thousand `[` would end in a
RecursionError (a 500); the depth is measured on the text first, in linear time and without recursion.
A body over the limit is refused before its media type is looked at, so a large form body is a 413
too, not a 415.
"""

import json
import re
from itertools import accumulate

from django.conf import settings
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser

from erp.exceptions import RequestTooLarge

__all__ = ["MAX_JSON_DEPTH", "BoundedContentNegotiation", "FolioJSONParser", "json_depth", "max_body_bytes"]

MAX_JSON_DEPTH = 32

# A JSON string (escapes included) and the structural characters left once strings are removed.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def max_body_bytes() -> int:
    """Return the largest body the API reads (Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 1 MiB in settings)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def json_depth(text: str) -> int:
    """Return how deeply arrays and objects nest in JSON `text` (0 for a scalar), without parsing it."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(_STEP[char] for char in brackets))


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def refuse_large_body(request) -> None:
    """Raise 413 `request_too_large` when the declared body is over the limit."""
    limit = max_body_bytes()
    if _content_length(request) > limit:
        raise RequestTooLarge(f"The request body is larger than {limit} bytes.")


class BoundedContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, refusing an oversized body before choosing a parser (else it would be a 415)."""

    def select_parser(self, request, parsers):
        refuse_large_body(request)
        return super().select_parser(request, parsers)


class FolioJSONParser(JSONParser):
    """JSON bodies: strict (no NaN or Infinity), at most 1 MiB, nested at most 32 deep."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        limit = max_body_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            raise exceptions.ParseError(f"The request body is not valid {encoding} text.") from None
        if json_depth(text) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON.")
