"""AR and AP aging: each party's open documents as of a date, in buckets by days past the due date.

Buckets (docs/reports.md): `current` — not yet due or due that very day; `days_1_30`, `days_31_60`,
`days_61_90` — that many days past due; `days_over_90` — 91 days or more. A bill without a due date
is due on its own date. The totals equal the control account's balance on `as_of` (open_items.py).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from erp.models import Entity
from ledger.reports.open_items import ZERO, OpenItem, open_items
from ledger.reports.subledgers import Subledger

# (key, label, the last day past due it holds; None: no end).
BUCKETS: tuple[tuple[str, str, int | None], ...] = (
    ("current", "Current", 0),
    ("days_1_30", "1–30 days", 30),
    ("days_31_60", "31–60 days", 60),
    ("days_61_90", "61–90 days", 90),
    ("days_over_90", "Over 90 days", None),
)
BUCKET_KEYS = tuple(key for key, _, _ in BUCKETS)


def bucket_of(days_overdue: int) -> str:
    """Return the key of the bucket a document `days_overdue` days past its due date falls in."""
    for key, _, last_day in BUCKETS:
        if last_day is None or days_overdue <= last_day:
            return key
    raise AssertionError("the last bucket has no end")


@dataclass
class AgingLine:
    """One party's open amounts by bucket (or the report's totals), with their sum."""

    party_id: object = None
    name: str = ""
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKET_KEYS, ZERO))
    items: list[OpenItem] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """Return the sum of the buckets."""
        return sum(self.amounts.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        """Return what is past its due date."""
        return self.total - self.amounts["current"]

    def add(self, item: OpenItem) -> None:
        """Count one open document in its bucket."""
        self.amounts[bucket_of(item.days_overdue)] += item.open_amount
        self.items.append(item)

    def as_dict(self) -> dict[str, Decimal]:
        """Return the buckets and the total, keyed as the API names them."""
        return {**self.amounts, "total": self.total}


@dataclass
class AgingReport:
    """An aging report of one ledger of one entity as of a date."""

    source: Subledger
    entity: Entity
    as_of: datetime.date
    rows: list[AgingLine]
    totals: AgingLine

    @property
    def currency(self) -> str:
        """Return the currency of every amount (the entity's base currency)."""
        return self.entity.base_currency


def aging_report(source: Subledger, *, entity: Entity, as_of: datetime.date, party_id=None) -> AgingReport:
    """Return the aging of one ledger as of the end of `as_of`, one row per party with anything open."""
    rows: dict[object, AgingLine] = {}
    totals = AgingLine(name="Total")
    for item in open_items(source, entity=entity, as_of=as_of, party_id=party_id):
        line = rows.get(item.party_id)
        if line is None:
            line = rows[item.party_id] = AgingLine(party_id=item.party_id, name=item.party_name)
        line.add(item)
        totals.amounts[bucket_of(item.days_overdue)] += item.open_amount
    return AgingReport(source=source, entity=entity, as_of=as_of, rows=list(rows.values()), totals=totals)
