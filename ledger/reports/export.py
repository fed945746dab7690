"""The reports as CSV files: the same figures the pages and the API show, one file per report.

Amounts are plain numbers with two places (no currency sign or grouping; the currency has its own
column), and every text cell goes through erp.adminlists.csv_cell so a party named "=…" cannot run
as a spreadsheet formula.
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

from erp.adminlists import csv_cell
from erp.money import CENT
from ledger.reports.aging import BUCKET_KEYS, AgingReport
from ledger.reports.statement import Statement


def csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    """Return a CSV attachment of `header` and `rows`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def aging_csv(report: AgingReport) -> HttpResponse:
    """Return an aging report as CSV: one line per party, then the totals."""
    kind = "ar" if report.source.sign > 0 else "ap"
    header = [f"{report.source.party_label}_id", "name", *BUCKET_KEYS, "total", "currency"]
    rows = [[row.party_id, row.name, *_amounts(row.as_dict()), report.currency] for row in report.rows]
    rows.append(["", "Total", *_amounts(report.totals.as_dict()), report.currency])
    return csv_response(f"{kind}-aging-{report.entity.code}-{report.as_of.isoformat()}.csv", header, rows)


def trial_balance_csv(report) -> HttpResponse:
    """Return a trial balance as CSV: one line per account, then the totals."""
    header = ["account_code", "name", "type", "debit", "credit", "currency"]
    currency = report.entity.base_currency
    rows = [
        [row.code, row.name, row.type, _cents(row.debit), _cents(row.credit), currency] for row in report.rows
    ]
    rows.append(["", "Total", "", _cents(report.total_debit), _cents(report.total_credit), currency])
    as_of = report.as_of.isoformat() if report.as_of else "all"
    return csv_response(f"trial-balance-{report.entity.code}-{as_of}.csv", header, rows)


def statement_csv(report: Statement) -> HttpResponse:
    """Return a statement as CSV: the balance brought forward, each posting, the balance carried forward."""
    header = ["date", "type", "reference", "description", "amount", "balance", "currency"]
    currency = report.currency
    rows = [
        [
            report.date_from,
            "opening_balance",
            "",
            "Balance brought forward",
            "",
            _cents(report.opening_balance),
            currency,
        ]
    ]
    rows += [
        [
            line.date,
            line.type,
            line.reference,
            line.description,
            _cents(line.amount),
            _cents(line.balance),
            currency,
        ]
        for line in report.lines
    ]
    rows.append(
        [
            report.date_to,
            "closing_balance",
            "",
            "Balance carried forward",
            "",
            _cents(report.closing_balance),
            currency,
        ]
    )
    name = f"statement-{report.entity.code}-{report.date_from.isoformat()}-{report.date_to.isoformat()}.csv"
    return csv_response(name, header, rows)


def _cents(amount) -> Decimal:
    # A Decimal, not text: csv_cell would mark a negative amount written as text as a formula.
    return Decimal(amount).quantize(CENT)


def _amounts(amounts: dict) -> list[Decimal]:
    return [_cents(value) for value in amounts.values()]
