"""Ledger admin: the chart of accounts, posted journal entries (read-only), the trial balance."""

from ledger.admin import journal  # noqa: F401  (registers the ledger's admin pages)
