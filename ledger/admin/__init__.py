"""Ledger admin: the chart of accounts and the trial balance, posted journal entries (read-only)."""

from ledger.admin import accounts, journal, proof

__all__ = ["accounts", "journal", "proof"]
