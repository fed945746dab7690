"""Sage Intacct's document-sequence API under /ia/api/v1, an adapter over numbering (docs/dialects.md)."""
