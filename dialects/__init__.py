"""The Intacct and PORTOS APIs served unchanged ("dialects"): adapters over numbering (docs/dialects.md)."""
