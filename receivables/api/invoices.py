"""Invoices API: /v1/invoices create (posted, numbered), list, retrieve, void (payments:read|write)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from erp.api.fields import InlineEnumField
from ledger.documents import api as kit
from receivables import selectors
from receivables.models import Invoice, InvoiceLine
from receivables.services import invoice_create, invoice_void


class InvoiceInputSerializer(serializers.Serializer):
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


@extend_schema_view(create=extend_schema(request=InvoiceInputSerializer))
class InvoiceViewSet(kit.CreateMixin, kit.PostedViewSet):
    """Customer invoices: create (posted and numbered), list, retrieve, void."""

    required_scopes = {"read": "payments:read", "write": "payments:write"}
    serializer_class, input_serializer_class = InvoiceSerializer, InvoiceInputSerializer
    filterset_class = kit.posted_filterset(Invoice, "customer", "invoice_date", "status", "number")
    ordering_fields = ["invoice_date", "due_date", "created_at"]
    create_service, void_service = staticmethod(invoice_create), staticmethod(invoice_void)
    void_keyword = "invoice"

    def get_queryset(self):
        return selectors.invoices_for_entity(entity=self.entity)
