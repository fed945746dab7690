"""Account balances as of a date, read straight from the journal lines."""

import datetime
from decimal import Decimal

from django.db.models import Sum

from erp.models import Entity
from ledger.models import JournalLine
from ledger.reports.open_items import ZERO
from ledger.reports.subledgers import Subledger


def account_balance_as_of(*, entity: Entity, code: str, as_of: datetime.date) -> Decimal:
    """Return an account's debits minus credits over the entries dated up to `as_of`."""
    totals = JournalLine.objects.filter(
        account__entity=entity, account__code=code, entry__date__lte=as_of
    ).aggregate(debits=Sum("debit"), credits=Sum("credit"))
    return (totals["debits"] or ZERO) - (totals["credits"] or ZERO)


def control_balance(source: Subledger, *, entity: Entity, as_of: datetime.date) -> Decimal:
    """Return a ledger's control account balance on `as_of`, positive when it owes or is owed as usual."""
    return source.sign * account_balance_as_of(entity=entity, code=source.account_code, as_of=as_of)
