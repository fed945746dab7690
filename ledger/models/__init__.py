"""Ledger models: the chart of accounts, journal entries and their lines."""

from ledger.models.accounts import Account, AccountType
from ledger.models.checkpoints import LedgerCheckpoint
from ledger.models.journal import MONEY, JournalEntry, JournalLine

__all__ = ["MONEY", "Account", "AccountType", "JournalEntry", "JournalLine", "LedgerCheckpoint"]
