"""Invoices API: /v1/invoices create (posted, numbered), list, retrieve, void (payments:read|write)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from erp.api.base import FolioViewSet, actor_of
from erp.api.fields import InlineEnumField
from ledger.documents.api import (
    UUID_PATH,
    LineInputSerializer,
    ObjectNameField,
    TextField,
    VoidActionMixin,
    date_range_filters,
    line_inputs,
)
from receivables import selectors
from receivables.models import Invoice, InvoiceLine
from receivables.services import invoice_create, invoice_void


class InvoiceInputSerializer(serializers.Serializer):
    customer_id = serializers.UUIDField()
    invoice_date = serializers.DateField()
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    lines = LineInputSerializer(many=True, help_text="1–200 lines.")
    notes = TextField(required=False, allow_blank=True, max_length=5000, default="")


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["position", "description", "quantity", "unit_price", "amount"]


class InvoiceSerializer(serializers.ModelSerializer):
    object = ObjectNameField("invoice")
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


class InvoiceFilter(django_filters.FilterSet):
    customer = django_filters.UUIDFilter(field_name="customer_id")
    invoice_date_from, invoice_date_to = date_range_filters("invoice_date")

    class Meta:
        model = Invoice
        fields = ["customer", "status", "number", "invoice_date_from", "invoice_date_to"]


class InvoiceViewSet(VoidActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Customer invoices: create (posted and numbered), list, retrieve, void."""

    required_scopes = {"read": "payments:read", "write": "payments:write"}
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    ordering_fields = ["invoice_date", "due_date", "created_at"]
    ordering = ["-created_at"]
    lookup_value_regex = UUID_PATH
    void_service = staticmethod(invoice_void)
    void_keyword = "invoice"

    def get_queryset(self):
        return selectors.invoices_for_entity(entity=self.entity)

    @extend_schema(request=InvoiceInputSerializer, responses={201: InvoiceSerializer})
    def create(self, request):
        body = InvoiceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        invoice = invoice_create(
            entity=self.entity,
            customer_id=data["customer_id"],
            invoice_date=data["invoice_date"],
            due_date=data["due_date"],
            lines=line_inputs(data["lines"]),
            notes=data["notes"],
            created_by=actor_of(request),
        )
        return Response(self.rendered(invoice), status=status.HTTP_201_CREATED)
