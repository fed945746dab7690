"""Ledger reads: the chart, journal entries, the trial balance and account balances."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from erp.models import Entity
from ledger.models import Account, JournalEntry


def accounts_for_entity(*, entity: Entity) -> QuerySet[Account]:
    """Return an entity's chart of accounts, by code."""
    return Account.objects.filter(entity=entity).order_by("code")


def journal_entries_for_entity(*, entity: Entity) -> QuerySet[JournalEntry]:
    """Return an entity's journal entries with their lines and accounts, newest first."""
    return (
        JournalEntry.objects.filter(entity=entity)
        .select_related("reversal_of")
        .prefetch_related("lines__account")
        .order_by("-posted_at")
    )


@dataclass(frozen=True)
class TrialBalanceRow:
    """One account's net balance, shown in the debit or the credit column."""

    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class TrialBalance:
    """Every account's net balance up to a date; debits equal credits when the books are whole."""

    entity: Entity
    as_of: datetime.date | None
    rows: list[TrialBalanceRow]
    total_debit: Decimal
    total_credit: Decimal

    @property
    def balanced(self) -> bool:
        """Return whether the debit and credit columns agree."""
        return self.total_debit == self.total_credit


_ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))


def trial_balance(*, entity: Entity, as_of: datetime.date | None = None) -> TrialBalance:
    """Return the trial balance of an entity, counting entries dated up to `as_of` (all when None)."""
    dated = Q(lines__entry__date__lte=as_of) if as_of else Q()
    accounts = accounts_for_entity(entity=entity).annotate(
        debits=Coalesce(Sum("lines__debit", filter=dated), _ZERO),
        credits=Coalesce(Sum("lines__credit", filter=dated), _ZERO),
    )
    rows = []
    for account in accounts:
        net = account.debits - account.credits
        rows.append(
            TrialBalanceRow(
                code=account.code,
                name=account.name,
                type=account.type,
                debit=net if net > 0 else Decimal("0.00"),
                credit=-net if net < 0 else Decimal("0.00"),
            )
        )
    return TrialBalance(
        entity=entity,
        as_of=as_of,
        rows=rows,
        total_debit=sum((row.debit for row in rows), Decimal("0.00")),
        total_credit=sum((row.credit for row in rows), Decimal("0.00")),
    )


def account_balance(*, entity: Entity, code: str) -> Decimal:
    """Return an account's debits minus its credits (negative for a credit balance)."""
    totals = Account.objects.filter(entity=entity, code=code).aggregate(
        debits=Coalesce(Sum("lines__debit"), _ZERO), credits=Coalesce(Sum("lines__credit"), _ZERO)
    )
    return totals["debits"] - totals["credits"]
