"""The list envelope: {"object": "list", "data", "has_more", "next_cursor"} with cursor paging.

`limit` and `cursor` are checked, not guessed at: DRF falls back to the default page size for a bad
`limit` and answers 404 to a bad `cursor`; Folio answers 400 `parameter_invalid` naming the parameter.
"""

import datetime
from urllib.parse import parse_qs, urlparse

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from erp.exceptions import InvalidInput

# PostgreSQL refuses UTC offsets Python accepts (beyond ±15:59).
_MAX_UTC_OFFSET = datetime.timedelta(hours=16)


class ListCursorPagination(CursorPagination):
    """Cursor paging with `limit` (default 20, max 100) and `cursor`."""

    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 100
    cursor_query_param = "cursor"
    ordering = "-created_at"

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        text = single(values, self.page_size_query_param)
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= self.max_page_size):
            raise InvalidInput(
                f"{self.page_size_query_param} must be an integer from 1 to {self.max_page_size}.",
                code="parameter_invalid",
                param=self.page_size_query_param,
            )
        return int(text)

    def decode_cursor(self, request):
        values = request.query_params.getlist(self.cursor_query_param)
        if values and not single(values, self.cursor_query_param):
            raise invalid_cursor()  # DRF would read an empty cursor as the first page
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise invalid_cursor() from None

    def paginate_queryset(self, queryset, request, view=None):
        cursor = self.decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            ordering = self.get_ordering(request, queryset, view)
            position_check(queryset.model, ordering[0].lstrip("-"), cursor.position)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "object": "list",
                "data": data,
                "has_more": self.has_next,
                "next_cursor": self._cursor_from(self.get_next_link()),
            }
        )

    def _cursor_from(self, link: str | None) -> str | None:
        """Return just the opaque cursor of a next-page link."""
        if not link:
            return None
        values = parse_qs(urlparse(link).query).get(self.cursor_query_param)
        return values[0] if values else None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(
                    {"minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
                )
                parameter["description"] = (
                    f"Items per page, 1–{self.max_page_size} (default {self.page_size})."
                )
            elif parameter["name"] == self.cursor_query_param:
                parameter["schema"]["minLength"] = 1
                parameter["description"] = "The previous page's next_cursor."
        return parameters

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["object", "data", "has_more"],
            "properties": {
                "object": {"type": "string", "enum": ["list"]},
                "data": schema,
                "has_more": {"type": "boolean"},
                "next_cursor": {"type": "string", "nullable": True},
            },
        }


def single(values: list[str], name: str) -> str:
    """Return a query parameter's one value; given twice, it is refused (which one would count?)."""
    if len(values) > 1:
        raise InvalidInput(f"{name} is given more than once.", code="parameter_invalid", param=name)
    return values[0]


def invalid_cursor() -> InvalidInput:
    """Return the error of a cursor this API did not hand out."""
    return InvalidInput(
        "cursor is not a next_cursor this list returned.", code="parameter_invalid", param="cursor"
    )


def position_check(model, field_name: str, position: str) -> None:
    """Refuse a cursor whose position the ordering field cannot hold (it came from no page of ours)."""
    if "\x00" in position:
        raise invalid_cursor()  # PostgreSQL text cannot hold NUL
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return  # an annotation: the database compares it
    try:
        value = field.to_python(position)
    except (DjangoValidationError, ValueError, TypeError, OverflowError):
        raise invalid_cursor() from None
    offset = value.utcoffset() if isinstance(value, datetime.datetime) else None
    if offset is not None and abs(offset) >= _MAX_UTC_OFFSET:
        raise invalid_cursor()
