"""Issuing numbers: the one function documents call, its block variant, and voiding.

A number is gapless only if it commits in the same transaction as the document that carries it.
The issuing functions therefore join the caller's transaction, and the caller must take the number
LAST, just before commit: the period row stays locked from the number to the commit, so that
window is the throughput of the whole sequence.
"""

import datetime
import functools
import gc
import time
import uuid
import weakref
from collections import abc

import psycopg
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from erp.exceptions import Conflict, FolioError, InvalidInput, NotFound
from erp.models import Entity
from erp.services.activity import activity_record
from erp.text import refuse_control_characters
from erp.transactions import nested_atomic
from numbering.chains import chain_field, chain_time
from numbering.documents import document_is_void
from numbering.models import IssuedNumber, NumberingPeriod, Sequence
from numbering.periods import PeriodBounds, fiscal_year_start_month_of, period_bounds, period_rule
from numbering.rendering import Template, format_template
from numbering.selectors import sequence_of_counter_type
from numbering.services.configuration import reason_checked
from numbering.services.locks import lock_timeout_ms, sequence_busy_error
from numbering.services.periods import period_ensure

MAX_BLOCK = 10_000
UNBOUNDED = 2**63 - 1

# One statement takes the numbers: bump the period's counter (its row lock is the
# select_for_update lock, held to commit) and insert the issued rows, rendered in SQL from the
# template resolved in Python. set_config() bounds the lock wait for the rest of the transaction;
# as a volatile filter of the UPDATE it runs when the row is found, before the row lock is
# attempted. The counter only moves if the sequence is still active at the version the template
# was built from and the range is not exhausted; zero rows says which is not the case (see _take).
# Ids: one random UUIDv4 per statement with each row's offset in the block XORed into its last 48
# bits, so a 10,000-number block asks the kernel for randomness once, not 10,000 times; a single
# number's id is that UUIDv4 itself. The statement returns only the period's row: each number's id
# and text follow from its value (IssuedBlock), so a block is not sent back row by row.
# The same statement links the numbers onto the sequence's hash chain (docs/audit.md, "Hash chains"):
# once the period's row is locked, `head` locks the chain's head row (FOR UPDATE: every writer of the
# chain takes it, and it returns the head as the last one committed it), `links` folds each number's
# canonical text into the previous hash (a recursive CTE: one row per number, no round trip and no row
# trigger), and the head moves to the last link. `linked` says the numbers were written: a sequence
# without a head row (only a superuser could remove it) is an error, never a number without its row.
# Each number's id and text are computed once, in the LATERAL subquery (OFFSET 0 keeps the planner
# from copying the expressions into the hash and the insert). The canonical text is
# numbering_number_chain_fields() of
# numbering/migrations/0008_chain_links_binary.sql, its constant fields (the tail: document,
# reference, time, actor) rendered once in Python.
_TAKE_SQL = """
WITH RECURSIVE bump AS (
    UPDATE numbering_numberingperiod AS p
       SET last_value = p.last_value + %(count)s
     WHERE p.sequence_id = %(sequence_id)s
       AND p.start = %(start)s
       AND p.last_value <= %(limit)s - %(count)s
       AND EXISTS (
           SELECT 1 FROM numbering_sequence AS s
            WHERE s.id = %(sequence_id)s AND s.version = %(version)s AND s.status = 'active'
       )
       AND set_config('lock_timeout', %(lock_timeout)s, true) IS NOT NULL
    RETURNING p.id, p.start, p."end", p.label, p.start_value, p.last_value, p.created_at,
              p.last_value - %(count)s + 1 AS first_value
), head AS (
    SELECT bump.id AS period_id, bump.first_value, bump.last_value, h.position, decode(h.hash, 'hex') AS hash,
           length(bump.id::text) || ':' || bump.id || ',' AS fixed
      FROM bump, LATERAL (
          SELECT c.position, c.hash FROM numbering_chainhead AS c WHERE c.chain_id = %(chain_id)s FOR UPDATE
      ) AS h
), links (value, position, id, number, hash) AS (
    SELECT n.value, n.position, n.id, n.number, {link_first}
      FROM head, LATERAL ({number_first} OFFSET 0) AS n
     UNION ALL
    SELECT n.value, n.position, n.id, n.number, {link_next}
      FROM links AS l, head, LATERAL ({number_next} OFFSET 0) AS n
     WHERE l.value < head.last_value
), issued AS (
    INSERT INTO numbering_issuednumber
        (id, entity_id, sequence_id, period_id, value, number, unique_in_period, status, document_type,
         document_id, reference, issued_at, issued_by, void_reason, voided_by, chain_position, chain_hash)
    SELECT l.id::uuid, %(entity_id)s, %(sequence_id)s, head.period_id, l.value, l.number,
           %(unique_in_period)s, 'issued', %(document_type)s, %(document_id)s, %(reference)s, %(issued_at)s,
           %(issued_by)s, '', '', l.position, encode(l.hash, 'hex')
      FROM head, links AS l
), moved AS (
    UPDATE numbering_chainhead AS c
       SET position = l.position, hash = encode(l.hash, 'hex')
      FROM head, links AS l
     WHERE c.chain_id = %(chain_id)s AND l.value = head.last_value
)
SELECT bump.id, bump.start, bump."end", bump.label, bump.start_value, bump.last_value, bump.created_at,
       bump.first_value, EXISTS (SELECT 1 FROM links) AS linked
  FROM bump
"""
# One number: its value v, chain position, id (text) and printed text.
_NUMBER_SQL = (
    "SELECT {v} AS value, {position} AS position,"
    " %(id_prefix)s || lpad(to_hex(%(id_tail)s::bigint # ({v} - head.first_value)), 12, '0') AS id,"
    " %(head)s || {number_sql} || %(tail)s AS number"
)
# lpad truncates, so widen to the digits' own length first: padding never cuts a number.
_NUMERIC_SQL = "lpad(({v})::text, greatest(%(width)s, length(({v})::text)), '0')"
_ALPHA_SQL = "numbering_alpha_text({v}, %(width)s)"
# SHA-256(previous hash's bytes || "6:number," position, id, period, value, text, tail), kept as bytes
# from one number to the next and written in hex.
_LINK_SQL = (
    "sha256({previous} || convert_to('6:number,' || length(n.position::text) || ':' || n.position"
    " || ',36:' || n.id || ',' || head.fixed || length(n.value::text) || ':' || n.value || ','"
    " || octet_length(n.number) || ':' || n.number || ',' || %(chain_tail)s, 'UTF8'))"
)


def _take_sql(number_sql: str) -> str:
    """Return the issuing statement for one way of printing the value (numeric or alpha)."""

    def number(v: str, position: str) -> str:
        return _NUMBER_SQL.format(v=v, position=position, number_sql=number_sql.format(v=v))

    return _TAKE_SQL.format(
        link_first=_LINK_SQL.format(previous="head.hash"),
        number_first=number("head.first_value", "head.position + 1"),
        link_next=_LINK_SQL.format(previous="l.hash"),
        number_next=number("(l.value + 1)", "l.position + 1"),
    )


_TAKE_SQLS = {False: _take_sql(_NUMERIC_SQL), True: _take_sql(_ALPHA_SQL)}

# One number (count == 1, the hot path: a document takes one number per transaction) has a statement of
# its own: the block statement's work without its machinery (no recursive CTE, no LATERAL subqueries, no
# separate lock and update of the head). Its link is made by folio_chain_link()
# (numbering/migrations/0010_chain_link_fresh_head.sql), called once the period's row is locked: ONE
# UPDATE of the head row that computes the link from the head it moves, under a snapshot taken at the
# call. An issuer that waited for the period's row would otherwise see a stale head in the statement's
# own snapshot and re-check it (EvalPlanQual re-initialises every CTE of the statement), inside the lock
# window the other issuers wait for (docs/benchmarks.md, "Hash chains"). Same canonical text, same hash
# as the block statement; the number's id and its field come from Python (the block's first id), its text
# is rendered once in the period's RETURNING. No head row: the function returns nothing, nothing is
# inserted and `linked` is false, as in the block statement.
_TAKE_ONE_SQL = """
WITH bump AS (
    UPDATE numbering_numberingperiod AS p
       SET last_value = p.last_value + 1
     WHERE p.sequence_id = %(sequence_id)s
       AND p.start = %(start)s
       AND p.last_value <= %(limit)s - 1
       AND EXISTS (
           SELECT 1 FROM numbering_sequence AS s
            WHERE s.id = %(sequence_id)s AND s.version = %(version)s AND s.status = 'active'
       )
       AND set_config('lock_timeout', %(lock_timeout)s, true) IS NOT NULL
    RETURNING p.id, p.start, p."end", p.label, p.start_value, p.last_value, p.created_at,
              %(head)s || {number_sql} || %(tail)s AS number
), issued AS (
    INSERT INTO numbering_issuednumber
        (id, entity_id, sequence_id, period_id, value, number, unique_in_period, status, document_type,
         document_id, reference, issued_at, issued_by, void_reason, voided_by, chain_position, chain_hash)
    SELECT %(id)s::uuid, %(entity_id)s, %(sequence_id)s, bump.id, bump.last_value, bump.number,
           %(unique_in_period)s, 'issued', %(document_type)s, %(document_id)s, %(reference)s, %(issued_at)s,
           %(issued_by)s, '', '', l.link_position, l.link_hash
      FROM bump, folio_chain_link(
               %(chain_id)s, 'number', %(id_field)s || length(bump.id::text) || ':' || bump.id || ','
               || length(bump.last_value::text) || ':' || bump.last_value || ',' || octet_length(bump.number)
               || ':' || bump.number || ',' || %(chain_tail)s
           ) AS l
    RETURNING 1
)
SELECT bump.id, bump.start, bump."end", bump.label, bump.start_value, bump.last_value, bump.created_at,
       bump.last_value AS first_value, EXISTS (SELECT 1 FROM issued) AS linked
  FROM bump
"""
_TAKE_ONE_SQLS = {
    alpha: _TAKE_ONE_SQL.format(number_sql=number_sql.format(v="p.last_value"))
    for alpha, number_sql in ((False, _NUMERIC_SQL), (True, _ALPHA_SQL))
}


def sequence_issue_next(
    *,
    sequence: Sequence,
    date: datetime.date | None = None,
    reference: str = "",
    document_type: str = "",
    document_id: str = "",
    issued_by: str = "",
) -> IssuedNumber:
    """Take the next number of a sequence for a document dated `date`; call it LAST, just before commit.

    Joins the caller's transaction: the number and the document commit or roll back together,
    which is what makes the sequence gapless. The period's counter stays locked until that commit,
    so everything else the document needs (validation, inserts, postings) must happen before.
    """
    return _issue(
        sequence,
        count=1,
        on=date,
        reference=reference,
        document_type=document_type,
        document_id=document_id,
        issued_by=issued_by,
    )[0]


def sequence_issue_block(
    *,
    sequence: Sequence,
    count: int,
    date: datetime.date | None = None,
    reference: str = "",
    issued_by: str = "",
) -> "IssuedBlock":
    """Take `count` contiguous numbers in one statement (imports, batch runs); call it last as well.

    Returns them as an IssuedBlock: a sequence of IssuedNumber, built as they are read.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_BLOCK:
        raise InvalidInput(f"count must be 1–{MAX_BLOCK}.", code="invalid_count", param="count")
    return _issue(
        sequence,
        count=count,
        on=date,
        reference=reference,
        document_type="",
        document_id="",
        issued_by=issued_by,
    )


def sequence_issue_next_to_caller(
    *, sequence: Sequence, date: datetime.date | None, reference: str, issued_by: str
) -> IssuedNumber:
    """Issue one number to an API caller (no document of ours): logged first, then taken last."""
    with nested_atomic():  # no savepoint (and its RELEASE after the number) in an Idempotency-Key's
        _record_issued_to_caller(sequence, count=1, reference=reference)
        return sequence_issue_next(
            sequence=sequence, date=date, reference=reference, document_type="api", issued_by=issued_by
        )


def sequence_issue_block_to_caller(
    *, sequence: Sequence, count: int, date: datetime.date | None, reference: str, issued_by: str
) -> "IssuedBlock":
    """Issue a block of numbers to an API caller: logged first, then taken last."""
    with nested_atomic():
        _record_issued_to_caller(sequence, count=count, reference=reference)
        return sequence_issue_block(
            sequence=sequence, count=count, date=date, reference=reference, issued_by=issued_by
        )


def _record_issued_to_caller(sequence: Sequence, *, count: int, reference: str) -> None:
    """Record numbers issued to a caller in the activity log, BEFORE they are taken.

    From the number to the commit the sequence is locked: a row written after the number would make
    every other issuer wait for it. The numbers themselves are in the issued-number ledger, each with
    its issuer and time; this row adds the channel and the request (docs/activity.md).
    """
    activity_record(
        action="sequence.numbers_issued",
        obj=sequence,
        changes={"count": [None, count], "reference": [None, reference]},
    )


def counter_type_issue_next(
    *,
    entity: Entity,
    counter_type: str,
    date: datetime.date | None,
    document_type: str,
    document_id: str,
    issued_by: str = "",
) -> IssuedNumber:
    """Take the next number for a document from the entity's sequence bound to `counter_type`."""
    sequence = sequence_of_counter_type(entity=entity, counter_type=counter_type)
    if sequence is None:
        raise NotFound(
            f"This entity has no sequence for {counter_type!r} documents.",
            code="counter_not_found",
            param="counter_type",
        )
    sequence.entity = entity
    return sequence_issue_next(
        sequence=sequence,
        date=date,
        document_type=document_type,
        document_id=str(document_id),
        issued_by=issued_by,
    )


@transaction.atomic
def issued_number_void(*, issued_number: IssuedNumber, reason: str, voided_by: str) -> IssuedNumber:
    """Void an issued number: it stays in the ledger, marked voided with why, when and by whom.

    A number a document carries is voided only by voiding that document (document_number_void),
    so a number and its document never disagree (docs/activity.md, "Numbers agree with documents").
    """
    reason = reason_checked(reason, action="number is voided")
    locked = IssuedNumber.objects.select_for_update(of=("self",)).get(pk=issued_number.pk)
    if locked.status == IssuedNumber.Status.VOIDED:
        raise Conflict(f"{locked.number} is already voided.", code="already_void")
    if locked.document_id and not document_is_void(locked.document_type, locked.document_id):
        # A number whose document is already void (voided before numbers were bound to documents) is
        # voided on its own: its document can no longer void it (the database allows it too).
        noun = locked.document_type.replace("_", " ")
        raise Conflict(
            f"{locked.number} is the number of {noun} {locked.document_id}: void the {noun} instead; "
            "its number is voided with it.",
            code="number_bound_to_document",
        )
    return _void(locked, reason=reason, voided_by=voided_by)


def document_number_void(
    *, entity_id, document_type: str, document_id: str, reason: str, voided_by: str
) -> IssuedNumber | None:
    """Void the number a document carries, as part of voiding the document (in its transaction).

    Returns None when the document carries no number of its own (a payment numbered only by its
    journal entry).
    """
    locked = (
        IssuedNumber.objects.select_for_update(of=("self",))
        .filter(entity_id=entity_id, document_type=document_type, document_id=str(document_id))
        .exclude(status=IssuedNumber.Status.VOIDED)
        .first()
    )
    if locked is None:
        return None
    return _void(locked, reason=reason, voided_by=voided_by, record=False)


def _void(locked: IssuedNumber, *, reason: str, voided_by: str, record: bool = True) -> IssuedNumber:
    locked.status = IssuedNumber.Status.VOIDED
    locked.void_reason = reason
    locked.voided_at = timezone.now()
    locked.voided_by = voided_by
    locked.save(update_fields=["status", "void_reason", "voided_at", "voided_by"])
    if record:  # a document's number is voided within the document's void, which is recorded
        activity_record(
            action="issued_number.voided", obj=locked, changes={"status": ["issued", "voided"]}, reason=reason
        )
    return locked


def _issue(sequence: Sequence, **options) -> "IssuedBlock":
    # Joins the caller's transaction, or opens one. A refusal found with the transaction intact
    # (inactive, exhausted, date outside the periods) is returned by _take and raised here, so it
    # does not doom the caller's transaction; anything raised inside _take (a lock timeout, a unique
    # violation) does, as it must.
    _ledger_text_check(
        **{name: options[name] for name in ("reference", "document_type", "document_id", "issued_by")}
    )
    db = transaction.get_connection()  # one lookup of this thread's connection, passed down
    if db.in_atomic_block:
        # What atomic(savepoint=False) does inside a caller's block, without entering one: on this
        # hot path every microsecond of client CPU is one the other workers wait for.
        try:
            outcome = _take(db, sequence, **options)
        except BaseException:
            db.needs_rollback = True
            raise
    else:
        with transaction.atomic(using=db.alias):
            outcome = _take(db, sequence, **options)
    if isinstance(outcome, FolioError):
        raise outcome
    return outcome


def _take(
    db,
    sequence: Sequence,
    *,
    count: int,
    on: datetime.date | None,
    reference: str,
    document_type: str,
    document_id: str,
    issued_by: str,
) -> "IssuedBlock | FolioError":
    on = on or timezone.localdate()
    text = {
        "reference": reference,
        "document_type": document_type,
        "document_id": document_id,
        "issued_by": issued_by,
    }
    # Fast path: one statement. Anything else (first use of a period, a sequence changed since the
    # caller loaded it, exhaustion, inactivity) costs a reload and a retry, never a wrong number.
    for _attempt in range(5):
        fiscal_start = fiscal_year_start_month_of(sequence)
        try:
            bounds = period_bounds(period_rule(sequence, fiscal_year_start_month=fiscal_start), on)
        except FolioError as outside:  # a date the periods cannot hold: refused, the transaction intact
            return outside
        template = format_template(
            sequence.format_for_period(bounds.start),
            on=on,
            fiscal_year_start_month=fiscal_start,
            alpha=sequence.is_alpha,
        )
        issued_at = timezone.now()
        block = _take_block(
            db, sequence, bounds=bounds, template=template, count=count, issued_at=issued_at, **text
        )
        if block is not None:
            return block
        fresh = Sequence.objects.get(pk=sequence.pk)
        if fresh.version != sequence.version:
            if type(sequence).entity.is_cached(sequence):
                fresh.entity = sequence.entity
            sequence = fresh
            continue
        if fresh.status != Sequence.Status.ACTIVE:
            return Conflict(
                f"Sequence {sequence.name!r} is inactive.", code="sequence_inactive", param="status"
            )
        _period_id, created = period_ensure(sequence=sequence, bounds=bounds)
        if created:
            continue
        remaining = _remaining(sequence, bounds)
        if remaining < count:
            return Conflict(
                f"Sequence {sequence.name!r} is exhausted for {bounds.label}: "
                f"{remaining} number(s) left, {count} asked.",
                code="sequence_exhausted",
                param="count" if remaining else "ending_number",
            )
    # Only reachable if the sequence's configuration keeps changing under us.
    return Conflict("The sequence is being reconfigured; retry shortly.", code="sequence_busy")


_TEXT_LIMITS = {"reference": 200, "document_type": 40, "document_id": 64, "issued_by": 100}


def _ledger_text_check(**text) -> None:
    """Check the free-text columns of an issued number before anything is locked."""
    for name, value in text.items():
        if not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string.", code=f"invalid_{name}", param=name)
        if len(value) > _TEXT_LIMITS[name]:
            raise InvalidInput(
                f"{name} is longer than {_TEXT_LIMITS[name]} characters.", code=f"{name}_too_long", param=name
            )
        if value:  # most are empty; a service caller gets the API's refusal of control characters too
            refuse_control_characters(value, param=name, multiline=False)


def _take_block(
    db, sequence, *, bounds: PeriodBounds, template: Template, count: int, issued_at, **text
) -> "IssuedBlock | None":
    """Run the issuing statement; return what it issued, or None if it changed nothing (see _take)."""
    id_base = uuid.uuid4()
    id_text = str(id_base)
    params = {
        "lock_timeout": str(lock_timeout_ms()),
        "count": count,
        "sequence_id": sequence.pk,
        "start": bounds.start,
        "limit": UNBOUNDED if sequence.ending_number is None else sequence.ending_number,
        "version": sequence.version,
        "entity_id": sequence.entity_id,
        "head": template.head,
        "tail": template.tail,
        "width": template.width or 0,
        "issued_at": issued_at,
        "id": id_text,  # a single number's id (the one-number statement)
        "id_field": f"36:{id_text},",  # and its field of the canonical text
        "id_prefix": id_text[:24],  # its first 20 hex digits, hyphenated as in its text
        "id_tail": id_base.int & _ID_TAIL_MASK,
        "unique_in_period": sequence.numbers_repeat_across_periods,
        **text,
        "chain_id": f"sequence:{sequence.pk}",
        "chain_tail": _chain_tail(issued_at, **text),
    }
    # Everything the caller gets back is built before the statement: from the statement to the
    # caller's commit the period's row is locked and every other issuer of it waits, so only the
    # values the statement returns are filled in after it.
    period = _saved(
        NumberingPeriod,
        db.alias,
        {"sequence": sequence},
        sequence_id=sequence.pk,
        entity_id=sequence.entity_id,
        start=bounds.start,
        end=bounds.end,
        label=bounds.label,
    )
    block = IssuedBlock(
        period=period,
        count=count,
        template=template,
        first_id=id_base,
        issued_at=issued_at,
        unique_in_period=params["unique_in_period"],
        **text,
    )
    try:
        row = _run_take(db, sql=(_TAKE_ONE_SQLS if count == 1 else _TAKE_SQLS)[template.alpha], params=params)
    except DatabaseError as error:
        ours = _issuing_error(error)
        if ours is None:
            raise
        raise ours from error
    if row is None:
        return None
    if not row[8]:
        raise IntegrityError(f"Sequence {sequence.pk} has no hash chain head: nothing was issued.")
    period.__dict__.update(
        id=row[0],
        start=row[1],
        end=row[2],
        label=row[3],
        start_value=row[4],
        last_value=row[5],
        created_at=row[6],
    )
    block.taken(first_value=row[7])
    return block


def _chain_tail(issued_at: datetime.datetime, *, document_type, document_id, reference, issued_by) -> str:
    """Return the fields a statement's numbers share, as their canonical text ends (numbering/chains.py)."""
    # Written out rather than joined from a generator: this runs once per number on the hot path.
    return (
        chain_field(document_type)
        + chain_field(document_id)
        + chain_field(reference)
        + chain_field(chain_time(issued_at))
        + chain_field(issued_by)
    )


_ID_TAIL_MASK = (1 << 48) - 1  # the last 48 bits of an id: a block's offsets are XORed into them


def _issuing_error(error: DatabaseError) -> Conflict | None:
    """Return our error for a failed issuing statement whose cause we know, else None."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if isinstance(error, IntegrityError) and constraint in (
        "issued_number_unique_number",
        "issued_number_unique_number_in_period",
    ):
        return Conflict(
            "The number this sequence would issue already exists in it (its layout was "
            "changed to one that repeats an earlier number).",
            code="number_taken",
        )
    return sequence_busy_error(error)


# The cursor each Django connection issues numbers with, on its current psycopg connection. Keyed by
# the Django connection, not the psycopg one: the cursor holds the psycopg connection, and a value
# that holds its own weak key is never released.
_ISSUING_CURSORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _run_take(db, *, sql: str, params: dict) -> tuple | None:
    """Run the issuing statement in the caller's transaction; return its one row, or None.

    Django binds parameters client-side, which never lets psycopg prepare a statement and spends
    client CPU quoting each parameter into the text; PostgreSQL would then parse and plan this
    statement on every call, which costs more than running it. So this one statement goes with
    server-side binding through a plain psycopg cursor on Django's connection, prepared once per
    connection (see prepare_threshold in erp/settings.py). Client CPU matters here: on a hot
    sequence the other workers wait for it. Errors surface as Django's, the statement is logged
    in connection.queries when queries are logged, and connection.execute_wrapper() hooks see it.
    """
    cursor = _ISSUING_CURSORS.get(db)
    if cursor is None or cursor.closed or cursor.connection is not db.connection:
        # One cursor per connection, kept: executing the same query again keeps its adapters.
        cursor = _ISSUING_CURSORS[db] = psycopg.Cursor(db.connection)

    def execute(sql, params, many, context):
        # NUMBERING_PREPARED_STATEMENTS = False: a pooler that cannot keep prepared statements.
        cursor.execute(sql, params, prepare=getattr(settings, "NUMBERING_PREPARED_STATEMENTS", True))

    executor = execute
    for wrapper in reversed(db.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    started = time.monotonic()
    try:
        with db.wrap_database_errors:
            executor(sql, params, False, {"connection": db, "cursor": cursor})
            return cursor.fetchone()
    finally:
        if db.queries_logged:  # as Django's debug cursor does, failed statements included
            db.queries_log.append(
                {"sql": db.ops.compose_sql(sql, params), "time": f"{time.monotonic() - started:.3f}"}
            )


def _remaining(sequence: Sequence, bounds: PeriodBounds) -> int:
    last = NumberingPeriod.objects.values_list("last_value", flat=True).get(
        sequence=sequence, start=bounds.start
    )
    limit = UNBOUNDED if sequence.ending_number is None else sequence.ending_number
    return max(0, limit - last)


class IssuedBlock(abc.Sequence):
    """The numbers one statement issued, in order: the first built with the block, the rest when read.

    A number's id and text follow from its value exactly as the statement computed them in SQL
    (the first id's upper 80 bits, its lower 48 XOR the offset; the template around the value), so
    the rows are not sent back, and a 10,000-number block costs no instance the caller does not
    read. Like any collections.abc.Sequence it is not equal to a list of the same numbers, and a
    slice is a list.
    """

    def __init__(
        self, *, period: NumberingPeriod, count: int, template: Template, first_id: uuid.UUID, **fields
    ):
        # Built before the statement runs (see _take_block); taken() adds what it returned.
        sequence = period.sequence
        self.period = period
        self.first_value = self.last_value = None  # until taken()
        self._render = template.render
        self._id_base = first_id.int & ~_ID_TAIL_MASK  # the 80 bits the statement's ids share
        self._id_tail = first_id.int & _ID_TAIL_MASK
        self._alias = period._state.db
        self._related = {"sequence": sequence, "period": period}
        if type(sequence).entity.is_cached(sequence):
            self._related["entity"] = sequence.entity
        self._fields = {
            "entity_id": sequence.entity_id,
            "sequence_id": sequence.pk,
            "status": IssuedNumber.Status.ISSUED,
            "void_reason": "",
            "voided_at": None,
            "voided_by": "",
            **fields,
        }
        self._built: list[IssuedNumber | None] = [None] * count
        self._built[0] = self._blank(first_id)

    def taken(self, *, first_value: int) -> None:
        """Record what the statement issued: the values from first_value on, in the period it bumped."""
        self.first_value = first_value
        self.last_value = first_value + len(self._built) - 1
        self._fields["period_id"] = period_id = self.period.pk
        self._built[0].__dict__.update(
            period_id=period_id, value=first_value, number=self._render(first_value)
        )

    def __len__(self) -> int:
        return len(self._built)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        offset = index + len(self) if index < 0 else index
        if not 0 <= offset < len(self):
            raise IndexError("issued block index out of range")
        built = self._built[offset]
        if built is None:
            built = self._built[offset] = self._build(offset)
        return built

    def __iter__(self):
        # Reading the whole block (the API's generate-next-values does) builds what is missing in
        # one pass with the cyclic GC paused: 10,000 new objects would otherwise trigger a dozen
        # collections that scan every object of the process, two thirds of the time. The instances
        # hold no reference cycles, so pausing it leaves nothing uncollected.
        if None in self._built:
            collecting = gc.isenabled()
            gc.disable()
            try:
                for offset, built in enumerate(self._built):
                    if built is None:
                        self._built[offset] = self._build(offset)
            finally:
                if collecting:
                    gc.enable()
        return iter(self._built)

    def _build(self, offset: int) -> IssuedNumber:
        value = self.first_value + offset
        return self._blank(
            uuid.UUID(int=self._id_base | (self._id_tail ^ offset)), value=value, number=self._render(value)
        )

    def _blank(self, id: uuid.UUID, **values) -> IssuedNumber:
        # What _saved does, inlined: a block's ten thousand numbers are built in a loop. The first
        # number is built before the statement, without the values it returns (see taken()).
        state = ModelState()
        state.adding = False
        state.db = self._alias
        state.fields_cache = self._related.copy()
        number = IssuedNumber.__new__(IssuedNumber)
        number.__dict__.update(self._fields, id=id, _state=state, **values)
        return number

    def __repr__(self) -> str:
        return f"<IssuedBlock {self.first_value}–{self.last_value} of period {self.period.pk}>"


def _saved(model, alias: str, related: dict, **values):
    """Return an instance of a row just written, as a query would have loaded it."""
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    state.fields_cache = dict(related)
    instance.__dict__.update(values, _state=state)
    return instance
