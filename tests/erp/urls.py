"""Test-only routes: a probe endpoint that writes through a service, then may hold or fail on demand."""

import threading
from decimal import Decimal

from django.urls import path
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from erp.api.base import FolioAPIView, FolioViewSet
from erp.exceptions import RuleViolation
from erp.services.api_keys import api_key_create
from erp.urls import urlpatterns as product_urlpatterns

WAIT = 60  # seconds: a bound on a held request, never a timing assumption


class Gate:
    """Holds a probe request mid-write (its transaction and locks open) until the test releases it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def reset(self) -> None:
        """Close the gate for the next test."""
        self.entered.clear()
        self.release.clear()

    def hold(self) -> None:
        """Say the write is under way, then wait for the release (bounded, so a failed test ends)."""
        self.entered.set()
        if not self.release.wait(WAIT):
            raise RuntimeError("the probe gate was never released")


PROBE_GATE = Gate()


class ProbeWriteView(FolioAPIView):
    """Creates one API key named by the body (a countable write), then behaves as asked."""

    required_scopes = {"read": "numbering:read", "write": "numbering:write"}

    def post(self, request):
        api_key, _ = api_key_create(entity=self.entity, scopes=["numbering:read"], name=request.data["name"])
        if request.data.get("hold"):
            PROBE_GATE.hold()
        if request.data.get("explode"):
            raise RuntimeError("simulated crash with SELECT secret FROM table")
        if request.data.get("reject"):
            raise RuleViolation("Rejected on purpose.", code="probe_rejected", param="reject")
        body = {"id": str(api_key.id), "amount": Decimal("12.50"), "idempotent_replay": False}
        return Response(body, status=201)


class ProbeQueryViewSet(FolioViewSet):
    """Echoes its query: an action declares its own parameters with @action(extra_query_params=...)."""

    required_scopes = {"read": "numbering:read"}

    def list(self, request):
        return Response({"query": request.query_params})

    @action(detail=False, methods=["get"], extra_query_params={"on"})
    def dated(self, request):
        return Response({"on": request.query_params["on"]})


router = SimpleRouter(trailing_slash=False)
router.register("v1/probe-queries", ProbeQueryViewSet, basename="probe-query")

urlpatterns = [path("v1/probe-writes", ProbeWriteView.as_view()), *router.urls, *product_urlpatterns]
