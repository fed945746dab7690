"""Customer payments API: /v1/payments/multi-invoice-apply; list, retrieve, void (payments:read|write)."""

import re
import uuid
from decimal import Decimal

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from erp.api.base import FolioAPIView, actor_of
from erp.api.fields import InlineEnumField
from erp.api.serializers import InputSerializer
from erp.exceptions import InvalidInput
from erp.money import money_parse
from erp.text import refuse_control_characters
from ledger.documents import api as kit
from ledger.documents.services.inputs import text_parse
from receivables import selectors
from receivables.models import Payment, PaymentApplication, PaymentMethod
from receivables.services import payment_apply_to_invoices, payment_void

MULTI_INVOICE_APPLY_ERRORS = """\
One payment applied to 1–50 open invoices of one customer, atomically: any error writes nothing.
Every code is listed in docs/api.md ("Error codes").

| status | code | param |
|---|---|---|
| 400 | `parameter_missing`, `parameter_invalid`, `invalid_choice` | the field |
| 400 | `invalid_application_count` | `applications` |
| 400 | `amount_not_positive`, `amount_too_large` | `amount`, `applications[i].amount_applied` |
| 400 | `too_many_decimal_places` | `applications[i].amount_applied` |
| 400 | `check_fields_not_allowed` (only with `payment_method=check`) | `check_number`, `check_date` |
| 404 | `resource_missing` | `account_id`, `applications[i].order_id` |
| 422 | `duplicate_document`, `party_mismatch`, `document_not_open` | `applications[i].order_id` |
| 422 | `amount_mismatch` (Σ amount_applied differs from amount by more than $0.005) | `amount` |
| 422 | `amount_exceeds_balance` | `applications[i].amount_applied` |
"""


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}], "nullable": True}
)
class BlankableDateField(serializers.DateField):
    """A date that may also be sent as "" (none), as null can."""

    def run_validation(self, data=serializers.empty):
        return super().run_validation(None if data == "" else data)


_APPLICATION_KEYS = frozenset({"order_id", "invoice_id", "amount_applied"})


def _application_read(item) -> dict | None:
    """Return one well-formed application as its serializer would, or None for anything it might refuse."""
    if type(item) is not dict or "amount_applied" not in item or not item.keys() <= _APPLICATION_KEYS:
        return None
    document_id = None
    for name in ("order_id", "invoice_id"):
        if name in item:
            text = item[name]
            if type(text) is not str:
                return None
            try:
                read = uuid.UUID(text)
            except ValueError:
                return None
            if document_id is not None and read != document_id:
                return None  # two different ids: the serializer names the refusal
            document_id = read
    if document_id is None:
        return None
    try:
        amount = money_parse(item["amount_applied"], param="amount_applied")
    except InvalidInput:
        return None
    return {"document_id": document_id, "amount_applied": amount}


def _applications_read(data) -> list[dict] | None:
    """Return a well-formed applications list as its serializers would, in one pass; else None."""
    if type(data) is not list:
        return None
    read = [_application_read(item) for item in data]
    return None if None in read else read


class ApplicationsListSerializer(serializers.ListSerializer):
    """A payment's 1–50 applications: a well-formed list is read in one pass; anything else, item by item.

    The per-item serializers cost more than the payment's own database work on a 50-invoice payment; the
    one-pass reading accepts exactly what they accept and returns the same data, and whatever it does not
    accept goes through them, so every refusal is theirs (tests/receivables/test_payment_path.py).
    """

    def to_internal_value(self, data):
        read = _applications_read(data)
        return read if read is not None else super().to_internal_value(data)


class InvoiceApplicationInputSerializer(kit.ApplicationInputSerializer):
    order_id = serializers.UUIDField(required=False, help_text="The invoice id.")
    invoice_id = serializers.UUIDField(required=False, help_text="Alias of order_id.")

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
        return {"document_id": order_id or invoice_id, "amount_applied": attrs["amount_applied"]}

    class Meta:
        list_serializer_class = ApplicationsListSerializer


class MultiInvoiceApplyInputSerializer(InputSerializer):
    account_id = serializers.UUIDField(help_text="The customer account receiving this payment.")
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = kit.MoneyField(
        exact_cents=False, help_text="Must equal the sum of applications[].amount_applied within $0.005."
    )
    applications = InvoiceApplicationInputSerializer(many=True, help_text="1–50 invoices.")
    # Null or "" means "none" (Arcus clients send them with every method); a value is only for checks.
    check_number = kit.TextField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=50,
        default="",
        help_text="Only with payment_method=check; null or empty with another method.",
    )
    check_date = BlankableDateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only with payment_method=check; null or empty with another method.",
    )
    external_reference = kit.TextField(
        required=False, allow_blank=True, allow_null=True, max_length=200, default=""
    )
    notes = kit.TextField(required=False, allow_blank=True, allow_null=True, max_length=5000, default="")
    payment_date = serializers.DateField(required=False, allow_null=True, default=None)


def _text_read(value, *, param: str, max_length: int):
    """Return an optional text as its TextField reads it (absent: ""), or _UNREAD if it might refuse it."""
    if value is _ABSENT or value == "":
        return ""
    if value is None:
        return None  # allow_null: null is kept as null, the service reads it as none
    if type(value) is not str or _SURROGATE.search(value):
        return _UNREAD  # the field's validators refuse it
    try:
        refuse_control_characters(value, param=param)  # as the body's check does, before the field
        return text_parse(value, param=param, max_length=max_length)
    except InvalidInput:
        return _UNREAD


def _date_read(value, *, blankable: bool):
    """Return an optional date field's value as its DateField would (absent or null: None); else _UNREAD."""
    if value is _ABSENT or value is None or (blankable and value == ""):
        return None
    if type(value) is not str:
        return _UNREAD
    try:
        return _DATE.to_internal_value(value)
    except serializers.ValidationError:
        return _UNREAD


def multi_invoice_apply_read(data) -> dict | None:
    """Return a well-formed body's validated data as MultiInvoiceApplyInputSerializer would, or None.

    Building the serializer's fields and running them costs more than reading the body: a body this
    accepts gives exactly the serializer's data, and anything else (None) goes through the serializer,
    so every refusal is still its own (tests/receivables/test_payment_body_read.py).
    """
    if type(data) is not dict or not data.keys() <= _BODY_KEYS:
        return None
    account_id, method = data.get("account_id"), data.get("payment_method")
    if type(account_id) is not str or type(method) is not str or method not in _METHODS:
        return None
    try:
        account_id = uuid.UUID(account_id)
        amount = money_parse(data.get("amount"), param="amount", exact_cents=False)
    except (ValueError, InvalidInput):
        return None
    applications = _applications_read(data.get("applications"))
    read = {
        "check_number": _text_read(data.get("check_number", _ABSENT), param="check_number", max_length=50),
        "check_date": _date_read(data.get("check_date", _ABSENT), blankable=True),
        "external_reference": _text_read(
            data.get("external_reference", _ABSENT), param="external_reference", max_length=200
        ),
        "notes": _text_read(data.get("notes", _ABSENT), param="notes", max_length=5000),
        "payment_date": _date_read(data.get("payment_date", _ABSENT), blankable=False),
    }
    if applications is None or _UNREAD in read.values():
        return None
    return {
        "account_id": account_id,
        "payment_method": _METHODS[method],
        "amount": amount,
        "applications": applications,
        **read,
    }


# What multi_invoice_apply_read knows of the serializer: its keys, its choices (as ChoiceField maps them).
_BODY_KEYS = frozenset(MultiInvoiceApplyInputSerializer().fields)
_METHODS = {str(value): value for value, _ in PaymentMethod.choices}
_ABSENT, _UNREAD = object(), object()
_DATE = serializers.DateField()  # parses as the body's date fields do (DATE_INPUT_FORMATS), unbound
# CharField refuses surrogates (lone halves of a UTF-16 pair, which JSON can carry) with its validators.
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvoiceApplicationResultSerializer(serializers.ModelSerializer):
    """An application in the multi-invoice-apply response: amount_applied is a JSON number."""

    order_id = serializers.UUIDField(source="invoice_id", read_only=True)
    amount_applied = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = PaymentApplication
        fields = ["id", "order_id", "amount_applied"]


class PaymentAppliedSerializer(serializers.ModelSerializer):
    """The `data` of a multi-invoice-apply response (amounts are JSON numbers, docs/receivables.md)."""

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


class PaymentSerializer(PaymentAppliedSerializer):
    """A payment in lists and retrieves (amounts as decimal strings, like every other output)."""

    object = kit.ObjectNameField("payment")
    account_id = serializers.UUIDField(source="customer_id", read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    journal_entry_number = serializers.CharField(source="journal_entry.number", read_only=True)
    void_journal_entry_id = serializers.UUIDField(read_only=True, allow_null=True)
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


class PaymentFilter(
    kit.posted_filterset(
        Payment, "account_id", "payment_date", "status", "payment_method", party_field="customer_id"
    )
):
    invoice = django_filters.UUIDFilter(field_name="applications__invoice_id", distinct=True)


class PaymentViewSet(kit.PostedViewSet):
    """Customer payments: list, retrieve, void (created by multi-invoice-apply)."""

    required_scopes = {"read": "payments:read", "write": "payments:write"}
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["payment_date", "created_at"]
    void_service = staticmethod(payment_void)
    void_keyword = "payment"
    error_codes = {"void": kit.VOID_ERRORS}

    def get_queryset(self):
        return selectors.payments_for_entity(entity=self.entity)


class MultiInvoiceApplyView(FolioAPIView):
    """POST /v1/payments/multi-invoice-apply — one payment applied to 1–50 invoices, atomically."""

    required_scopes = {"write": "payments:write"}
    error_codes = {"post": kit.merged(kit.PAYMENT_ERRORS, {422: ["amount_mismatch"]})}

    @extend_schema(
        request=MultiInvoiceApplyInputSerializer,
        responses={201: MultiInvoiceApplyResponseSerializer},
        operation_id="payments_multi_invoice_apply",
        description=MULTI_INVOICE_APPLY_ERRORS,
        examples=[
            OpenApiExample(
                "Check",
                summary="A check paying two invoices",
                value={
                    "account_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                    "payment_method": "check",
                    "amount": 5000,
                    "applications": [
                        {"order_id": "7d1f7e0a-2c1b-4f9e-9d0a-1b2c3d4e5f60", "amount_applied": 2500},
                        {"order_id": "8e2a8f1b-3d2c-4a0f-8e1b-2c3d4e5f6071", "amount_applied": 2500},
                    ],
                    "check_number": "10442",
                    "check_date": "2026-03-02",
                    "payment_date": "2026-03-02",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = multi_invoice_apply_read(request.data)
        if data is None:  # not well-formed: the serializer reads it, and names what it refuses
            body = MultiInvoiceApplyInputSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        payment = payment_apply_to_invoices(
            entity=self.entity,
            customer_id=data["account_id"],
            payment_method=data["payment_method"],
            amount=data["amount"],
            applications=kit.application_inputs(data["applications"]),
            payment_date=data["payment_date"],
            check_number=data["check_number"],
            check_date=data["check_date"],
            external_reference=data["external_reference"],
            notes=data["notes"],
            created_by=actor_of(request),
        )
        body = {"data": payment_applied_data(payment), "idempotent_replay": False}
        return Response(body, status=status.HTTP_201_CREATED)


_CENT = Decimal("0.01")


def payment_applied_data(payment: Payment) -> dict:
    """Return what PaymentAppliedSerializer renders of a payment just applied, without building its fields.

    The serializer stays the schema; this is its output (tests/receivables/test_payment_path.py).
    """
    applications = payment.applications.all()
    return {
        "id": str(payment.pk),
        "entity_id": str(payment.entity_id),
        "amount": payment.amount.quantize(_CENT),
        "payment_method": payment.payment_method,
        "status": payment.status,
        "journal_entry_id": str(payment.journal_entry_id),
        "applied_count": len(applications),
        "applications": [
            {
                "id": str(a.pk),
                "order_id": str(a.invoice_id),
                "amount_applied": a.amount_applied.quantize(_CENT),
            }
            for a in applications
        ],
    }
