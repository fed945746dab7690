"""GET /v1/customers/{id}/statement?from=&to=: a customer's statement (scope accounting:read).

The statement is the ledger's report (ledger/reports/statement.py, docs/reports.md); this view only
finds the customer in the caller's entity and reads the period.
"""

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from erp.api.base import UUID_PATH, FolioGenericAPIView
from erp.api.fields import InlineEnumField
from erp.exceptions import InvalidInput
from erp.money import money_string
from ledger.api.reports import aging_amounts
from ledger.reports.statement import Statement, statement
from receivables import selectors
from receivables.models import Customer
from receivables.reports import RECEIVABLES

_MONEY = serializers.DecimalField(max_digits=16, decimal_places=2)
STATEMENT_RESPONSE = inline_serializer(
    "CustomerStatement",
    {
        "object": serializers.CharField(),
        "customer_id": serializers.UUIDField(),
        "name": serializers.CharField(),
        "currency": serializers.CharField(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "opening_balance": _MONEY,
        "lines": inline_serializer(
            "StatementLine",
            {
                "date": serializers.DateField(),
                "type": InlineEnumField(
                    [(name, name) for name in ("invoice", "invoice_void", "payment", "payment_void")]
                ),
                "object_id": serializers.UUIDField(),
                "reference": serializers.CharField(),
                "description": serializers.CharField(),
                "amount": _MONEY,
                "balance": _MONEY,
            },
            many=True,
        ),
        "closing_balance": _MONEY,
        "open_items": inline_serializer(
            "StatementOpenItem",
            {
                "invoice_id": serializers.UUIDField(),
                "number": serializers.CharField(),
                "invoice_date": serializers.DateField(),
                "due_date": serializers.DateField(),
                "total": _MONEY,
                "open_amount": _MONEY,
                "days_overdue": serializers.IntegerField(),
            },
            many=True,
        ),
        "aging": inline_serializer(
            "StatementAging",
            {
                key: _MONEY
                for key in ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total")
            },
        ),
    },
)
# The kit's posting types, in the customer's words.
_TYPES = {
    "document": "invoice",
    "document_void": "invoice_void",
    "payment": "payment",
    "payment_void": "payment_void",
}


# `from` is a Python keyword, so the serializer is built with type() rather than a class statement.
PeriodQuerySerializer = type(
    "PeriodQuerySerializer",
    (serializers.Serializer,),
    {"from": serializers.DateField(required=False), "to": serializers.DateField(required=False)},
)


def period_of(request) -> tuple[datetime.date, datetime.date]:
    """Return (from, to): `to` defaults to today, `from` to the first day of `to`'s month."""
    query = PeriodQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    date_to = query.validated_data.get("to") or timezone.localdate()
    date_from = query.validated_data.get("from") or date_to.replace(day=1)
    if date_from > date_to:
        raise InvalidInput("from must not be after to.", code="date_range_invalid", param="from")
    return date_from, date_to


def statement_data(report: Statement) -> dict:
    """Render a customer statement for the API."""
    return {
        "object": "customer_statement",
        "customer_id": str(report.party.pk),
        "name": report.party.name,
        "currency": report.currency,
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "opening_balance": money_string(report.opening_balance),
        "lines": [
            {
                "date": line.date.isoformat(),
                "type": _TYPES[line.type],
                "object_id": str(line.object_id),
                "reference": line.reference,
                "description": line.description,
                "amount": money_string(line.amount),
                "balance": money_string(line.balance),
            }
            for line in report.lines
        ],
        "closing_balance": money_string(report.closing_balance),
        "open_items": [
            {
                "invoice_id": str(item.document.pk),
                "number": item.number,
                "invoice_date": item.document_date.isoformat(),
                "due_date": item.due_date.isoformat(),
                "total": money_string(item.total),
                "open_amount": money_string(item.open_amount),
                "days_overdue": max(item.days_overdue, 0),
            }
            for item in report.open_items
        ],
        "aging": aging_amounts(report.aging),
    }


class CustomerStatementView(FolioGenericAPIView):
    """A customer's statement: balance brought forward, invoices, payments and voids, what is open."""

    required_scopes = {"read": "accounting:read"}
    extra_query_params = frozenset({"from", "to"})
    queryset = Customer.objects.all()  # narrowed to the caller's entity in get_queryset
    lookup_value_regex = UUID_PATH
    error_codes = {"get": {400: ["date_range_invalid"]}}

    def get_queryset(self):
        return selectors.customers_for_entity(entity=self.entity)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", datetime.date, required=False, description="Default: the 1st of `to`'s month."
            ),
            OpenApiParameter("to", datetime.date, required=False, description="Default: today."),
        ],
        responses=STATEMENT_RESPONSE,
        operation_id="customers_statement",
    )
    def get(self, request, pk):
        customer = self.get_object()
        date_from, date_to = period_of(request)
        report = statement(
            RECEIVABLES, entity=self.entity, party=customer, date_from=date_from, date_to=date_to
        )
        return Response(statement_data(report))
