"""What every admin list has: amounts with their currency, totals of the filtered rows, CSV export.

Amounts: :func:`money_column` shows an amount right-aligned with its entity's currency;
:class:`TotalsMixin` puts the sums of the rows the filters select under the list, one line per
currency.

Every list downloads as CSV with the filters, search and ordering it shows (docs/admin.md).

:class:`CsvExportMixin` adds ``<list>/export.csv`` and an "Export CSV" button that carries the list's
query string, so the file holds exactly the rows the accountant is looking at, all pages of them.
The rows are streamed, a few thousand at a time, never held in memory.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula: a customer
named ``=HYPERLINK(…)`` would run on the accountant's machine. Text cells are trimmed (a leading tab
or carriage return is how such a cell hides) and those starting so are written with a leading
apostrophe; numbers and dates are written as they are (a negative amount is a number, not a formula).
"""

import csv
import datetime
from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.text import capfirst

from erp.money import money_grouped

FORMULA_STARTS = ("=", "+", "-", "@")
_CHUNK = 2000


def money_text(amount, currency: str) -> str:
    """Return an amount as accountants read it: thousands grouped, two places, then the currency."""
    return f"{money_grouped(amount)} {currency}" if amount is not None else "—"


def money_column(field: str, description: str, *, currency: str = "entity.base_currency"):
    """Return a list column showing `field` right-aligned with the currency at `currency` (dotted path)."""

    @admin.display(description=description, ordering=field)
    def column(self, row):
        return format_html(
            '<span class="money">{}</span>', money_text(getattr(row, field), _follow(row, currency))
        )

    column.csv_field = field  # the file gets the plain amount, with the currency in its own column
    column.money = True
    return column


def date_column(field: str, description: str):
    """Return a list column showing the date `field` as 2026-03-02: short, sortable, one width."""

    @admin.display(description=description, ordering=field)
    def column(self, row):
        value = getattr(row, field)
        return value.isoformat() if value else "—"

    column.csv_field = field
    return column


def csv_cell(value) -> str | Decimal | int:
    """Return `value` as a CSV cell: numbers as they are, text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | int | float):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = strip_tags(str(value)).strip()
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns what it is given (csv.writer into a streamed response)."""

    def write(self, value: str) -> str:
        return value


class TotalsMixin:
    """Sums of the rows the list's filters select (every page), shown under it, one line per currency.

    `list_totals` is [(field, label)]; rows `totals_exclude` matches are not summed, and
    `totals_excluded` says which they are ("void and draft ones").
    """

    list_totals: list[tuple[str, str]] = []
    totals_exclude: dict = {}
    totals_excluded = ""
    totals_currency = "entity__base_currency"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if "cl" in context and self.list_totals:  # the list itself, not an action's page
            context["list_totals"] = self.totals_of(context["cl"].queryset)
        return response

    def totals_of(self, queryset) -> dict:
        """Return the sums of `queryset` per currency, and how many rows they cover."""
        sums = (
            queryset.exclude(**self.totals_exclude)
            .order_by()
            .values(self.totals_currency)
            .annotate(rows=Count("pk"), **{f"sum_{field}": Sum(field) for field, _ in self.list_totals})
            .order_by(self.totals_currency)
        )
        return {
            "labels": [label for _, label in self.list_totals],
            "excluded": self.totals_excluded,
            "lines": [
                {
                    "rows": line["rows"],
                    "amounts": [
                        money_text(line[f"sum_{field}"], line[self.totals_currency])
                        for field, _ in self.list_totals
                    ],
                }
                for line in sums
            ],
        }


def money_columns(admin_instance, request) -> list[str]:
    """Return the names of the list's amount columns (right-aligned by the list's template)."""
    return [
        name
        for name in admin_instance.get_list_display(request)
        if getattr(getattr(admin_instance, name, None), "money", False)
    ]


class CsvExportMixin:
    """A model admin whose list downloads as CSV (the list's columns, its filters, all its pages)."""

    change_list_template = "admin/folio/change_list.html"

    def csv_columns(self, request) -> list[str]:
        """Return the columns of the file: the list's own, without the selection box."""
        return [name for name in self.get_list_display(request) if name != "action_checkbox"]

    def csv_has_currency(self, request) -> bool:
        """Tell whether the file gets a currency column (its amounts are the entity's currency)."""
        return bool(money_columns(self, request))

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export_csv")
        query = request.GET.urlencode()
        context = {
            **(extra_context or {}),
            "csv_export_url": f"{url}?{query}" if query else url,
            "money_columns": money_columns(self, request),
        }
        return super().changelist_view(request, context)

    def get_urls(self):
        opts = self.model._meta
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.csv_export_view),
            name=f"{opts.app_label}_{opts.model_name}_export_csv",
        )
        return [export, *super().get_urls()]

    def csv_export_view(self, request):
        """Stream the list's rows, as filtered, searched and ordered, as a CSV file."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        columns = self.csv_columns(request)
        currency = self.csv_has_currency(request)
        rows = changelist.queryset  # filtered, searched and ordered as the list shows it
        name = f"{self.model._meta.model_name}s-{timezone.localdate().isoformat()}.csv"
        response = StreamingHttpResponse(
            self._csv_lines(columns, rows, currency=currency), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _csv_lines(self, columns: list[str], rows, *, currency: bool):
        writer = csv.writer(_Echo())
        if currency:
            rows = rows.select_related("entity")  # the currency column reads each row's entity
        header = [csv_cell(capfirst(label_for_field(name, self.model, self))) for name in columns]
        yield "\ufeff"  # a byte-order mark: spreadsheets then read the file as UTF-8
        yield writer.writerow([*header, "Currency"] if currency else header)
        for row in rows.iterator(chunk_size=_CHUNK):
            cells = [csv_cell(self._csv_value(name, row)) for name in columns]
            yield writer.writerow([*cells, row.entity.base_currency] if currency else cells)

    def _csv_value(self, name: str, row):
        attr = getattr(self, name, None) or getattr(type(row), name, None)
        raw = getattr(attr, "csv_field", None)
        if raw is not None:
            return _follow(row, raw)
        field, _attr, value = lookup_field(name, row, self)
        if getattr(field, "flatchoices", None):
            return dict(field.flatchoices).get(value, value)  # the label the list shows, not the code
        return value


def _follow(row, dotted: str):
    """Return `row`'s attribute `dotted` (``entity.base_currency`` follows the relation)."""
    for part in dotted.split("."):
        row = getattr(row, part, None)
    return row
