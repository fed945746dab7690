"""The list envelope: {"object": "list", "data", "has_more", "next_cursor"} with cursor paging."""

from urllib.parse import parse_qs, urlparse

from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class ListCursorPagination(CursorPagination):
    """Cursor paging with `limit` (default 20, max 100) and `cursor`."""

    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 100
    cursor_query_param = "cursor"
    ordering = "-created_at"

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
