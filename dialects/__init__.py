"""The seeds' own APIs served unchanged ("dialects"): thin adapters over the numbering services (docs/dialects.md)."""
