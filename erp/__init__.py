"""Folio's project package and platform: settings, tenancy, API keys, idempotency, errors, ledger."""
