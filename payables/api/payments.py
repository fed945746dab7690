"""AP payments API: /v1/ap-payments pay bills with cash and vendor credit; list, retrieve, void."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from erp.api.base import FolioViewSet, actor_of
from ledger.documents.api import (
    UUID_PATH,
    ApplicationInputSerializer,
    MoneyField,
    ObjectNameField,
    TextField,
    VoidActionMixin,
    application_inputs,
    date_range_filters,
    money_output,
)
from payables import selectors
from payables.models import APPayment, APPaymentApplication, VendorCreditApplication
from payables.services import ap_payment_create, ap_payment_void


class BillApplicationInputSerializer(ApplicationInputSerializer):
    bill_id = serializers.UUIDField()

    def validate(self, attrs):
        return {"document_id": attrs["bill_id"], "amount_applied": attrs["amount_applied"]}


class APPaymentInputSerializer(serializers.Serializer):
    vendor_id = serializers.UUIDField()
    method = serializers.ChoiceField(choices=APPayment.Method.choices)
    amount = MoneyField(positive=False, help_text="The cash part (0 when vendor credit pays it all).")
    applications = BillApplicationInputSerializer(many=True, help_text="1–50 bills of the vendor.")
    vendor_credit_ids = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Credits to spend, oldest first, for the part the cash does not cover.",
    )
    payment_date = serializers.DateField(required=False, allow_null=True)
    check_number = TextField(required=False, allow_blank=True, allow_null=True, max_length=50)
    external_reference = TextField(required=False, allow_blank=True, allow_null=True, max_length=200)
    notes = TextField(required=False, allow_blank=True, allow_null=True, max_length=5000)


class ApplicationSerializer(serializers.ModelSerializer):
    bill_id = serializers.UUIDField(read_only=True)
    bill_number = serializers.CharField(source="bill.number", read_only=True)
    amount_applied = money_output()

    class Meta:
        model = APPaymentApplication
        fields = ["bill_id", "bill_number", "amount_applied"]


class CreditAppliedSerializer(serializers.ModelSerializer):
    vendor_credit_id = serializers.UUIDField(read_only=True)
    amount = money_output()

    class Meta:
        model = VendorCreditApplication
        fields = ["vendor_credit_id", "amount"]


class APPaymentSerializer(serializers.ModelSerializer):
    object = ObjectNameField("ap_payment")
    entity_id = serializers.UUIDField(read_only=True)
    vendor_id = serializers.UUIDField(read_only=True)
    amount = money_output()
    credit_amount = money_output()
    total_applied = money_output()
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
            "void_reason",
            "voided_at",
            "created_at",
            "updated_at",
        ]


class APPaymentFilter(django_filters.FilterSet):
    vendor = django_filters.UUIDFilter(field_name="vendor_id")
    payment_date_from, payment_date_to = date_range_filters("payment_date")

    class Meta:
        model = APPayment
        fields = ["vendor", "status", "method", "payment_date_from", "payment_date_to"]


class APPaymentViewSet(VoidActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """AP payments: pay one vendor's open bills with cash and that vendor's credits."""

    lookup_value_regex = UUID_PATH
    required_scopes = {"read": "purchasing:read", "write": "purchasing:write"}
    serializer_class = APPaymentSerializer
    filterset_class = APPaymentFilter
    ordering_fields = ["payment_date", "created_at", "total_applied"]
    ordering = ["-created_at"]

    void_service = staticmethod(ap_payment_void)
    void_keyword = "payment"

    def get_queryset(self):
        return selectors.ap_payments_for_entity(entity=self.entity)

    @extend_schema(request=APPaymentInputSerializer, responses={201: APPaymentSerializer})
    def create(self, request):
        body = APPaymentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data, applications=application_inputs(body.validated_data["applications"]))
        payment = ap_payment_create(entity=self.entity, created_by=actor_of(request), **data)
        return Response(self.rendered(payment), status=status.HTTP_201_CREATED)
