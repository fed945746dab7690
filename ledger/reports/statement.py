"""A party's statement over a period: the balance brought forward, each posting in the period, the
balance carried forward, and what is still open at the end, aged.

Like the aging (open_items.py), it reads dates from the journal: a document or payment appears on its
entry's date, its void on the void entry's date, and the closing balance equals the open items on `to`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, Sum

from erp.models import Entity
from ledger.reports.aging import AgingLine, aging_report
from ledger.reports.open_items import ZERO, OpenItem
from ledger.reports.subledgers import Subledger

INVOICE, INVOICE_VOID, PAYMENT, PAYMENT_VOID = "document", "document_void", "payment", "payment_void"


@dataclass(frozen=True)
class StatementLine:
    """One posting in the period: positive when the party owes (or is owed) more after it."""

    date: datetime.date
    type: str  # document | document_void | payment | payment_void
    object_id: object
    reference: str
    description: str
    amount: Decimal
    balance: Decimal
    posted_at: datetime.datetime


@dataclass(frozen=True)
class Statement:
    """A party's statement from `date_from` to `date_to`, both included."""

    source: Subledger
    entity: Entity
    party: object
    date_from: datetime.date
    date_to: datetime.date
    opening_balance: Decimal
    lines: list[StatementLine]
    closing_balance: Decimal
    open_items: list[OpenItem]
    aging: AgingLine

    @property
    def currency(self) -> str:
        """Return the currency of every amount."""
        return self.entity.base_currency


def statement(
    source: Subledger, *, entity: Entity, party, date_from: datetime.date, date_to: datetime.date
) -> Statement:
    """Return `party`'s statement for the period; `party` must belong to `entity` (the caller checks)."""
    opening = ZERO
    if date_from > datetime.date.min:  # nothing can be dated before the first day of the calendar
        before = date_from - datetime.timedelta(days=1)
        opening = aging_report(source, entity=entity, as_of=before, party_id=party.pk).totals.total
    postings = sorted(
        _postings(source, entity=entity, party=party, date_from=date_from, date_to=date_to),
        key=lambda posting: (posting[0], posting[1], posting[2], str(posting[3].pk)),
    )
    lines, balance = [], opening
    for date, posted_at, kind, row, reference, description, amount in postings:
        balance += amount
        lines.append(
            StatementLine(
                date=date,
                type=kind,
                object_id=row.pk,
                reference=reference,
                description=description,
                amount=amount,
                balance=balance,
                posted_at=posted_at,
            )
        )
    at_end = aging_report(source, entity=entity, as_of=date_to, party_id=party.pk)
    return Statement(
        source=source,
        entity=entity,
        party=party,
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        lines=lines,
        closing_balance=balance,
        open_items=[item for row in at_end.rows for item in row.items],
        aging=at_end.totals,
    )


def _in_period(prefix: str, date_from: datetime.date, date_to: datetime.date) -> Q:
    return Q(**{f"{prefix}__date__gte": date_from, f"{prefix}__date__lte": date_to})


def _postings(source: Subledger, *, entity, party, date_from, date_to) -> list[tuple]:
    """Return (date, posted_at, type, row, reference, description, amount) for each posting in the period."""
    label = source.document_label.capitalize()
    of_party = {"entity": entity, source.party_field: party}
    postings = []
    documents = source.document_model.objects.filter(**of_party).filter(
        _in_period("journal_entry", date_from, date_to) | _in_period("void_journal_entry", date_from, date_to)
    )
    for document in documents.select_related("journal_entry", "void_journal_entry"):
        entry, void = document.journal_entry, document.void_journal_entry
        if date_from <= entry.date <= date_to:
            due = document.due_date or getattr(document, source.document_date_field)
            postings.append(
                (
                    entry.date,
                    entry.posted_at,
                    INVOICE,
                    document,
                    document.number,
                    f"{label}, due {due.isoformat()}",
                    document.total,
                )
            )
        if void is not None and date_from <= void.date <= date_to:
            postings.append(
                (
                    void.date,
                    void.posted_at,
                    INVOICE_VOID,
                    document,
                    document.number,
                    f"{label} voided: {document.void_reason}",
                    -document.total,
                )
            )
    document_field = _document_field(source)
    applications = source.payment_model._meta.get_field("applications").related_model.objects.select_related(
        document_field
    )
    payments = (
        source.payment_model.objects.filter(**of_party)
        .filter(
            _in_period("journal_entry", date_from, date_to)
            | _in_period("void_journal_entry", date_from, date_to)
        )
        .annotate(applied=Sum("applications__amount_applied"))
        .select_related("journal_entry", "void_journal_entry")
        .prefetch_related(Prefetch("applications", queryset=applications, to_attr="applied_rows"))
    )
    for payment in payments:
        entry, void = payment.journal_entry, payment.void_journal_entry
        reference = getattr(payment, "number", "") or entry.number
        numbers = sorted(str(getattr(row, document_field).number) for row in payment.applied_rows)
        description = "Payment" + (f", check {payment.check_number}" if payment.check_number else "")
        description += f", applied to {', '.join(numbers)}" if numbers else ""
        applied = payment.applied or ZERO
        if date_from <= entry.date <= date_to:
            postings.append((entry.date, entry.posted_at, PAYMENT, payment, reference, description, -applied))
        if void is not None and date_from <= void.date <= date_to:
            postings.append(
                (
                    void.date,
                    void.posted_at,
                    PAYMENT_VOID,
                    payment,
                    reference,
                    f"Payment voided: {payment.void_reason}",
                    applied,
                )
            )
    return postings


def _document_field(source: Subledger) -> str:
    """Return the name of an application's reference to its document ("invoice", "bill")."""
    applications = source.payment_model._meta.get_field("applications").related_model
    for model_field in applications._meta.get_fields():
        if getattr(model_field, "related_model", None) is source.document_model and model_field.many_to_one:
            return model_field.name
    raise LookupError(f"{applications.__name__} has no reference to {source.document_model.__name__}")
