"""Test books: their sequences are copies of the live entity's definitions, with counters of their own.

Each live sequence is created again in the test books (erp/services/modes.py) through sequence_create,
with the same layout, range and reset; nothing issued, no counter event and no period is copied, so
test numbers start where a new sequence starts. Periods are cut again as the test books issue.
"""

from erp.models import Entity
from numbering.models import Sequence
from numbering.services.configuration import SETTABLE_FIELDS
from numbering.services.sequences import sequence_create

ACTOR = "system:test_books"


def sequences_copy_to_test_books(*, entity: Entity, live_entity: Entity) -> list[Sequence]:
    """Create in new test books a copy of every sequence of their live entity (names not yet taken)."""
    taken = set(Sequence.objects.filter(entity=entity).values_list("name", flat=True))
    return [
        sequence_create(
            entity=entity, actor=ACTOR, **{name: getattr(sequence, name) for name in SETTABLE_FIELDS}
        )
        for sequence in Sequence.objects.filter(entity=live_entity).order_by("created_at", "name")
        if sequence.name not in taken
    ]
