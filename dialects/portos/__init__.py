"""PORTOS stock transfer numberings under /portos, over numbering's services (docs/dialects.md)."""
