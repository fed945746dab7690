"""The seeds' own APIs served unchanged ("dialects"): adapters over numbering services (docs/dialects.md)."""
