"""Ledger read API."""
