"""Numbering services: the only write path for sequences, periods, issued numbers and counters."""

from numbering.services.counters import counter_advance, counter_advance_check, migration_counters_advance
from numbering.services.issuing import (
    counter_type_issue_next,
    document_number_void,
    issued_number_void,
    sequence_issue_block,
    sequence_issue_block_to_caller,
    sequence_issue_next,
    sequence_issue_next_to_caller,
)
from numbering.services.periods import period_create
from numbering.services.sequences import (
    sequence_create,
    sequence_delete,
    sequence_update,
    sequences_create_defaults,
    sequences_create_demo,
)

__all__ = [
    "counter_advance",
    "counter_advance_check",
    "counter_type_issue_next",
    "document_number_void",
    "issued_number_void",
    "migration_counters_advance",
    "period_create",
    "sequence_create",
    "sequence_delete",
    "sequence_issue_block",
    "sequence_issue_block_to_caller",
    "sequence_issue_next",
    "sequence_issue_next_to_caller",
    "sequence_update",
    "sequences_create_defaults",
    "sequences_create_demo",
]
