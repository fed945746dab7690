"""/v1/reports/…: AR and AP aging and the trial balance as of a date (scope accounting:read).

A report has no `object` or `id`, so it says which books it read itself: `livemode` (docs/reports.md).

`as_of` is optional and defaults to today; the figures are those of the end of that day, read from the
journal (docs/reports.md). An empty, repeated or malformed `as_of` is a 400, never today's report.
"""

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from erp.api.base import FolioAPIView
from erp.money import money_string
from ledger import selectors
from ledger.reports.aging import BUCKET_KEYS, AgingLine, aging_report
from ledger.reports.subledgers import PAYABLE, RECEIVABLE, subledger

AS_OF = OpenApiParameter(
    "as_of",
    datetime.date,
    required=False,
    description="The report's date (YYYY-MM-DD): entries dated up to the end of that day. Default: today.",
)


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)


def as_of_of(request) -> datetime.date:
    """Return the `as_of` query parameter, or today."""
    query = AsOfQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("as_of") or timezone.localdate()


def aging_amounts(line: AgingLine) -> dict[str, str]:
    """Return a row's or the totals' buckets and total as decimal strings."""
    return {key: money_string(value) for key, value in line.as_dict().items()}


_BUCKET_FIELDS = {key: serializers.DecimalField(max_digits=16, decimal_places=2) for key in BUCKET_KEYS}
_AGING_TOTALS = inline_serializer(
    "AgingTotals", {**_BUCKET_FIELDS, "total": serializers.DecimalField(max_digits=16, decimal_places=2)}
)
AGING_RESPONSE = inline_serializer(
    "AgingReport",
    {
        "as_of": serializers.DateField(),
        "livemode": serializers.BooleanField(help_text="false for a test key's test books."),
        "currency": serializers.CharField(),
        "rows": inline_serializer(
            "AgingRow",
            {
                "party_id": serializers.UUIDField(),
                "name": serializers.CharField(),
                **_BUCKET_FIELDS,
                "total": serializers.DecimalField(max_digits=16, decimal_places=2),
            },
            many=True,
        ),
        "totals": _AGING_TOTALS,
    },
)
TRIAL_BALANCE_RESPONSE = inline_serializer(
    "TrialBalanceReport",
    {
        "as_of": serializers.DateField(),
        "livemode": serializers.BooleanField(help_text="false for a test key's test books."),
        "rows": inline_serializer(
            "TrialBalanceRow",
            {
                "account_code": serializers.CharField(),
                "name": serializers.CharField(),
                "type": serializers.CharField(),
                "debit": serializers.DecimalField(max_digits=16, decimal_places=2),
                "credit": serializers.DecimalField(max_digits=16, decimal_places=2),
            },
            many=True,
        ),
        "totals": inline_serializer(
            "TrialBalanceTotals",
            {
                "debit": serializers.DecimalField(max_digits=16, decimal_places=2),
                "credit": serializers.DecimalField(max_digits=16, decimal_places=2),
            },
        ),
    },
)


class ReportView(FolioAPIView):
    """A report as of a date: reads `as_of` and nothing else."""

    required_scopes = {"read": "accounting:read"}
    extra_query_params = frozenset({"as_of"})


class AgingView(ReportView):
    """The aging of one party ledger: each party's open documents by days past due."""

    kind = ""

    def get(self, request):
        report = aging_report(subledger(self.kind), entity=self.entity, as_of=as_of_of(request))
        return Response(
            {
                "as_of": report.as_of.isoformat(),
                "livemode": report.entity.livemode,
                "currency": report.currency,
                "rows": [
                    {"party_id": str(row.party_id), "name": row.name, **aging_amounts(row)}
                    for row in report.rows
                ],
                "totals": aging_amounts(report.totals),
            }
        )


class ARAgingView(AgingView):
    """What customers owe, by days past due; the total is accounts receivable on `as_of`."""

    kind = RECEIVABLE

    @extend_schema(parameters=[AS_OF], responses=AGING_RESPONSE, operation_id="reports_ar_aging")
    def get(self, request):
        return super().get(request)


class APAgingView(AgingView):
    """What is owed to vendors, by days past due; the total is accounts payable on `as_of`."""

    kind = PAYABLE

    @extend_schema(parameters=[AS_OF], responses=AGING_RESPONSE, operation_id="reports_ap_aging")
    def get(self, request):
        return super().get(request)


class TrialBalanceView(ReportView):
    """Every account's net balance on `as_of`, debits beside credits."""

    @extend_schema(parameters=[AS_OF], responses=TRIAL_BALANCE_RESPONSE, operation_id="reports_trial_balance")
    def get(self, request):
        report = selectors.trial_balance(entity=self.entity, as_of=as_of_of(request))
        return Response(
            {
                "as_of": report.as_of.isoformat(),
                "livemode": self.entity.livemode,
                "rows": [
                    {
                        "account_code": row.code,
                        "name": row.name,
                        "type": row.type,
                        "debit": money_string(row.debit),
                        "credit": money_string(row.credit),
                    }
                    for row in report.rows
                ],
                "totals": {
                    "debit": money_string(report.total_debit),
                    "credit": money_string(report.total_credit),
                },
            }
        )
