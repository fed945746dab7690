"""Receivables API views: thin — validate the shape, call the service, render the result."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from erp.api.base import FolioAPIView, FolioViewSet, actor_of
from receivables import selectors
from receivables.api.serializers import (
    CustomerInputSerializer,
    CustomerSerializer,
    InvoiceInputSerializer,
    InvoiceSerializer,
    MultiInvoiceApplyInputSerializer,
    MultiInvoiceApplyResponseSerializer,
    PaymentAppliedSerializer,
    PaymentSerializer,
    ReceivableVoidSerializer,
)
from receivables.models import Customer, Invoice, Payment
from receivables.services import (
    ApplicationInput,
    InvoiceLineInput,
    customer_create,
    customer_update,
    invoice_create,
    invoice_void,
    payment_apply_to_invoices,
    payment_void,
)

UUID_PATH = "[0-9a-fA-F-]{36}"
MULTI_INVOICE_APPLY_ERRORS = """\
One payment applied to 1–50 open invoices of one customer, atomically: any error writes nothing.

| status | code | param |
|---|---|---|
| 400 | `parameter_missing`, `parameter_invalid`, `invalid_choice` | the field |
| 400 | `invalid_application_count` | `applications` |
| 400 | `amount_not_positive`, `amount_too_large` | `amount`, `applications[i].amount_applied` |
| 400 | `too_many_decimal_places` | `applications[i].amount_applied` |
| 400 | `check_fields_not_allowed` (only with `payment_method=check`) | `check_number`, `check_date` |
| 404 | `resource_missing` | `account_id`, `applications[i].order_id` |
| 422 | `duplicate_invoice`, `invoice_not_open` | `applications[i].order_id` |
| 422 | `amount_mismatch` (Σ amount_applied differs from amount by more than $0.005) | `amount` |
| 422 | `amount_exceeds_balance` | `applications[i].amount_applied` |
"""


class CustomerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    email = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Customer
        fields = ["name", "email", "external_reference"]


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Customer accounts: create, list, retrieve, PATCH."""

    required_scopes = {"read": "accounts:read", "write": "accounts:write"}
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["name", "created_at"]
    ordering = ["-created_at"]
    lookup_value_regex = UUID_PATH
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.customers_for_entity(entity=self.entity)

    @extend_schema(request=CustomerInputSerializer, responses={201: CustomerSerializer})
    def create(self, request):
        body = CustomerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = customer_create(entity=self.entity, **body.validated_data)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CustomerInputSerializer, responses=CustomerSerializer)
    def partial_update(self, request, pk=None):
        customer = self.get_object()
        body = CustomerInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        customer = customer_update(customer=customer, **body.validated_data)
        return Response(CustomerSerializer(customer).data)


class InvoiceFilter(django_filters.FilterSet):
    customer = django_filters.UUIDFilter(field_name="customer_id")
    invoice_date_from = django_filters.DateFilter(field_name="invoice_date", lookup_expr="gte")
    invoice_date_to = django_filters.DateFilter(field_name="invoice_date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["customer", "status", "number", "invoice_date_from", "invoice_date_to"]


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Customer invoices: create (posted and numbered), list, retrieve, void."""

    required_scopes = {"read": "payments:read", "write": "payments:write"}
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    ordering_fields = ["invoice_date", "due_date", "created_at"]
    ordering = ["-created_at"]
    lookup_value_regex = UUID_PATH

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
            lines=[InvoiceLineInput(**line) for line in data["lines"]],
            notes=data["notes"],
            created_by=actor_of(request),
        )
        return Response(InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReceivableVoidSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        invoice = self.get_object()
        body = ReceivableVoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invoice = invoice_void(
            invoice=invoice, reason=body.validated_data["reason"], voided_by=actor_of(request)
        )
        return Response(InvoiceSerializer(invoice).data)


class PaymentFilter(django_filters.FilterSet):
    account_id = django_filters.UUIDFilter(field_name="customer_id")
    invoice = django_filters.UUIDFilter(field_name="applications__invoice_id", distinct=True)
    payment_date_from = django_filters.DateFilter(field_name="payment_date", lookup_expr="gte")
    payment_date_to = django_filters.DateFilter(field_name="payment_date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ["account_id", "invoice", "status", "payment_method", "payment_date_from", "payment_date_to"]


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Customer payments: list, retrieve, void (created by multi-invoice-apply)."""

    required_scopes = {"read": "payments:read", "write": "payments:write"}
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["payment_date", "created_at"]
    ordering = ["-created_at"]
    lookup_value_regex = UUID_PATH

    def get_queryset(self):
        return selectors.payments_for_entity(entity=self.entity)

    @extend_schema(request=ReceivableVoidSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        payment = self.get_object()
        body = ReceivableVoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payment = payment_void(
            payment=payment, reason=body.validated_data["reason"], voided_by=actor_of(request)
        )
        return Response(PaymentSerializer(payment).data)


class MultiInvoiceApplyView(FolioAPIView):
    """POST /v1/payments/multi-invoice-apply — one payment applied to 1–50 invoices, atomically."""

    required_scopes = {"write": "payments:write"}

    @extend_schema(
        request=MultiInvoiceApplyInputSerializer,
        responses={201: MultiInvoiceApplyResponseSerializer},
        operation_id="payments_multi_invoice_apply",
        description=MULTI_INVOICE_APPLY_ERRORS,
    )
    def post(self, request):
        body = MultiInvoiceApplyInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        payment = payment_apply_to_invoices(
            entity=self.entity,
            customer_id=data["account_id"],
            payment_method=data["payment_method"],
            amount=data["amount"],
            applications=[ApplicationInput(**application) for application in data["applications"]],
            payment_date=data["payment_date"],
            check_number=data["check_number"],
            check_date=data["check_date"],
            external_reference=data["external_reference"],
            notes=data["notes"],
            created_by=actor_of(request),
        )
        body = {"data": PaymentAppliedSerializer(payment).data, "idempotent_replay": False}
        return Response(body, status=status.HTTP_201_CREATED)
