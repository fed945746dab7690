"""The records of each hash chain, read back with the fields their canonical text covers.

The fields are formatted here, in Python, exactly as numbering/chains.py documents them; the database
wrote them in SQL (numbering/migrations/0007_chains.sql, ledger/migrations/0006_journal_chain.sql).
Verifying one against the other is what catches a record rewritten behind the triggers' back.
"""

import dataclasses
from collections import defaultdict
from collections.abc import Iterator

from django.db import connection

from erp.models import Entity
from erp.services.activity import CANONICAL_COLUMNS, committed_unlinked_row
from numbering.chains import chain_time
from numbering.models import Sequence

# The fields of each record type, in canonical order (after the record type and chain position).
RECORD_FIELDS = {
    # The chain names the sequence, and the sequence its entity (both checked apart, see sequence_chain).
    "number": [
        "id",
        "period_id",
        "value",
        "number",
        "document_type",
        "document_id",
        "reference",
        "issued_at",
        "issued_by",
    ],
    "void": ["id", "void_reason", "voided_at", "voided_by"],
    "counter_event": [
        "id",
        "entity_id",
        "sequence_id",
        "period_id",
        "kind",
        "value_before",
        "value_after",
        "reason",
        "actor",
        "created_at",
    ],
    # Then, per line in id order: line id, account id, debit, credit.
    "journal_entry": [
        "id",
        "entity_id",
        "number",
        "date",
        "memo",
        "source_type",
        "source_id",
        "reversal_of_id",
        "posted_at",
        "posted_by",
        "line_count",
    ],
    # The activity log's own scheme (docs/activity.md): these fields alone, seq among them, no record
    # type or position before them, and the previous hash taken as its hex text (see activity_link).
    "activity": [*CANONICAL_COLUMNS, "changes"],
}


@dataclasses.dataclass(frozen=True)
class ChainRecord:
    """One record of a chain: where it stands, what it covers, and the hash stored with it."""

    chain: str
    position: int | None
    record_type: str
    record_id: str
    fields: tuple[str | None, ...]
    chain_hash: str | None
    # A number whose entity is not its sequence's: its text leaves the entity out (the chain implies it).
    misplaced: bool = False
    # The entity a number's row names (exported so the offline verifier can check it as verify_ledger does).
    entity_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Chain:
    """One chain of an entity: its id and its records in position order (unlinked records first)."""

    chain_id: str
    records: list[ChainRecord]


def entity_chains(*, entity: Entity) -> Iterator[Chain]:
    """Yield every chain of an entity: its journal, each of its sequences by name, then its activity log."""
    yield journal_chain(entity=entity)
    for sequence in Sequence.objects.filter(entity=entity).order_by("name", "pk"):
        yield sequence_chain(sequence_id=sequence.pk)
    yield activity_chain(entity=entity)


def _ordered(chain_id: str, records: list[ChainRecord]) -> Chain:
    records.sort(key=lambda r: (r.position is not None, r.position or 0, r.record_type, r.record_id))
    return Chain(chain_id=chain_id, records=records)


def _text(value) -> str | None:
    return None if value is None else str(value)


_NUMBERS_SQL = """
SELECT id, entity_id, sequence_id, period_id, value, number, document_type, document_id, reference, issued_at,
       issued_by, chain_position, chain_hash, status, void_reason, voided_at, voided_by, void_chain_position,
       void_chain_hash
  FROM numbering_issuednumber WHERE sequence_id = %s
"""
_EVENTS_SQL = """
SELECT id, entity_id, sequence_id, period_id, kind, value_before, value_after, reason, actor, created_at,
       chain_position, chain_hash
  FROM numbering_counterevent WHERE sequence_id = %s
"""


def sequence_chain(*, sequence_id) -> Chain:
    """Return the chain of one sequence: its issued numbers, their voids and its counter events."""
    chain_id = f"sequence:{sequence_id}"
    records = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT entity_id FROM numbering_sequence WHERE id = %s", [sequence_id])
        owner = cursor.fetchone()[0]
        cursor.execute(_NUMBERS_SQL, [sequence_id])
        for row in cursor.fetchall():
            (
                id_,
                entity_id,
                _sequence_id,
                period_id,
                value,
                number,
                doc_type,
                doc_id,
                reference,
                issued_at,
            ) = row[:10]
            issued_by, position, chain_hash, status, reason, voided_at, voided_by, void_pos, void_hash = row[
                10:
            ]
            fields = (
                str(id_),
                str(period_id),
                str(value),
                number,
                doc_type,
                doc_id,
                reference,
                chain_time(issued_at),
                issued_by,
            )
            misplaced = entity_id != owner
            records.append(
                ChainRecord(
                    chain_id, position, "number", str(id_), fields, chain_hash, misplaced, str(entity_id)
                )
            )
            if status == "voided" or void_pos is not None or void_hash is not None:
                void_fields = (
                    str(id_),
                    reason,
                    None if voided_at is None else chain_time(voided_at),
                    voided_by,
                )
                records.append(ChainRecord(chain_id, void_pos, "void", str(id_), void_fields, void_hash))
        cursor.execute(_EVENTS_SQL, [sequence_id])
        for row in cursor.fetchall():
            fields = (*(_text(v) for v in row[:9]), chain_time(row[9]))
            records.append(ChainRecord(chain_id, row[10], "counter_event", str(row[0]), fields, row[11]))
    return _ordered(chain_id, records)


_ENTRIES_SQL = """
SELECT id, entity_id, number, date, memo, source_type, source_id, reversal_of_id, posted_at, posted_by,
       chain_position, chain_hash
  FROM erp_journalentry WHERE entity_id = %s AND (number <> '' OR chain_hash IS NOT NULL)
"""
_LINES_SQL = """
SELECT l.entry_id, l.id, l.account_id, l.debit, l.credit
  FROM erp_journalline AS l JOIN erp_journalentry AS e ON e.id = l.entry_id
 WHERE e.entity_id = %s AND (e.number <> '' OR e.chain_hash IS NOT NULL)
 ORDER BY l.entry_id, l.id
"""


def journal_chain(*, entity: Entity) -> Chain:
    """Return the journal chain of an entity: its numbered entries, each with its lines."""
    chain_id = f"journal:{entity.pk}"
    lines = defaultdict(list)
    records = []
    with connection.cursor() as cursor:
        cursor.execute(_LINES_SQL, [entity.pk])
        for entry_id, line_id, account_id, debit, credit in cursor.fetchall():
            lines[entry_id].extend((str(line_id), str(account_id), str(debit), str(credit)))
        cursor.execute(_ENTRIES_SQL, [entity.pk])
        for row in cursor.fetchall():
            entry_id = row[0]
            fields = (
                *(_text(v) for v in row[:3]),
                row[3].isoformat(),
                *(_text(v) for v in row[4:8]),
                chain_time(row[8]),
                row[9],
                str(len(lines[entry_id]) // 4),
                *lines[entry_id],
            )
            records.append(ChainRecord(chain_id, row[10], "journal_entry", str(entry_id), fields, row[11]))
    return _ordered(chain_id, records)


_ACTIVITY_SQL = """
SELECT id::text, entity_id::text, seq, occurred_at, actor_type, actor_id, actor_name, channel, action,
       object_type, object_id, request_id, reason, changes::text, chain_hash
  FROM erp_activity WHERE entity_id = %s AND seq IS NOT NULL
 ORDER BY seq, id
"""


def activity_chain(*, entity: Entity) -> Chain:
    """Return the activity chain of an entity: its linked rows, and a committed row left outside it."""
    chain_id = f"activity:{entity.pk}"
    records = []
    with connection.cursor() as cursor:
        cursor.execute(_ACTIVITY_SQL, [entity.pk])
        for row in cursor.fetchall():
            fields = (row[0], row[1], str(row[2]), chain_time(row[3]), *row[4:14])
            records.append(ChainRecord(chain_id, row[2], "activity", row[0], fields, row[14]))
    # Rows of transactions still open (this one's too) are linked at their commit: not a break yet.
    unlinked = committed_unlinked_row(entity)
    if unlinked is not None:
        records.append(ChainRecord(chain_id, None, "activity", unlinked, (), None))
    return _ordered(chain_id, records)
