"""Receivables serializers: input shapes (validated by the services) and output shapes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from erp.api.fields import InlineEnumField
from receivables.models import Customer, Invoice, InvoiceLine, Payment, PaymentApplication, PaymentMethod


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "format": "decimal"}]})
class AmountInputField(serializers.Field):
    """A JSON number or decimal string, handed to the service unrounded (it checks the places)."""

    default_error_messages = {"invalid": "Expected an amount: a JSON number or a decimal string."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return data


class IndexedListSerializer(serializers.ListSerializer):
    """Report item errors as a list, so the envelope's param reads `applications[3].amount_applied`.

    DRF 3.18 reports them as {index: errors}, which erp.api.errors renders as `applications.3.amount_applied`.
    """

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail
            if isinstance(detail, dict) and detail and all(isinstance(key, int) for key in detail):
                raise serializers.ValidationError(
                    [detail.get(i, {}) for i in range(max(detail) + 1)]
                ) from None
            raise


def _text(**kwargs):
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, **kwargs)


class CustomerInputSerializer(serializers.Serializer):
    name = serializers.CharField(trim_whitespace=False)
    email = _text()
    external_reference = _text()


class CustomerSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    entity_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "object",
            "entity_id",
            "name",
            "email",
            "external_reference",
            "created_at",
            "updated_at",
        ]

    def get_object(self, customer) -> str:
        return "customer"


class InvoiceLineInputSerializer(serializers.Serializer):
    class Meta:
        list_serializer_class = IndexedListSerializer

    description = serializers.CharField(trim_whitespace=False)
    quantity = AmountInputField(required=False, default=1)
    unit_price = AmountInputField()


class InvoiceInputSerializer(serializers.Serializer):
    customer_id = serializers.UUIDField()
    invoice_date = serializers.DateField()
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    lines = InvoiceLineInputSerializer(many=True)
    notes = _text(default="")


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["position", "description", "quantity", "unit_price", "amount"]


class InvoiceSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()
    entity_id = serializers.UUIDField(read_only=True)
    customer_id = serializers.UUIDField(read_only=True)
    journal_entry_id = serializers.UUIDField(read_only=True)
    void_journal_entry_id = serializers.UUIDField(read_only=True, allow_null=True)
    status = InlineEnumField(Invoice.Status.choices)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "object",
            "entity_id",
            "customer_id",
            "number",
            "invoice_date",
            "due_date",
            "notes",
            "total",
            "balance_due",
            "status",
            "lines",
            "journal_entry_id",
            "void_journal_entry_id",
            "void_reason",
            "voided_at",
            "created_at",
            "updated_at",
        ]

    def get_object(self, invoice) -> str:
        return "invoice"


class ReceivableVoidSerializer(serializers.Serializer):
    reason = _text(default="")


class InvoiceApplicationInputSerializer(serializers.Serializer):
    class Meta:
        list_serializer_class = IndexedListSerializer

    order_id = serializers.UUIDField(required=False, help_text="The invoice id.")
    invoice_id = serializers.UUIDField(required=False, help_text="Alias of order_id.")
    amount_applied = AmountInputField()

    def validate(self, attrs):
        order_id, invoice_id = attrs.get("order_id"), attrs.get("invoice_id")
        if order_id is None and invoice_id is None:
            raise serializers.ValidationError(
                {
                    "order_id": serializers.ErrorDetail(
                        "order_id (or invoice_id) is required.", code="required"
                    )
                }
            )
        if order_id is not None and invoice_id is not None and order_id != invoice_id:
            raise serializers.ValidationError(
                {"invoice_id": serializers.ErrorDetail("invoice_id differs from order_id.", code="invalid")}
            )
        return {"invoice_id": order_id or invoice_id, "amount_applied": attrs["amount_applied"]}


class MultiInvoiceApplyInputSerializer(serializers.Serializer):
    account_id = serializers.UUIDField(help_text="The customer account receiving this payment.")
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = AmountInputField(help_text="Must equal the sum of applications[].amount_applied within $0.005.")
    applications = InvoiceApplicationInputSerializer(many=True, help_text="1–50 invoices.")
    check_number = _text(default="", help_text="Only with payment_method=check.")
    check_date = serializers.DateField(required=False, allow_null=True, default=None)
    external_reference = _text(default="")
    notes = _text(default="")
    payment_date = serializers.DateField(required=False, allow_null=True, default=None)


class InvoiceApplicationResultSerializer(serializers.ModelSerializer):
    """An application as the seed shows it: amount_applied is a JSON number."""

    order_id = serializers.UUIDField(source="invoice_id", read_only=True)
    amount_applied = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = PaymentApplication
        fields = ["id", "order_id", "amount_applied"]


class PaymentAppliedSerializer(serializers.ModelSerializer):
    """The seed's `data` of a multi-invoice-apply response (amounts are JSON numbers)."""

    entity_id = serializers.UUIDField(read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    journal_entry_id = serializers.UUIDField(read_only=True)
    payment_method = InlineEnumField(PaymentMethod.choices)
    status = InlineEnumField(Payment.Status.choices)
    applied_count = serializers.SerializerMethodField()
    applications = InvoiceApplicationResultSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "entity_id",
            "amount",
            "payment_method",
            "status",
            "journal_entry_id",
            "applied_count",
            "applications",
        ]

    def get_applied_count(self, payment) -> int:
        return len(payment.applications.all())


class MultiInvoiceApplyResponseSerializer(serializers.Serializer):
    data = PaymentAppliedSerializer()
    idempotent_replay = serializers.BooleanField()


class PaymentApplicationSerializer(serializers.ModelSerializer):
    order_id = serializers.UUIDField(source="invoice_id", read_only=True)

    class Meta:
        model = PaymentApplication
        fields = ["id", "order_id", "amount_applied"]


class PaymentSerializer(serializers.ModelSerializer):
    """A payment in lists and retrieves (amounts as decimal strings, like every other output)."""

    object = serializers.SerializerMethodField()
    entity_id = serializers.UUIDField(read_only=True)
    account_id = serializers.UUIDField(source="customer_id", read_only=True)
    journal_entry_id = serializers.UUIDField(read_only=True)
    journal_entry_number = serializers.CharField(source="journal_entry.number", read_only=True)
    void_journal_entry_id = serializers.UUIDField(read_only=True, allow_null=True)
    payment_method = InlineEnumField(PaymentMethod.choices)
    status = InlineEnumField(Payment.Status.choices)
    applied_count = serializers.SerializerMethodField()
    applications = PaymentApplicationSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "object",
            "entity_id",
            "account_id",
            "amount",
            "payment_method",
            "status",
            "payment_date",
            "check_number",
            "check_date",
            "external_reference",
            "notes",
            "journal_entry_id",
            "journal_entry_number",
            "void_journal_entry_id",
            "void_reason",
            "voided_at",
            "applied_count",
            "applications",
            "created_at",
        ]

    def get_object(self, payment) -> str:
        return "payment"

    def get_applied_count(self, payment) -> int:
        return len(payment.applications.all())
