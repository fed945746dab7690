"""Numbering state: sequences, their per-period counters, the issued-number ledger, counter events.

The database guards the invariants itself (checks, uniques and the triggers of migrations 0002 and
0003): a counter never goes down, an issued number is never deleted and only its void fields ever
change. See docs/numbering.md.
"""

from numbering.models.chains import ChainHead
from numbering.models.counter_events import CounterEvent
from numbering.models.issued_numbers import IssuedNumber
from numbering.models.periods import NumberingPeriod
from numbering.models.sequences import (
    COUNTER_TYPE_LABELS,
    COUNTER_TYPES,
    MAX_ALPHA_LENGTH,
    MAX_FORMAT_LENGTH,
    MAX_PERIOD_AMOUNT,
    MAX_PREFIX_LENGTH,
    MAX_SEPARATOR_LENGTH,
    STOCK_TRANSFER_TYPES,
    Sequence,
    new_portos_id,
)

__all__ = [
    "COUNTER_TYPES",
    "COUNTER_TYPE_LABELS",
    "MAX_ALPHA_LENGTH",
    "MAX_FORMAT_LENGTH",
    "MAX_PERIOD_AMOUNT",
    "MAX_PREFIX_LENGTH",
    "MAX_SEPARATOR_LENGTH",
    "STOCK_TRANSFER_TYPES",
    "ChainHead",
    "CounterEvent",
    "IssuedNumber",
    "NumberingPeriod",
    "Sequence",
    "new_portos_id",
]
