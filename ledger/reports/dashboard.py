"""The home page's figures for one entity: what customers owe and is overdue, what is due to vendors in
the coming week, vendor credits left to spend, and the numbering's health.

The money figures come from the same aging reports as /v1/reports/… (as of today), so the home page
and the reports never disagree.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from erp.exceptions import FolioError
from erp.models import Entity
from ledger.reports.aging import AgingReport, aging_report
from ledger.reports.open_items import ZERO
from ledger.reports.subledgers import PAYABLE, RECEIVABLE, subledger
from numbering.audit import entity_audit
from numbering.models import Sequence
from numbering.selectors import sequence_next_value

# "Due soon": due today or within the next this many days.
DUE_SOON_DAYS = 7
# The numbering audit reads every issued number and numbered document of the entity: the home page
# reuses its outcome for this long (the audit page and `audit_numbering` always run it afresh).
AUDIT_CACHE_SECONDS = 300
# A bounded sequence with no warning threshold of its own is "near its end" when this share of its
# range, or less, is left in the current period.
NEAR_END_SHARE = Decimal("0.10")


@dataclass(frozen=True)
class LowSequence:
    """A sequence running out of numbers in its current period."""

    sequence: Sequence
    remaining: int


@dataclass(frozen=True)
class EntitySummary:
    """What the home page shows for one entity, as of `today`."""

    entity: Entity
    today: datetime.date
    receivables: AgingReport
    payables: AgingReport
    payables_due_soon: Decimal
    payables_due_soon_count: int
    credits_available: Decimal | None
    audit_ok: bool
    audited_at: datetime.datetime
    sequences_with_gaps: list[Sequence]
    sequences_near_end: list[LowSequence]

    @property
    def receivables_overdue(self) -> Decimal:
        """Return what customers owe past its due date."""
        return self.receivables.totals.overdue

    @property
    def payables_overdue(self) -> Decimal:
        """Return what is owed to vendors past its due date."""
        return self.payables.totals.overdue


def entity_summary(*, entity: Entity, today: datetime.date) -> EntitySummary:
    """Return the home page's figures for `entity` as of the end of `today`."""
    payable = subledger(PAYABLE)
    payables = aging_report(payable, entity=entity, as_of=today)
    due_soon = [
        item
        for row in payables.rows
        for item in row.items
        if -DUE_SOON_DAYS <= item.days_overdue <= 0 and item.open_amount > 0
    ]
    audited_at, failing = _audit(entity)
    # Each bounded sequence's counter is read from its prefetched periods: no query per sequence.
    rows = Sequence.objects.filter(entity=entity).select_related("entity").prefetch_related("periods")
    sequences = {str(sequence.pk): sequence for sequence in rows}
    return EntitySummary(
        entity=entity,
        today=today,
        receivables=aging_report(subledger(RECEIVABLE), entity=entity, as_of=today),
        payables=payables,
        payables_due_soon=sum((item.open_amount for item in due_soon), ZERO),
        payables_due_soon_count=len(due_soon),
        credits_available=payable.credits(entity=entity, on=today),
        audit_ok=not failing,
        audited_at=audited_at,
        sequences_with_gaps=[sequences[pk] for pk in failing if pk in sequences],
        sequences_near_end=_near_end(sequences.values(), today),
    )


def audit_cache_key(entity: Entity) -> str:
    """Return the cache key of the entity's last numbering audit outcome."""
    return f"folio:home:numbering-audit:{entity.pk}"


def _audit(entity: Entity) -> tuple[datetime.datetime, list[str]]:
    """Return when the entity's numbering was audited and the ids of the sequences that failed it."""
    key = audit_cache_key(entity)
    outcome = cache.get(key)
    if outcome is None:
        report = entity_audit(entity=entity)
        outcome = (
            timezone.now(),
            [sequence["sequence_id"] for sequence in report["sequences"] if not sequence["ok"]],
        )
        cache.set(key, outcome, AUDIT_CACHE_SECONDS)
    return outcome


def _near_end(sequences, today: datetime.date) -> list[LowSequence]:
    """Return the active bounded sequences at or below their warning threshold (or the last 10 %) today."""
    low = []
    for sequence in sorted(sequences, key=lambda s: s.name):
        if sequence.ending_number is None or sequence.status != Sequence.Status.ACTIVE:
            continue
        try:
            remaining = max(0, sequence.ending_number - sequence_next_value(sequence, today) + 1)
        except FolioError:  # no period holds today yet: nothing runs out today
            continue
        threshold = sequence.warning_threshold
        if threshold is None:
            size = sequence.ending_number - sequence.starting_number + 1
            threshold = int(size * NEAR_END_SHARE)
        if remaining <= threshold:
            low.append(LowSequence(sequence=sequence, remaining=remaining))
    return low
