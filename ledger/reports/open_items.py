"""Open items as of a date: what each posted document still owed at the end of that day.

"As of" is read from the journal, not from today's balances: a document counts from the date of the
entry that posted it until the date of the entry that voided it, and a payment reduces it from its
own entry's date until its void's. A document paid or voided after `as_of` is therefore still open
as of `as_of`, and the open items of a ledger always sum to its control account's balance on that
day (ledger/reports/aging.py relies on it; tests/ledger/test_reports.py proves it). A draft, never
posted, has no entry and never counts.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from erp.models import Entity
from ledger.reports.subledgers import Subledger

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class OpenItem:
    """One document with something still open on `as_of` (negative if paid before it was posted)."""

    document: object  # the invoice or bill, with its party loaded
    party_id: object
    party_name: str
    number: str
    document_date: datetime.date
    due_date: datetime.date
    total: Decimal
    open_amount: Decimal
    days_overdue: int  # 0 or less: not yet due on `as_of`


def in_force(prefix: str, as_of: datetime.date) -> Q:
    """Return the condition that the row at `prefix` was posted by `as_of` and not voided by then."""
    return Q(**{f"{prefix}journal_entry__date__lte": as_of}) & (
        Q(**{f"{prefix}void_journal_entry__isnull": True})
        | Q(**{f"{prefix}void_journal_entry__date__gt": as_of})
    )


def open_items(source: Subledger, *, entity: Entity, as_of: datetime.date, party_id=None) -> list[OpenItem]:
    """Return the documents of one ledger with an open amount on `as_of`, by party, oldest due first."""
    date_field = source.document_date_field
    documents = source.document_model.objects.filter(entity=entity)
    if party_id is not None:
        documents = documents.filter(**{f"{source.party_field}_id": party_id})
    documents = (
        documents.annotate(
            # An aggregate (the same value on every joined row), not a grouped expression: with
            # server-side binding (erp/settings.py) the GROUP BY's copy of `as_of` is another
            # parameter, and PostgreSQL would not take the two expressions for the same one.
            posted=Max(
                Case(When(in_force("", as_of), then=F("total")), default=Value(ZERO), output_field=_MONEY)
            ),
            paid=Coalesce(
                Sum("applications__amount_applied", filter=in_force("applications__payment__", as_of)),
                Value(ZERO),
                output_field=_MONEY,
            ),
            due=Coalesce("due_date", date_field),
        )
        .annotate(open_amount=F("posted") - F("paid"))
        .exclude(open_amount=0)
        .select_related(source.party_field)
        .order_by(f"{source.party_field}__name", source.party_field, "due", date_field, "number")
    )
    items = []
    for document in documents:
        party = getattr(document, source.party_field)
        items.append(
            OpenItem(
                document=document,
                party_id=party.pk,
                party_name=party.name,
                number=document.number,
                document_date=getattr(document, date_field),
                due_date=document.due,
                total=document.total,
                open_amount=document.open_amount,
                days_overdue=(as_of - document.due).days,
            )
        )
    return items
