"""Base classes every Folio API view derives from: tenancy and Idempotency-Key handling."""

import json
from decimal import Decimal
from functools import partial

from rest_framework import exceptions, generics, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from erp.services.idempotency import request_fingerprint, run_idempotently, validate_idempotency_key

IDEMPOTENT_METHODS = frozenset({"POST", "PATCH", "DELETE"})

# A viewset's `lookup_value_regex` for UUID primary keys: any other path segment is a 404 at routing.
UUID_PATH = "[0-9a-fA-F-]{36}"


def actor_of(request) -> str:
    """Name an API caller for ledgers and audit trails: the key's visible prefix, never its secret."""
    return f"api_key:{request.auth.prefix}"


class FolioAPIMixin:
    """Tenancy helpers and Idempotency-Key support for POST/PATCH/DELETE."""

    required_scopes: dict[str, str] | None = None

    @property
    def entity(self):
        """Return the caller's entity (every query filters by it)."""
        if getattr(self, "swagger_fake_view", False):
            # Schema generation has no caller: querysets filtered by no entity still name their model.
            return None
        return self.request.auth.entity

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, scopes, throttles
        key = request.headers.get("Idempotency-Key")
        if key is not None and request.method in IDEMPOTENT_METHODS:
            validate_idempotency_key(key)
            # DRF looks the handler up after initial(); wrapping it here keeps the stored outcome
            # and the business writes in one transaction without copying DRF's dispatch().
            method = request.method.lower()
            handler = getattr(self, method, self.http_method_not_allowed)
            setattr(self, method, partial(self._handle_idempotently, handler, key))

    def _handle_idempotently(self, handler, key, request, *args, **kwargs):
        renderer = JSONRenderer()

        def execute() -> tuple[int, str]:
            try:
                response = handler(request, *args, **kwargs)
            except Exception as exc:
                response = self.handle_exception(exc)
            body = renderer.render(response.data).decode() if response.data is not None else ""
            return response.status_code, body

        status, body, replayed = run_idempotently(
            entity=self.entity,
            key=key,
            method=request.method,
            path=request.path,
            fingerprint=request_fingerprint(method=request.method, path=request.path, payload=request.data),
            execute=execute,
        )
        return _stored_response(status, body, replayed)


def _stored_response(status: int, body: str, replayed: bool) -> Response:
    """Rebuild a response from its stored rendering, marking replays."""
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
    """For /v1/entities/{entity_id}/… paths: the path must name the key's own entity (else 403)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if str(kwargs.get("entity_id")) != str(request.auth.entity_id):
            raise exceptions.PermissionDenied(
                "This API key belongs to another entity.", code="entity_mismatch"
            )
