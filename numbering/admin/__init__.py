"""Admin for accountants: sequences (live preview, advance, audit) and the issued-number ledger."""

from numbering.admin import issued_numbers, sequences

__all__ = ["issued_numbers", "sequences"]
