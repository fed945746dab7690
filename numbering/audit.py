"""The numbering audit: every value of every period is accounted for exactly once.

For each period, every value from its start_value (first) to its last_value (last) must be exactly
one of: issued, voided, or skipped by a recorded counter event (value_before+1..value_after).
Anything uncovered is a gap; a value both issued and skipped is an overlap; an issued value outside
first..last is out of range. Repeats are impossible (unique constraints). The issued values are read
as islands of consecutive values by one window query per period over the (period, value) index, so
a period of a million numbers costs one index scan and returns only the holes.
"""

from django.apps import apps
from django.conf import settings
from django.db import connection

from erp.models import Entity
from numbering.documents import VOID_STATUSES
from numbering.models import CounterEvent, NumberingPeriod, Sequence

# A report lists at most this many disagreements of each kind per sequence: enough to act on.
MAX_LISTED = 1000

# One row per island boundary: the period's first issued value, and every value whose successor
# is not value + 1 (the end of an island; its lead is where the next island starts).
_ISLANDS_SQL = """
SELECT value, next_value, position = 1 AS is_first
  FROM (
      SELECT value,
             lead(value) OVER (ORDER BY value) AS next_value,
             row_number() OVER (ORDER BY value) AS position
        FROM numbering_issuednumber
       WHERE period_id = %s
  ) AS ordered
 WHERE position = 1 OR next_value IS NULL OR next_value <> value + 1
 ORDER BY value
"""
_COUNTS_SQL = """
SELECT count(*) FILTER (WHERE status = 'issued'), count(*) FILTER (WHERE status = 'voided')
  FROM numbering_issuednumber
 WHERE period_id = %s
"""


def sequence_audit(*, sequence: Sequence) -> dict:
    """Return the gap report of one sequence: per period, what covers each value, and what does not."""
    events_by_period: dict = {}
    for event in CounterEvent.objects.filter(sequence=sequence).order_by("value_before", "id"):
        events_by_period.setdefault(event.period_id, []).append(event)
    periods = [
        _period_report(period, events_by_period.get(period.pk, []))
        for period in NumberingPeriod.objects.filter(sequence=sequence).order_by("start")
    ]
    documents = documents_disagreeing(sequence=sequence)
    return {
        "sequence_id": str(sequence.pk),
        "ok": all(_period_ok(period) for period in periods) and not documents,
        "periods": periods,
        "documents": documents,
    }


def documents_disagreeing(*, sequence: Sequence) -> list[dict]:
    """Return where this sequence's numbers and the documents they number disagree.

    Numbering knows no document model: the setting FOLIO_NUMBERED_DOCUMENTS names them (document_type ->
    "app_label.Model.number_field", the counter type numbering them), read through the app registry.
    Reported: a number whose document is missing (`document_missing`) or carries another number
    (`document_carries_another_number`), a voided number whose document is not void
    (`number_voided_document_live`), a number still issued whose document is void
    (`document_void_number_live`: voided before numbers were bound to documents), and a document of
    this sequence's counter type carrying a number that was never issued to it
    (`document_number_not_issued`).
    """
    kinds = []
    for document_type, (target, counter_type) in settings.FOLIO_NUMBERED_DOCUMENTS.items():
        app_model, _, field_name = target.rpartition(".")
        kinds.append((document_type, counter_type, *_table(apps.get_model(app_model), field_name)))
    problems = _numbers_disagreeing(sequence, kinds)
    for document_type, counter_type, table, number, _status in kinds:
        if counter_type == sequence.counter_type:
            problems += _documents_without_number(sequence, document_type, table, number)
    return problems


def _table(model, field_name: str) -> tuple[str, str, str | None]:
    """Return a document model's quoted table, number column and status column (None: never void)."""
    quote = connection.ops.quote_name
    status = next((f.column for f in model._meta.concrete_fields if f.name == "status"), None)
    return (
        quote(model._meta.db_table),
        quote(model._meta.get_field(field_name).column),
        quote(status) if status else None,
    )


def _numbers_disagreeing(sequence: Sequence, kinds: list[tuple]) -> list[dict]:
    """Return the sequence's numbers whose document disagrees, every document type in one statement."""
    parts: list[str] = []
    params: dict = {"entity": sequence.entity_id, "sequence": sequence.pk, "void": list(VOID_STATUSES)}
    for document_type, _counter_type, table, number, status in kinds:
        live = f"d.{status} <> ALL(%(void)s)" if status else "TRUE"
        void = f"d.{status} = ANY(%(void)s)" if status else "FALSE"
        parts.append(
            f"""
            SELECT n.id, n.number, n.document_type, n.document_id, d.{number} AS carried,
                   n.period_id, n.value,
                   CASE WHEN d.id IS NULL THEN 'document_missing'
                        WHEN d.{number} <> n.number THEN 'document_carries_another_number'
                        WHEN n.status = 'voided' THEN 'number_voided_document_live'
                        ELSE 'document_void_number_live' END AS problem
              FROM numbering_issuednumber AS n
              LEFT JOIN {table} AS d ON d.id::text = n.document_id
             WHERE n.entity_id = %(entity)s AND n.document_type = %({document_type}_type)s
               AND n.document_id <> '' AND n.sequence_id = %(sequence)s
               AND (d.id IS NULL OR d.{number} <> n.number OR (n.status = 'voided' AND {live})
                    OR (n.status = 'issued' AND {void}))"""
        )
        params[f"{document_type}_type"] = document_type
    if not parts:
        return []
    sql = f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS found ORDER BY period_id, value LIMIT %(limit)s"
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "limit": MAX_LISTED})
        rows = cursor.fetchall()
    return [
        {
            "problem": problem,
            "document_type": document_type,
            "document_id": document_id,
            "number": issued,
            "document_number": carried,
            "issued_number_id": str(issued_id),
        }
        for issued_id, issued, document_type, document_id, carried, _period, _value, problem in rows
    ]


def _documents_without_number(sequence: Sequence, document_type: str, table: str, number: str) -> list[dict]:
    """Return the entity's documents of a type carrying a number never issued to them."""
    sql = f"""
        SELECT d.id, d.{number}
          FROM {table} AS d
         WHERE d.entity_id = %s AND d.{number} <> ''
           AND NOT EXISTS (
               SELECT 1 FROM numbering_issuednumber AS n
                WHERE n.entity_id = d.entity_id AND n.document_type = %s AND n.document_id = d.id::text
                  AND n.number = d.{number}
           )
         ORDER BY d.id
         LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [sequence.entity_id, document_type, MAX_LISTED])
        rows = cursor.fetchall()
    return [
        {
            "problem": "document_number_not_issued",
            "document_type": document_type,
            "document_id": str(document_id),
            "number": None,
            "document_number": carried,
            "issued_number_id": None,
        }
        for document_id, carried in rows
    ]


def entity_audit(*, entity: Entity) -> dict:
    """Return the gap report of every sequence of an entity."""
    sequences = [sequence_audit(sequence=s) for s in Sequence.objects.filter(entity=entity).order_by("name")]
    return {
        "entity_id": str(entity.pk),
        "ok": all(report["ok"] for report in sequences),
        "sequences": sequences,
    }


def _period_ok(report: dict) -> bool:
    return not (report["gaps"] or report["overlaps"] or report["out_of_range"])


def _period_report(period: NumberingPeriod, events: list[CounterEvent]) -> dict:
    first, last = period.start_value, period.last_value
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL, [period.pk])
        issued, voided = cursor.fetchone()
        cursor.execute(_ISLANDS_SQL, [period.pk])
        islands = _islands(cursor.fetchall())
    skipped = [
        [max(event.value_before + 1, first), min(event.value_after, last), event.pk]
        for event in events
        if event.value_after > event.value_before
        and event.value_before + 1 <= last
        and event.value_after >= first
    ]
    skip_ranges = [(start, end) for start, end, _event in skipped]
    in_range = [(max(lo, first), min(hi, last)) for lo, hi in islands if hi >= first and lo <= last]
    out_of_range = [[lo, hi] for lo, hi in _outside(islands, first, last)]
    return {
        "label": period.label,
        "first": first,
        "last": last,
        "issued": issued,
        "voided": voided,
        "skipped": skipped,
        "gaps": [list(gap) for gap in _uncovered(first, last, in_range + skip_ranges)],
        "overlaps": [list(overlap) for overlap in _overlaps(in_range + skip_ranges)],
        "out_of_range": out_of_range,
    }


def _islands(rows: list[tuple]) -> list[tuple[int, int]]:
    """Turn island boundary rows into (from, to) runs of consecutive issued values."""
    islands = []
    start = None
    for value, next_value, is_first in rows:
        if is_first:
            start = value
        if next_value is None or next_value != value + 1:
            islands.append((start, value))
            start = next_value
    return islands


def _uncovered(first: int, last: int, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the parts of first..last that no range covers."""
    gaps = []
    cursor = first
    for lo, hi in sorted(ranges):
        if lo > cursor:
            gaps.append((cursor, min(lo - 1, last)))
        cursor = max(cursor, hi + 1)
        if cursor > last:
            break
    if cursor <= last:
        gaps.append((cursor, last))
    return [gap for gap in gaps if gap[0] <= gap[1]]


def _overlaps(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the values covered by more than one range (issued and skipped at once)."""
    overlaps = []
    reach = None
    for lo, hi in sorted(ranges):
        if reach is not None and lo <= reach:
            overlaps.append((lo, min(hi, reach)))
        reach = hi if reach is None else max(reach, hi)
    return overlaps


def _outside(islands: list[tuple[int, int]], first: int, last: int) -> list[tuple[int, int]]:
    """Return the issued values below first or above last."""
    outside = []
    for lo, hi in islands:
        if lo < first:
            outside.append((lo, min(hi, first - 1)))
        if hi > last:
            outside.append((max(lo, last + 1), hi))
    return outside
