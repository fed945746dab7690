"""PORTOS /stocktransfernumberings: a thin adapter over numbering's sequence services (docs/dialects.md)."""

from contextlib import contextmanager

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from dialects.portos import ndata
from dialects.portos.mapping import (
    ID_PATTERN,
    create_arguments,
    numbering_parse,
    numbering_render,
    period_length,
    portos_error,
    update_arguments,
)
from erp.api.base import FolioAPIView, actor_of
from erp.api.errors import envelope
from erp.exceptions import Conflict, FolioError, InvalidInput, NotFound
from numbering import selectors
from numbering.models import STOCK_TRANSFER_TYPES, Sequence, new_portos_id
from numbering.services import sequence_create, sequence_delete, sequence_update

FILTERS = {
    "id": ndata.TextFilter("portos_id", ID_PATTERN, "24 lowercase hexadecimal characters"),
    "isActive": ndata.ChoiceFilter(
        "status", (("false", Sequence.Status.INACTIVE), ("true", Sequence.Status.ACTIVE))
    ),
    # Declaration order, as an enum compares: Outcome < Transfer < Correction < Invoice.
    "type": ndata.ChoiceFilter("stock_transfer_type", tuple((t, t) for t in STOCK_TRANSFER_TYPES)),
}
# A numbering with no type sorts before Outcome; the types in declaration order, as the filter compares.
TYPE_ORDER = {"": 0, **{t: i for i, t in enumerate(STOCK_TRANSFER_TYPES, start=1)}}
SORT_KEYS = {
    "id": lambda sequence: sequence.portos_id,
    "isActive": lambda sequence: sequence.status == Sequence.Status.ACTIVE,
    "type": lambda sequence: TYPE_ORDER[sequence.stock_transfer_type],
    "format": lambda sequence: sequence.effective_format,
    "repeat": lambda sequence: period_length(sequence) is not None,
    "_v": lambda sequence: sequence.version,
}
# Without $sort: by type, then id (the order of the contract's list sample).
DEFAULT_SORT = (("type", False),)


@contextmanager
def portos_errors():
    """Report service errors with PORTOS field names."""
    try:
        yield
    except FolioError as error:
        raise portos_error(error) from None


@extend_schema(exclude=True)  # documented in docs/dialects.md; the OpenAPI schema is the native API's
class PortosView(FolioAPIView):
    """Bearer API keys with the numbering scopes, like the native sequences."""

    required_scopes = {"read": "numbering:read", "write": "numbering:write"}
    query_params: frozenset = frozenset()
    # The documented shapes stay as they are: no `livemode` (a test key still sees only test data).
    marks_livemode = False

    def allowed_query_params(self) -> set[str]:
        """Return the query parameters this view reads (any other is a 400)."""
        return set(self.query_params)

    def sequences(self):
        return selectors.sequences_for_entity(entity=self.entity)

    def rendered(self, sequence: Sequence) -> dict:
        """Render a sequence re-read with its periods (the services may have added some)."""
        return numbering_render(self.sequences().prefetch_related("periods").get(pk=sequence.pk))

    def find(self, portos_id: str) -> Sequence | None:
        return (
            self.sequences().filter(portos_id=portos_id).first() if ID_PATTERN.fullmatch(portos_id) else None
        )

    def get_or_404(self, portos_id: str) -> Sequence:
        sequence = self.find(portos_id)
        if sequence is None:
            raise NotFound(f"No stock transfer numbering {portos_id!r}.", param="id")
        return sequence


class StockTransferNumberingsView(PortosView):
    """GET: the NData list; POST: create one (201)."""

    query_params = frozenset({*FILTERS, *ndata.PAGING_PARAMS})

    def get(self, request):
        query = ndata.query_parse(request.query_params, filters=FILTERS, sort_keys=SORT_KEYS)
        # Filters run in the database; the sort keys (the effective format is the renderer's) in Python,
        # over the entity's matching sequences, always ending on the unique id.
        rows = ndata.sort_rows(
            list(self.sequences().filter(query.where)),
            query.sort or DEFAULT_SORT,
            keys=SORT_KEYS,
            unique=SORT_KEYS["id"],
        )
        end = None if query.take is None else query.skip + query.take
        page = rows[query.skip : end]
        if query.count_only:
            return Response({"count": len(page), "totalCount": len(rows)})
        ids = [sequence.pk for sequence in page]
        loaded = self.sequences().filter(pk__in=ids).prefetch_related("periods").in_bulk()
        items = [numbering_render(loaded[pk]) for pk in ids]
        return Response({"items": items, "count": len(items), "totalCount": len(rows)})

    def post(self, request):
        numbering = numbering_parse(request.data)
        portos_id = numbering.id or new_portos_id()
        with transaction.atomic(), portos_errors():
            if self.find(portos_id) is not None:
                raise Conflict(
                    f"A stock transfer numbering with id {portos_id} already exists; PUT replaces it.",
                    code="portos_id_taken",
                    param="id",
                )
            sequence = sequence_create(
                entity=self.entity, actor=actor_of(request), **create_arguments(numbering, portos_id)
            )
            return Response(self.rendered(sequence), status=status.HTTP_201_CREATED)


class StockTransferNumberingView(PortosView):
    """GET one; PUT creates (201) or replaces (200); DELETE answers with what it deleted (200)."""

    def get(self, request, portos_id: str):
        return Response(self.rendered(self.get_or_404(portos_id)))

    def put(self, request, portos_id: str):
        if not ID_PATTERN.fullmatch(portos_id):
            raise InvalidInput(
                "The id in the path must be 24 lowercase hexadecimal characters.",
                code="invalid_portos_id",
                param="id",
            )
        numbering = numbering_parse(request.data, path_id=portos_id)
        with transaction.atomic(), portos_errors():
            sequence = self.find(portos_id)
            if sequence is None:
                sequence = sequence_create(
                    entity=self.entity, actor=actor_of(request), **create_arguments(numbering, portos_id)
                )
                return Response(self.rendered(sequence), status=status.HTTP_201_CREATED)
            sequence = sequence_update(
                sequence=sequence, actor=actor_of(request), **update_arguments(numbering, sequence)
            )
            return Response(self.rendered(sequence))

    def delete(self, request, portos_id: str):
        with transaction.atomic(), portos_errors():
            sequence = self.get_or_404(portos_id)
            deleted = self.rendered(sequence)
            sequence_delete(sequence=sequence)
        return Response(deleted)


@csrf_exempt
def portos_not_found(request, *args, **kwargs):
    """Any other /portos/ path: the native 404 envelope (bearer keys, never cookies: no CSRF page)."""
    return JsonResponse(
        envelope({"type": "not_found", "code": "not_found", "message": "No such PORTOS endpoint."}),
        status=status.HTTP_404_NOT_FOUND,
    )
