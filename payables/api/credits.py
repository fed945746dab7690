"""Vendor credits API: /v1/vendor-credits issue, list, retrieve, void.

Single credits answer as `{"data": {...}}`, as the contract in docs/contracts.md shows them.
"""

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from erp.api.base import actor_of
from erp.api.serializers import InputSerializer
from ledger.documents import api as kit
from payables import selectors
from payables.models import VendorCredit
from payables.services import vendor_credit_issue, vendor_credit_void


class VendorCreditInputSerializer(InputSerializer):
    vendor_id = serializers.UUIDField(help_text="Vendor account id")
    amount = kit.MoneyField(help_text="Positive amount being credited")
    reason = kit.TextField(required=False, allow_null=True, allow_blank=True, max_length=500)
    source_type = serializers.ChoiceField(
        choices=VendorCredit.SourceType.choices, required=False, default=VendorCredit.SourceType.MANUAL
    )
    source_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Linked vendor_return or vendor_bill id (used for idempotency)",
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Future date; defaults to entity setting (null = never expire)",
    )
    notes = kit.TextField(required=False, allow_null=True, allow_blank=True, max_length=5000)


class VendorCreditSerializer(serializers.ModelSerializer):
    entity_id = serializers.UUIDField(read_only=True)
    vendor_id = serializers.UUIDField(read_only=True)
    amount = kit.money_output()
    remaining_amount = kit.money_output()

    class Meta:
        model = VendorCredit
        fields = [
            "id",
            "entity_id",
            "vendor_id",
            "credit_number",
            "amount",
            "remaining_amount",
            "source_type",
            "source_id",
            "status",
            "expires_at",
            "created_at",
            "updated_at",
        ]


VendorCreditResponse = inline_serializer("VendorCreditResponse", {"data": VendorCreditSerializer()})


class VendorCreditFilter(django_filters.FilterSet):
    vendor = django_filters.UUIDFilter(field_name="vendor_id")

    class Meta:
        model = VendorCredit
        fields = ["vendor", "status", "source_type"]


@extend_schema_view(void=extend_schema(responses=VendorCreditResponse))
class VendorCreditViewSet(kit.PostedViewSet):
    """Vendor credits: DR vendor_returns_receivable / CR vendor_credits, spent through /v1/ap-payments."""

    required_scopes = {"read": "purchasing:read", "write": "purchasing:write"}
    serializer_class = VendorCreditSerializer
    filterset_class = VendorCreditFilter
    ordering_fields = ["created_at", "expires_at", "amount"]
    void_service = staticmethod(vendor_credit_void)
    void_keyword = "credit"
    error_codes = {
        "create": {
            400: [
                "invalid_choice",
                "amount_not_positive",
                "too_many_decimal_places",
                "amount_too_large",
                "reason_too_long",
                "notes_too_long",
            ],
            404: ["resource_missing"],
            409: ["source_already_credited"],
            422: ["expires_at_not_in_future"],
        },
        "void": kit.merged(kit.VOID_ERRORS, {422: ["vendor_credit_in_use", "vendor_credit_expired"]}),
    }

    def get_queryset(self):
        return selectors.vendor_credits_for_entity(entity=self.entity)

    @extend_schema(
        request=VendorCreditInputSerializer,
        responses={201: VendorCreditResponse, 200: VendorCreditResponse},
        description="Issue a vendor credit. A repeat with the same source_type and source_id returns the "
        "credit already issued for it (200) instead of a second one (201).",
        examples=[
            OpenApiExample(
                "Return",
                summary="A credit for returned goods",
                value={
                    "vendor_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                    "amount": "125.00",
                    "reason": "12 damaged units returned",
                    "source_type": "vendor_return",
                    "source_id": "7d1f7e0a-2c1b-4f9e-9d0a-1b2c3d4e5f60",
                    "expires_at": "2026-12-31T23:59:59Z",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request):
        body = VendorCreditInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        # Omitted expires_at takes the entity's default; an explicit null means never.
        fields.setdefault("expires_at", ...)
        credit, created = vendor_credit_issue(entity=self.entity, created_by=actor_of(request), **fields)
        return Response(
            {"data": VendorCreditSerializer(credit).data},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses=VendorCreditResponse)
    def retrieve(self, request, pk=None):
        return Response({"data": VendorCreditSerializer(self.get_object()).data})

    def rendered(self, row) -> dict:
        return {"data": VendorCreditSerializer(row).data}
