"""Base classes every Folio API view derives from: tenancy, query parameters and Idempotency-Key handling."""

import json
from decimal import Decimal
from functools import partial

from rest_framework import exceptions, generics, mixins, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils import encoders
from rest_framework.views import APIView

from erp.api.filters import filter_query_names
from erp.api.livemode import with_livemode
from erp.exceptions import InvalidInput
from erp.models import ApiKey
from erp.request_context import Actor, current_actor
from erp.services.idempotency import idempotency_key_of, request_fingerprint, run_idempotently
from erp.text import refuse_control_characters

IDEMPOTENT_METHODS = frozenset({"POST", "PATCH", "DELETE"})

# A viewset's `lookup_value_regex` for UUID primary keys: any other path segment is a 404 at routing.
UUID_PATH = "[0-9a-fA-F-]{36}"


def actor_of(request) -> str:
    """Name an API caller for ledgers and audit trails: the key's visible prefix, never its secret."""
    return f"api_key:{request.auth.prefix}"


class FolioAPIMixin:
    """Tenancy helpers, the query-parameter check and Idempotency-Key support for writes."""

    required_scopes: dict[str, str] | None = None
    # Native API objects say whether they are live or test data (docs/api.md, "Test mode"); the
    # dialects turn this off to keep the shapes their clients know (docs/dialects.md).
    marks_livemode = True
    # Query parameters an operation reads besides a list's filters, ordering and paging (e.g. a
    # preview's `date`). An @action may set its own: @action(..., extra_query_params={"date"}).
    extra_query_params: frozenset[str] | set[str] = frozenset()

    @property
    def entity(self):
        """Return the caller's entity (every query filters by it): a test key's is its test books."""
        if getattr(self, "swagger_fake_view", False):
            # Schema generation has no caller: querysets filtered by no entity still name their model.
            return None
        return self.request.auth.entity

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, scopes, throttles
        api_key = request.auth
        if api_key is not None:
            # Every write this request makes is the key's (the middleware resets it after the response).
            current_actor.set(Actor(type="api_key", id=str(api_key.pk), name=api_key.prefix, channel="api"))
        self.check_path(request, **kwargs)
        self.check_query_params(request)
        key = idempotency_key_of(request.headers) if request.method in IDEMPOTENT_METHODS else None
        if key is not None:
            # DRF looks the handler up after initial(); wrapping it here keeps the stored outcome
            # and the business writes in one transaction without copying DRF's dispatch().
            method = request.method.lower()
            handler = getattr(self, method, self.http_method_not_allowed)
            setattr(self, method, partial(self._handle_idempotently, handler, key))

    def check_path(self, request, **kwargs) -> None:
        """Refuse a path the caller may not use (after authentication, before anything is read)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A RenderedResponse's body was marked before it was stored; a file (a PDF) has no data.
        data = None if isinstance(response, RenderedResponse) else getattr(response, "data", None)
        if isinstance(data, dict | list):
            response.data = self._marked(request, response.status_code, data)
        return response

    def _marked(self, request, status: int, data):
        """Return response data with `livemode` on its objects where this view marks them."""
        if (
            self.marks_livemode
            and status < 400
            and isinstance(data, dict | list)
            and isinstance(request.auth, ApiKey)
        ):
            return with_livemode(data, request.auth.entity)
        return data

    def check_query_params(self, request) -> None:
        """Refuse a query parameter the operation does not define: 400 `unknown_parameter`."""
        # No filter, date or cursor means a control character, and a NUL would reach the database.
        for name, values in request.query_params.lists():
            for value in values:
                refuse_control_characters(value, param=name or "query", multiline=False)
        allowed = self.allowed_query_params()
        if allowed is None:
            return
        for name in request.query_params:
            if not name:
                raise InvalidInput("A query parameter has no name.", code="unknown_parameter")
            if name not in allowed:
                raise InvalidInput(
                    f"{name} is not a query parameter of this operation.",
                    code="unknown_parameter",
                    param=name,
                )
        # Lists check their filters, ordering and paging; an operation's own parameters are checked
        # here: given empty, DRF would read them as absent (a preview for today instead of `date`).
        for name in sorted(set(self.extra_query_params) & set(request.query_params)):
            values = request.query_params.getlist(name)
            if len(values) > 1 or not values[0].strip():
                problem = "is given more than once" if len(values) > 1 else "must not be empty"
                raise InvalidInput(f"{name} {problem}.", code="parameter_invalid", param=name)

    def allowed_query_params(self) -> set[str] | None:
        """Return the query parameters this operation defines (None: no check; a view checks its own).

        A list reads its filterset's filters, `ordering` where an ordering filter applies, and the
        paginator's `limit` and `cursor`; every operation reads `extra_query_params`.
        """
        allowed = set(self.extra_query_params)
        if not self._is_list():
            return allowed
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            allowed |= filter_query_names(filterset_class)
        for backend in getattr(self, "filter_backends", ()):
            if issubclass(backend, OrderingFilter):
                allowed.add(backend.ordering_param)
        paginator = getattr(self, "paginator", None)
        if paginator is not None:
            for attribute in ("page_size_query_param", "cursor_query_param", "page_query_param"):
                name = getattr(paginator, attribute, None)
                if name:
                    allowed.add(name)
        return allowed

    def _is_list(self) -> bool:
        """Return whether this request lists (only lists filter, order and page)."""
        action = getattr(self, "action", None)
        if isinstance(self, viewsets.ViewSetMixin):
            return action == "list"
        return isinstance(self, mixins.ListModelMixin) and self.request.method in {"GET", "HEAD"}

    def _handle_idempotently(self, handler, key, request, *args, **kwargs):
        # The body is stored as this response's JSON; sent as stored unless the client asked for
        # another rendering (e.g. an indent), which DRF then renders from the parsed body.
        as_stored = type(request.accepted_renderer) is JSONRenderer and (
            request.accepted_media_type == JSONRenderer.media_type
        )

        def execute() -> tuple[int, str]:
            try:
                response = handler(request, *args, **kwargs)
            except Exception as exc:
                response = self.handle_exception(exc)
            data = self._marked(request, response.status_code, response.data)
            return response.status_code, _RENDERER.render(data).decode() if data is not None else ""

        status, body, replayed = run_idempotently(
            entity=self.entity,
            key=key,
            method=request.method,
            path=request.path,
            fingerprint=request_fingerprint(method=request.method, path=request.path, payload=request.data),
            execute=execute,
        )
        if as_stored and not replayed:
            return RenderedResponse(body.encode(), status=status)
        return _stored_response(status, body, replayed)


class _StoredBodyEncoder(encoders.JSONEncoder):
    """DRF's JSON encoder, asked about Decimals first: a 50-invoice payment's answer holds 51 of them."""

    def default(self, obj):
        if type(obj) is Decimal:
            return float(obj)  # as DRF's encoder renders a Decimal, after its checks for rarer types
        return super().default(obj)


class _StoredBodyRenderer(JSONRenderer):
    """The JSON renderer an idempotent write's body is stored with: the same bytes as DRF's, sooner."""

    encoder_class = _StoredBodyEncoder


_RENDERER = _StoredBodyRenderer()


class RenderedResponse(Response):
    """A response whose JSON body is already rendered: an idempotent write's, sent as it was stored."""

    def __init__(self, body: bytes, status: int):
        super().__init__(None, status=status)
        self.body = body

    @property
    def data(self):
        """Return the body parsed (for code and tests that read it; the response sends the bytes)."""
        return json.loads(self.body, parse_float=Decimal) if self.body else None

    @data.setter
    def data(self, value) -> None:
        if value is not None:
            raise AttributeError("A rendered response's body cannot be replaced.")

    @property
    def rendered_content(self) -> bytes:
        if self.body:
            self["Content-Type"] = JSONRenderer.media_type
        else:  # as DRF's Response: an empty body (a 204) names no content type
            self.headers.pop("Content-Type", None)
        return self.body


def _stored_response(status: int, body: str, replayed: bool) -> Response:
    """Rebuild a response from its stored rendering, marking replays.

    A body stored before its objects were marked with `livemode` is marked on the way out
    (finalize_response); marking a marked body again changes nothing.
    """
    data = json.loads(body, parse_float=Decimal) if body else None
    if replayed and isinstance(data, dict) and "idempotent_replay" in data:
        data["idempotent_replay"] = True
    response = Response(data, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


class FolioAPIView(FolioAPIMixin, APIView):
    """A plain API view."""


class FolioGenericAPIView(FolioAPIMixin, generics.GenericAPIView):
    """A generic API view."""


class FolioViewSet(FolioAPIMixin, viewsets.GenericViewSet):
    """A viewset; compose with DRF's mixins."""


class EntityPathMixin:
    """For /v1/entities/{entity_id}/… paths: the path must name the key's own entity (else 403).

    A test key names its live entity's id too: test books have no id of their own in the API.
    """

    def check_path(self, request, **kwargs) -> None:
        super().check_path(request, **kwargs)
        if str(kwargs.get("entity_id")) != str(request.auth.entity.public_id):
            raise exceptions.PermissionDenied(
                "This API key belongs to another entity.", code="entity_mismatch"
            )
