"""Invoices API: /v1/invoices create (posted and numbered, or a draft), list, retrieve, void; a draft's
PATCH, DELETE and post (payments:read|write; docs/receivables.md)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.settings import api_settings

from erp.api.fields import InlineEnumField
from erp.api.serializers import InputSerializer
from ledger.documents import api as kit
from receivables import selectors
from receivables.models import Invoice, InvoiceLine
from receivables.printing import invoice_pdf, pdf_filename
from receivables.services import invoice_create, invoice_delete, invoice_post, invoice_update, invoice_void


class InvoiceInputSerializer(InputSerializer):
    customer_id = serializers.UUIDField()
    invoice_date = serializers.DateField()
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: invoice_date + payment_terms_days, or the invoice date (due on receipt).",
    )
    payment_terms_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Net N days (0–365): the due date follows."
    )
    bill_to = kit.TextField(
        required=False,
        allow_blank=True,
        max_length=1000,
        default="",
        help_text="The address printed on the invoice; default: the customer's name and email.",
    )
    lines = kit.LineInputSerializer(many=True, help_text="1–200 lines.")
    notes = kit.TextField(required=False, allow_blank=True, max_length=5000, default="")
    draft = serializers.BooleanField(
        required=False, default=False, help_text="Save unnumbered and unposted; POST …/{id}/post posts it."
    )


class InvoiceUpdateSerializer(InputSerializer):
    """A draft's PATCH: the fields given change; `lines` replace all of its lines."""

    customer_id = serializers.UUIDField(required=False)
    invoice_date = serializers.DateField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    payment_terms_days = serializers.IntegerField(required=False, allow_null=True)
    bill_to = kit.TextField(required=False, allow_blank=True, max_length=1000)
    lines = kit.LineInputSerializer(many=True, required=False, help_text="1–200 lines, replacing all.")
    notes = kit.TextField(required=False, allow_blank=True, max_length=5000)


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["position", "description", "quantity", "unit_price", "amount"]


class InvoiceSerializer(serializers.ModelSerializer):
    object = kit.ObjectNameField("invoice")
    entity_id = serializers.UUIDField(read_only=True)
    customer_id = serializers.UUIDField(read_only=True)
    journal_entry_id = serializers.UUIDField(read_only=True, allow_null=True)
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
            "payment_terms_days",
            "bill_to",
            "notes",
            "total",
            "balance_due",
            "status",
            "lines",
            "journal_entry_id",
            "void_journal_entry_id",
            *kit.VOID_AND_TIMESTAMPS,
        ]


class PDFRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the view answers the PDF bytes itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        # An error answered to a client that asked for a PDF: the JSON envelope, labelled as JSON.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


# What an invoice's header can be refused for besides every document's codes.
INVOICE_HEADER_ERRORS = {
    400: ["notes_too_long", "bill_to_too_long", "payment_terms_invalid"],
    422: ["due_date_terms_mismatch", "period_locked", "date_out_of_range"],
}


@extend_schema_view(
    partial_update=extend_schema(
        request=InvoiceUpdateSerializer,
        examples=[
            OpenApiExample(
                "Draft edit",
                value={
                    "payment_terms_days": 30,
                    "lines": [{"description": "Consulting", "unit_price": "900.00"}],
                },
                request_only=True,
            )
        ],
    ),
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
    ),
)
class InvoiceViewSet(kit.DraftMixin, kit.CreateMixin, kit.PostedViewSet):
    """Customer invoices: create (posted and numbered, or a draft), list, retrieve, void; drafts edited,
    deleted and posted."""

    required_scopes = {"read": "payments:read", "write": "payments:write"}
    serializer_class, input_serializer_class = InvoiceSerializer, InvoiceInputSerializer
    update_input_serializer_class = InvoiceUpdateSerializer
    update_service, delete_service = staticmethod(invoice_update), staticmethod(invoice_delete)
    post_service, draft_keyword = staticmethod(invoice_post), "invoice"
    filterset_class = kit.posted_filterset(Invoice, "customer", "invoice_date", "status", "number")
    ordering_fields = ["invoice_date", "due_date", "created_at"]
    create_service, void_service = staticmethod(invoice_create), staticmethod(invoice_void)
    created_row_complete = True  # invoice_create returns its lines prefetched (document_create)
    void_keyword = "invoice"
    error_codes = {
        **kit.DRAFT_ERRORS,
        "create": kit.merged(kit.DOCUMENT_CREATE_ERRORS, INVOICE_HEADER_ERRORS),
        "partial_update": kit.merged(
            kit.DOCUMENT_CREATE_ERRORS, INVOICE_HEADER_ERRORS, kit.DRAFT_ERRORS["partial_update"]
        ),
        "void": kit.merged(kit.VOID_ERRORS, {422: ["document_has_payments"]}),
    }

    def get_queryset(self):
        return selectors.invoices_for_entity(entity=self.entity)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        description='The printable invoice (docs/receivables.md, "Printing"); a draft prints marked DRAFT.',
    )
    @action(
        detail=True, methods=["get"], renderer_classes=[*api_settings.DEFAULT_RENDERER_CLASSES, PDFRenderer]
    )
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{pdf_filename(invoice)}"'
        return response
