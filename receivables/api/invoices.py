"""Invoices API: /v1/invoices create (posted, numbered), list, retrieve, void (payments:read|write)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from erp.api.fields import InlineEnumField
from erp.api.serializers import InputSerializer
from ledger.documents import api as kit
from receivables import selectors
from receivables.models import Invoice, InvoiceLine
from receivables.services import invoice_create, invoice_void


class InvoiceInputSerializer(InputSerializer):
    customer_id = serializers.UUIDField()
    invoice_date = serializers.DateField()
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    lines = kit.LineInputSerializer(many=True, help_text="1–200 lines.")
    notes = kit.TextField(required=False, allow_blank=True, max_length=5000, default="")


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["position", "description", "quantity", "unit_price", "amount"]


class InvoiceSerializer(serializers.ModelSerializer):
    object = kit.ObjectNameField("invoice")
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
            *kit.VOID_AND_TIMESTAMPS,
        ]


@extend_schema_view(
    create=extend_schema(
        request=InvoiceInputSerializer,
        examples=[
            OpenApiExample(
                "Invoice",
                summary="Two lines, due in 30 days",
                value={
                    "customer_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                    "invoice_date": "2026-03-02",
                    "due_date": "2026-04-01",
                    "lines": [
                        {"description": "Consulting, March", "quantity": 10, "unit_price": "150.00"},
                        {"description": "Travel", "unit_price": "84.20"},
                    ],
                    "notes": "PO 4471",
                },
                request_only=True,
            )
        ],
    )
)
class InvoiceViewSet(kit.CreateMixin, kit.PostedViewSet):
    """Customer invoices: create (posted and numbered), list, retrieve, void."""

    required_scopes = {"read": "payments:read", "write": "payments:write"}
    serializer_class, input_serializer_class = InvoiceSerializer, InvoiceInputSerializer
    filterset_class = kit.posted_filterset(Invoice, "customer", "invoice_date", "status", "number")
    ordering_fields = ["invoice_date", "due_date", "created_at"]
    create_service, void_service = staticmethod(invoice_create), staticmethod(invoice_void)
    void_keyword = "invoice"
    error_codes = {
        "create": kit.merged(kit.DOCUMENT_CREATE_ERRORS, {400: ["notes_too_long"]}),
        "void": kit.merged(kit.VOID_ERRORS, {422: ["document_has_payments"]}),
    }

    def get_queryset(self):
        return selectors.invoices_for_entity(entity=self.entity)
