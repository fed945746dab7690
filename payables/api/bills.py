"""Vendor bills API: /v1/vendor-bills create (posted, or a draft), list, retrieve, void; a draft's PATCH,
DELETE and post (scope purchasing:read|write; docs/payables.md)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from erp.api.serializers import InputSerializer
from ledger.documents import api as kit
from payables import selectors
from payables.models import VendorBill, VendorBillLine
from payables.services import (
    vendor_bill_create,
    vendor_bill_delete,
    vendor_bill_post,
    vendor_bill_update,
    vendor_bill_void,
)


class VendorBillInputSerializer(InputSerializer):
    vendor_id = serializers.UUIDField()
    bill_date = serializers.DateField()
    due_date = serializers.DateField(required=False, allow_null=True)
    vendor_reference = kit.TextField(required=False, allow_blank=True, max_length=200)
    lines = kit.LineInputSerializer(many=True, help_text="1–200 lines.")
    draft = serializers.BooleanField(
        required=False, default=False, help_text="Save unnumbered and unposted; POST …/{id}/post posts it."
    )


class VendorBillUpdateSerializer(InputSerializer):
    """A draft's PATCH: the fields given change; `lines` replace all of its lines."""

    vendor_id = serializers.UUIDField(required=False)
    bill_date = serializers.DateField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    vendor_reference = kit.TextField(required=False, allow_blank=True, max_length=200)
    lines = kit.LineInputSerializer(many=True, required=False, help_text="1–200 lines, replacing all.")


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


# What a bill's header can be refused for besides every document's codes.
BILL_HEADER_ERRORS = {
    400: ["vendor_reference_too_long"],
    409: ["duplicate_vendor_reference"],
    422: ["period_locked", "date_out_of_range"],
}


@extend_schema_view(
    partial_update=extend_schema(
        request=VendorBillUpdateSerializer,
        examples=[
            OpenApiExample("Draft edit", value={"vendor_reference": "NW-2026-0312"}, request_only=True)
        ],
    ),
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
    ),
)
class VendorBillViewSet(kit.DraftMixin, kit.CreateMixin, kit.PostedViewSet):
    """Vendor bills, numbered from the `vendor_bill` counter and posted DR expense / CR accounts_payable;
    drafts edited, deleted and posted."""

    required_scopes = {"read": "purchasing:read", "write": "purchasing:write"}
    serializer_class, input_serializer_class = VendorBillSerializer, VendorBillInputSerializer
    update_input_serializer_class = VendorBillUpdateSerializer
    update_service, delete_service = staticmethod(vendor_bill_update), staticmethod(vendor_bill_delete)
    post_service, draft_keyword = staticmethod(vendor_bill_post), "bill"
    filterset_class = kit.posted_filterset(VendorBill, "vendor", "bill_date", "status", "number")
    ordering_fields = ["bill_date", "due_date", "created_at", "total"]
    create_service, void_service = staticmethod(vendor_bill_create), staticmethod(vendor_bill_void)
    created_row_complete = True  # vendor_bill_create returns its lines prefetched (document_create)
    void_keyword = "bill"
    error_codes = {
        **kit.DRAFT_ERRORS,
        "create": kit.merged(kit.DOCUMENT_CREATE_ERRORS, BILL_HEADER_ERRORS),
        "partial_update": kit.merged(
            kit.DOCUMENT_CREATE_ERRORS, BILL_HEADER_ERRORS, kit.DRAFT_ERRORS["partial_update"]
        ),
        "void": kit.merged(kit.VOID_ERRORS, {422: ["document_has_payments"]}),
    }

    def get_queryset(self):
        return selectors.vendor_bills_for_entity(entity=self.entity)
