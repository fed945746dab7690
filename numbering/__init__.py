"""Gapless numbering: sequences, numbering periods, the issued-number ledger, counters, audit."""
