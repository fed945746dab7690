"""The HTTP baseline (mounted only by bench/urls.py): a bare DRF view calling django-sequences.

No API key, no scopes, no Idempotency-Key, no logging: what a number over HTTP costs with DRF and
django-sequences and nothing else, measured in the same run as Folio's generate-next-value.
"""

from django.db import transaction
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from sequences import get_next_value

SEQUENCE_NAME = "bench-bare"


class BareNextValueView(APIView):
    """POST: take the next value of one django-sequences counter and answer it (201)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        with transaction.atomic():
            value = get_next_value(SEQUENCE_NAME)
        return Response({"value": value}, status=201)
