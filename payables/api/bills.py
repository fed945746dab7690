"""Vendor bills API: /v1/vendor-bills create, list, retrieve, void (scope purchasing:read|write)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from erp.api.serializers import InputSerializer
from ledger.documents import api as kit
from payables import selectors
from payables.models import VendorBill, VendorBillLine
from payables.services import vendor_bill_create, vendor_bill_void


class VendorBillInputSerializer(InputSerializer):
    vendor_id = serializers.UUIDField()
    bill_date = serializers.DateField()
    due_date = serializers.DateField(required=False, allow_null=True)
    vendor_reference = kit.TextField(required=False, allow_blank=True, max_length=200)
    lines = kit.LineInputSerializer(many=True, help_text="1–200 lines.")


class VendorBillLineSerializer(serializers.ModelSerializer):
    quantity = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True)
    unit_price = kit.money_output()
    amount = kit.money_output()

    class Meta:
        model = VendorBillLine
        fields = ["position", "description", "quantity", "unit_price", "amount"]


class VendorBillSerializer(serializers.ModelSerializer):
    object = kit.ObjectNameField("vendor_bill")
    entity_id = serializers.UUIDField(read_only=True)
    vendor_id = serializers.UUIDField(read_only=True)
    total = kit.money_output()
    balance_due = kit.money_output()
    lines = VendorBillLineSerializer(many=True, read_only=True)

    class Meta:
        model = VendorBill
        fields = [
            "id",
            "object",
            "entity_id",
            "vendor_id",
            "number",
            "bill_date",
            "due_date",
            "vendor_reference",
            "total",
            "balance_due",
            "status",
            "lines",
            *kit.VOID_AND_TIMESTAMPS,
        ]


@extend_schema_view(
    create=extend_schema(
        request=VendorBillInputSerializer,
        examples=[
            OpenApiExample(
                "Bill",
                summary="A supplier's invoice",
                value={
                    "vendor_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                    "bill_date": "2026-03-02",
                    "due_date": "2026-04-01",
                    "vendor_reference": "NW-2026-0311",
                    "lines": [{"description": "Paper, 40 reams", "quantity": 40, "unit_price": "4.25"}],
                },
                request_only=True,
            )
        ],
    )
)
class VendorBillViewSet(kit.CreateMixin, kit.PostedViewSet):
    """Vendor bills, numbered from the `vendor_bill` counter and posted DR expense / CR accounts_payable."""

    required_scopes = {"read": "purchasing:read", "write": "purchasing:write"}
    serializer_class, input_serializer_class = VendorBillSerializer, VendorBillInputSerializer
    filterset_class = kit.posted_filterset(VendorBill, "vendor", "bill_date", "status", "number")
    ordering_fields = ["bill_date", "due_date", "created_at", "total"]
    create_service, void_service = staticmethod(vendor_bill_create), staticmethod(vendor_bill_void)
    void_keyword = "bill"
    error_codes = {
        "create": kit.merged(kit.DOCUMENT_CREATE_ERRORS, {400: ["vendor_reference_too_long"]}),
        "void": kit.merged(kit.VOID_ERRORS, {422: ["document_has_payments"]}),
    }

    def get_queryset(self):
        return selectors.vendor_bills_for_entity(entity=self.entity)
