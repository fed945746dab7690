"""Ledger services: the only write path for accounts and journal entries."""

from ledger.services.accounts import DEFAULT_CHART, account_create, accounts_create_defaults
from ledger.services.journal import (
    LineSpec,
    journal_entry_number,
    journal_entry_post,
    journal_entry_record,
    journal_entry_record_reversal,
    journal_entry_reverse,
    period_open_check,
)

__all__ = [
    "DEFAULT_CHART",
    "LineSpec",
    "account_create",
    "accounts_create_defaults",
    "journal_entry_number",
    "journal_entry_post",
    "journal_entry_record",
    "journal_entry_record_reversal",
    "journal_entry_reverse",
    "period_open_check",
]
