"""GET /v1/ledger/verification: recompute the caller entity's hash chains (audit:read; docs/audit.md)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from erp.api.base import FolioAPIView
from ledger.proof.verification import ledger_verify

VERIFICATION_RESPONSE = inline_serializer(
    "LedgerVerification",
    {
        "ok": serializers.BooleanField(),
        "checked": serializers.IntegerField(help_text="Chained records recomputed."),
        "breaks": inline_serializer(
            "LedgerBreak",
            {
                "chain": serializers.CharField(
                    help_text='"journal:<entity id>", "sequence:<id>" or "activity:<entity id>".'
                ),
                "record_type": serializers.ChoiceField(
                    ["number", "void", "counter_event", "journal_entry", "activity"]
                ),
                "record_id": serializers.CharField(),
                "reason": serializers.CharField(),
                "position": serializers.IntegerField(allow_null=True),
                "message": serializers.CharField(),
            },
            many=True,
        ),
    },
)


class LedgerVerificationView(FolioAPIView):
    """Recompute every hash chain of the entity and compare the heads with their signed checkpoints."""

    required_scopes = {"read": "audit:read"}

    @extend_schema(responses=VERIFICATION_RESPONSE, operation_id="ledger_verification_retrieve")
    def get(self, request):
        return Response(ledger_verify(entity=self.entity))
