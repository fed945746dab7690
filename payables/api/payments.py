"""AP payments API: /v1/ap-payments pay bills with cash and vendor credit; list, retrieve, void."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from erp.api.serializers import InputSerializer
from ledger.documents import api as kit
from payables import selectors
from payables.models import APPayment, APPaymentApplication, VendorCreditApplication
from payables.services import ap_payment_create, ap_payment_void


class BillApplicationInputSerializer(kit.ApplicationInputSerializer):
    bill_id = serializers.UUIDField()

    def validate(self, attrs):
        return {"document_id": attrs["bill_id"], "amount_applied": attrs["amount_applied"]}


class APPaymentInputSerializer(InputSerializer):
    vendor_id = serializers.UUIDField()
    method = serializers.ChoiceField(choices=APPayment.Method.choices)
    amount = kit.MoneyField(positive=False, help_text="The cash part (0 when vendor credit pays it all).")
    applications = BillApplicationInputSerializer(many=True, help_text="1–50 bills of the vendor.")
    vendor_credit_ids = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Credits to spend, oldest first, for the part the cash does not cover.",
    )
    payment_date = serializers.DateField(required=False, allow_null=True)
    check_number = kit.TextField(required=False, allow_blank=True, allow_null=True, max_length=50)
    external_reference = kit.TextField(required=False, allow_blank=True, allow_null=True, max_length=200)
    notes = kit.TextField(required=False, allow_blank=True, allow_null=True, max_length=5000)


class ApplicationSerializer(serializers.ModelSerializer):
    bill_id = serializers.UUIDField(read_only=True)
    bill_number = serializers.CharField(source="bill.number", read_only=True)
    amount_applied = kit.money_output()

    class Meta:
        model = APPaymentApplication
        fields = ["bill_id", "bill_number", "amount_applied"]


class CreditAppliedSerializer(serializers.ModelSerializer):
    vendor_credit_id = serializers.UUIDField(read_only=True)
    amount = kit.money_output()

    class Meta:
        model = VendorCreditApplication
        fields = ["vendor_credit_id", "amount"]


class APPaymentSerializer(serializers.ModelSerializer):
    object = kit.ObjectNameField("ap_payment")
    entity_id = serializers.UUIDField(read_only=True)
    vendor_id = serializers.UUIDField(read_only=True)
    amount = kit.money_output()
    credit_amount = kit.money_output()
    total_applied = kit.money_output()
    applications = ApplicationSerializer(many=True, read_only=True)
    credits_applied = CreditAppliedSerializer(source="credit_applications", many=True, read_only=True)

    class Meta:
        model = APPayment
        fields = [
            "id",
            "object",
            "entity_id",
            "vendor_id",
            "number",
            "method",
            "amount",
            "credit_amount",
            "total_applied",
            "payment_date",
            "check_number",
            "external_reference",
            "notes",
            "status",
            "applications",
            "credits_applied",
            *kit.VOID_AND_TIMESTAMPS,
        ]


@extend_schema_view(
    create=extend_schema(
        request=APPaymentInputSerializer,
        examples=[
            OpenApiExample(
                "CashAndCredit",
                summary="Cash and a vendor credit paying two bills",
                value={
                    "vendor_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                    "method": "ach",
                    "amount": "130.00",
                    "applications": [
                        {"bill_id": "7d1f7e0a-2c1b-4f9e-9d0a-1b2c3d4e5f60", "amount_applied": "100.00"},
                        {"bill_id": "8e2a8f1b-3d2c-4a0f-8e1b-2c3d4e5f6071", "amount_applied": "50.00"},
                    ],
                    "vendor_credit_ids": ["9f3b9a2c-4e3d-4b1a-9f2c-3d4e5f607182"],
                    "payment_date": "2026-03-02",
                    "external_reference": "ACH 0000123",
                },
                request_only=True,
            )
        ],
    )
)
class APPaymentViewSet(kit.CreateMixin, kit.PostedViewSet):
    """AP payments: pay one vendor's open bills with cash and that vendor's credits."""

    required_scopes = {"read": "purchasing:read", "write": "purchasing:write"}
    serializer_class, input_serializer_class = APPaymentSerializer, APPaymentInputSerializer
    filterset_class = kit.posted_filterset(APPayment, "vendor", "payment_date", "status", "method")
    ordering_fields = ["payment_date", "created_at", "total_applied"]
    create_service, void_service = staticmethod(ap_payment_create), staticmethod(ap_payment_void)
    created_row_complete = True  # ap_payment_create returns its applications and credits prefetched
    void_keyword = "payment"
    error_codes = {
        "create": kit.merged(
            kit.PAYMENT_ERRORS,
            {
                400: ["amount_negative", "too_many_vendor_credits"],
                422: [
                    "amount_exceeds_applications",
                    "insufficient_vendor_credit",
                    "duplicate_vendor_credit",
                    "vendor_credit_voided",
                    "vendor_credit_expired",
                ],
            },
        ),
        "void": kit.VOID_ERRORS,
    }

    def get_queryset(self):
        return selectors.ap_payments_for_entity(entity=self.entity)
