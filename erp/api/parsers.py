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
from django.utils.http import parse_header_parameters
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser

from erp.exceptions import RequestTooLarge

__all__ = ["MAX_JSON_DEPTH", "BoundedContentNegotiation", "FolioJSONParser", "json_depth", "max_body_bytes"]

MAX_JSON_DEPTH = 32

# A JSON string (escapes included), or an unterminated one up to the end, and the structural
# characters left once strings are removed. Atomic groups and the end-of-text alternative make it
# linear: an unterminated string is consumed once, not rescanned from every later quote (which made
# a 1 MiB body of `"` and `\"` cost minutes; found by review).
_STRING = re.compile(r'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A \uD800–\uDFFF escape: only then can the decoded body hold a lone surrogate (checked on the data).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


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
    """DRF's negotiation, refusing an oversized body first, whatever the method, type or caller.

    DRF negotiates the response's renderer at the start of every request, before authentication:
    an oversized body is refused there, unread, even by a view that never reads its body (a DELETE).
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        refuse_large_body(request)
        return super().select_renderer(request, renderers, format_suffix)

    def select_parser(self, request, parsers):
        refuse_large_body(request)
        return super().select_parser(request, parsers)


class FolioJSONParser(JSONParser):
    """JSON bodies: strict (no NaN or Infinity), at most 1 MiB, nested at most 32 deep."""

    def parse(self, stream, media_type=None, parser_context=None):
        # JSON is UTF-8 (RFC 8259); a body declared in another charset is refused, not misread.
        _, params = parse_header_parameters(media_type or "")
        charset = params.get("charset", "utf-8")
        if charset.lower().replace("-", "").replace("_", "") != "utf8":
            raise exceptions.UnsupportedMediaType(
                media_type, detail=f"JSON is UTF-8; charset {charset!r} is not."
            )
        encoding = "utf-8"
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
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
            # "\ud800" alone decodes to a string no UTF-8 database or log can hold.
            raise exceptions.ParseError("JSON holds a lone UTF-16 surrogate (\\ud800–\\udfff).")
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON.")


def _has_lone_surrogate(data) -> bool:
    """Return whether any key or string in parsed JSON holds a lone surrogate (iterative: depth ≤ 32)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False
