"""Ledger models: the chart of accounts, journal entries and their lines."""

from ledger.models.journal import MONEY, Account, JournalEntry, JournalLine

__all__ = ["MONEY", "Account", "JournalEntry", "JournalLine"]
