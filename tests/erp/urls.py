"""Test-only routes: a probe endpoint that writes through a service, then may fail on demand."""

import time
from decimal import Decimal

from django.urls import path
from rest_framework.response import Response

from erp.api.base import FolioAPIView
from erp.exceptions import RuleViolation
from erp.services.api_keys import api_key_create
from erp.urls import urlpatterns as product_urlpatterns


class ProbeWriteView(FolioAPIView):
    """Creates one API key named by the body (a countable write), then behaves as asked."""

    required_scopes = {"read": "numbering:read", "write": "numbering:write"}

    def post(self, request):
        api_key, _ = api_key_create(entity=self.entity, scopes=["numbering:read"], name=request.data["name"])
        time.sleep(float(request.data.get("delay", 0)))
        if request.data.get("explode"):
            raise RuntimeError("simulated crash with SELECT secret FROM table")
        if request.data.get("reject"):
            raise RuleViolation("Rejected on purpose.", code="probe_rejected", param="reject")
        body = {"id": str(api_key.id), "amount": Decimal("12.50"), "idempotent_replay": False}
        return Response(body, status=201)


urlpatterns = [path("v1/probe-writes", ProbeWriteView.as_view()), *product_urlpatterns]
