"""The Intacct endpoints: document-sequence CRUD and the query service, each calling numbering."""

import re

from rest_framework import status
from rest_framework.response import Response

from erp.api.base import FolioAPIView, actor_of
from erp.exceptions import NotFound
from numbering import selectors
from numbering.services import sequence_create, sequence_delete, sequence_update

from .errors import ia_exception_handler
from .fields import create_arguments, reference_of, sequence_representation, update_arguments
from .query import query_run

LIST_SIZE = 100
# A write answers as Intacct's API does: one object, one success (docs/dialects.md, "Operations").
WRITE_META = {"totalCount": 1, "totalSuccess": 1, "totalError": 0}
KEY_PATTERN = re.compile(r"[0-9]{1,18}")  # every key fits a bigint


class IntacctView(FolioAPIView):
    """Bearer keys and numbering scopes as the native API; errors in Intacct's shape; no query parameters."""

    required_scopes = {"read": "numbering:read", "write": "numbering:write"}
    schema = None  # documented in docs/dialects.md, not in the native /v1 OpenAPI schema
    # The documented shapes stay as they are: no `livemode` (a test key still sees only test data).
    marks_livemode = False

    def get_exception_handler(self):
        return ia_exception_handler

    def allowed_query_params(self) -> set[str]:
        """Return the query parameters these operations define: none."""
        return set()

    def sequence(self, key: str):
        """Return the caller's sequence with this key (any status); another entity's is a 404."""
        sequence = None
        if KEY_PATTERN.fullmatch(key):  # ASCII digits only: "²" or "١١" is not a key (nor a 500)
            sequence = (
                selectors.sequences_for_entity(entity=self.entity)
                .filter(key=int(key))
                .prefetch_related("periods")
                .first()
            )
        if sequence is None:
            raise NotFound(f"No document sequence has key {key}.", code="resource_missing", param="key")
        return sequence


class DocumentSequenceListView(IntacctView):
    """GET: up to 100 active sequences as {key, id, href}; POST: create one."""

    def get(self, request):
        active = selectors.sequences_for_entity(entity=self.entity).filter(status="active").order_by("key")
        total = active.count()
        return Response(
            {
                "ia::result": [reference_of(sequence) for sequence in active[:LIST_SIZE]],
                "ia::meta": {
                    "totalCount": total,
                    "start": 1,
                    "pageSize": LIST_SIZE,
                    "next": LIST_SIZE + 1 if total > LIST_SIZE else None,
                    "previous": None,
                },
            }
        )

    def post(self, request):
        arguments = create_arguments(request.data)
        sequence = sequence_create(entity=self.entity, actor=actor_of(request), **arguments)
        return Response(
            {"ia::result": reference_of(sequence), "ia::meta": WRITE_META}, status=status.HTTP_201_CREATED
        )


class DocumentSequenceDetailView(IntacctView):
    """GET every field of one sequence; PATCH the fields given; DELETE one that never issued a number."""

    def get(self, request, key: str):
        return Response({"ia::result": sequence_representation(self.sequence(key)), "ia::meta": WRITE_META})

    def patch(self, request, key: str):
        sequence = self.sequence(key)
        arguments = update_arguments(request.data, sequence=sequence)
        # A nextNumber given here is a counter advance whose recorded reason names this call.
        sequence = sequence_update(
            sequence=sequence, actor=actor_of(request), reason=f"PATCH {request.path}", **arguments
        )
        return Response({"ia::result": reference_of(sequence), "ia::meta": WRITE_META})

    def delete(self, request, key: str):
        sequence_delete(sequence=self.sequence(key))
        return Response(status=status.HTTP_204_NO_CONTENT)


class QueryView(IntacctView):
    """POST /services/core/query: a read, so numbering:read suffices."""

    required_scopes = {"read": "numbering:read", "write": "numbering:read"}

    def post(self, request):
        return Response(query_run(request.data, entity=self.entity))
