"""Posted documents: inserted with lines and entry, numbered last, voided by reversal (docs/posting.md)."""

import datetime
import functools
import uuid
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

from erp.exceptions import Conflict, RuleViolation
from erp.models import Entity
from erp.rows import prefetched, row_update, rows_insert
from erp.services.activity import activity_record, object_type_of
from erp.transactions import nested_atomic
from ledger.documents.models import DocumentStatus
from ledger.documents.services.inputs import ZERO, PricedLine
from ledger.models import JournalEntry
from ledger.services import journal_entry_number, journal_entry_record, journal_entry_record_reversal
from numbering.services import counter_type_issue_next, document_number_void


def lines_insert(line_model, parent: str, document, lines: list[PricedLine]) -> list:
    """Insert a document's lines, numbered from 1 in the order given."""
    return line_model.objects.bulk_create(
        [
            line_model(
                **{parent: document},
                position=position,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
            )
            for position, line in enumerate(lines, start=1)
        ]
    )


def document_post[D: models.Model](
    *,
    model: type[D],
    line_model: type[models.Model],
    entity: Entity,
    date: datetime.date,
    lines: list[PricedLine],
    total: Decimal,
    journal_lines: list[tuple[str, Decimal, Decimal]],
    memo: str,
    counter_type: str,
    created_by: str,
    **fields,
) -> D:
    """Insert a document, its lines and its journal entry; number it last (docs/posting.md)."""
    document_id = uuid.uuid4()
    parent = _parent_field(line_model, model)
    # No savepoint inside an Idempotency-Key's transaction (erp.transactions.nested_atomic).
    with nested_atomic():
        entry = journal_entry_record(
            entity=entity,
            date=date,
            memo=memo[:500],
            lines=journal_lines,
            source_type=counter_type,
            source_id=str(document_id),
            posted_by=created_by,
        )
        (document,) = rows_insert(
            [
                model(
                    id=document_id,
                    entity=entity,
                    total=total,
                    balance_due=total,
                    status=DocumentStatus.OPEN,
                    journal_entry=entry,
                    created_by=created_by,
                    **fields,
                )
            ]
        )
        rows = lines_insert(line_model, parent, document, lines)
        # Recorded before the number: from the number to the commit the sequence is locked (the row's
        # object id leads to the document and its number).
        activity_record(
            action=f"{object_type_of(model)}.created",
            obj=document,
            changes={"total": [None, total], "date": [None, date], "lines": [None, len(rows)]},
        )
        prefetched(document, lines=rows)  # before the number: nothing more runs under its lock
        number_last(
            document=document, entry=entry, counter_type=counter_type, date=date, issued_by=created_by
        )
    return document


def number_last(
    *,
    document: models.Model,
    entry: JournalEntry,
    counter_type: str,
    date: datetime.date,
    issued_by: str,
    number_field: str = "number",
) -> str:
    """Number a document, then its journal entry: the last writes of its transaction.

    Each number is written with one UPDATE; the entity-wide journal counter, the lock every posting
    shares, comes last so it is held only for its UPDATE and the commit.
    """
    issued = counter_type_issue_next(
        entity=document.entity,
        counter_type=counter_type,
        date=date,
        document_type=counter_type,
        document_id=str(document.pk),
        issued_by=issued_by,
    )
    row_update(type(document), document.pk, **{number_field: issued.number})
    setattr(document, number_field, issued.number)
    commit_checks_run(type(document))
    journal_entry_number(entry=entry, issued_by=issued_by)
    return issued.number


def commit_checks_run(model: type[models.Model]) -> None:
    """Run a document's commit-time checks now, then defer them again; call it before the journal number.

    The database checks a ledger's documents at commit (deferred constraint triggers, named in the
    model's `commit_checks`). Run at commit they would run while the entity's journal counter is
    locked, making every other writer of the entity wait for them; run here, only the ledger's own
    check of the entry is left for the commit. Anything written after this is checked at commit.
    The deferred foreign keys of the document's table and of its rows' tables (a payment's 50
    applications: 100 checks) run here too, for the same reason.
    """
    checks = [*model.commit_checks, *_deferred_foreign_keys(model)]
    names = ", ".join(connection.ops.quote_name(name) for name in checks)
    if names:
        with connection.cursor() as cursor:
            # One round trip: with no parameters the two statements go as one simple query, run in order.
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE; SET CONSTRAINTS {names} DEFERRED")


@functools.cache
def _deferred_foreign_keys(model: type[models.Model]) -> tuple[str, ...]:
    """Return the deferred foreign keys of `model`'s table and of its rows' tables (lines, applications)."""
    tables = [model._meta.db_table] + [
        relation.related_model._meta.db_table
        for relation in model._meta.related_objects
        if relation.one_to_many and relation.related_model._meta.app_label == model._meta.app_label
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferred"
            " AND conrelid::regclass::text = ANY(%s) ORDER BY conname",
            [tables],
        )
        return tuple(name for (name,) in cursor.fetchall())


def model_has_field(model: type[models.Model], name: str) -> bool:
    """Return whether `model` has a field called `name` (a ledger's table may lack an optional column)."""
    return any(field.name == name for field in model._meta.get_fields())


def _parent_field(line_model: type[models.Model], model: type[models.Model]) -> str:
    return next(
        field.name
        for field in line_model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is model
    )


def posted_void[R: models.Model](
    locked: R,
    *,
    reason: str,
    voided_by: str,
    memo: str,
    entries: Sequence[JournalEntry] = (),
    **fields,
) -> R:
    """Reverse a locked row's journal entry and record the void with `fields`; number the entries last.

    The reversal is dated today, or the original's date if that is later. `entries` are further
    entries the void posted (numbered after the reversal).
    """
    now = timezone.now()
    status_before = getattr(locked, "status", None)
    original = locked.journal_entry
    reversal = journal_entry_record_reversal(
        entry=original, date=max(timezone.localdate(), original.date), memo=memo, posted_by=voided_by
    )
    fields |= {
        "void_journal_entry": reversal,
        "void_reason": reason,
        "voided_at": now,
        "voided_by": voided_by,
    }
    if model_has_field(type(locked), "updated_at"):
        fields["updated_at"] = now
    type(locked).objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    changes = {"status": [status_before, fields.get("status")], "void_journal_entry": [None, reversal.pk]}
    activity_record(
        action=f"{object_type_of(type(locked))}.voided", obj=locked, changes=changes, reason=reason
    )
    # The document's own number is voided with it, never alone (numbering.services.issued_number_void).
    document_number_void(
        entity_id=locked.entity_id,
        document_type=object_type_of(type(locked)),
        document_id=str(locked.pk),
        reason=reason,
        voided_by=voided_by,
    )
    commit_checks_run(type(locked))
    for entry in (reversal, *entries):
        journal_entry_number(entry=entry, issued_by=voided_by)
    return locked


def document_void[D: models.Model](locked: D, *, reason: str, voided_by: str, memo: str) -> D:
    """Void a locked document nothing is applied to, posting the reversal of its entry; a draft is 409."""
    if locked.status == DocumentStatus.DRAFT:
        raise Conflict(
            f"{locked} is a draft and cannot be voided: it was never posted; delete it instead.",
            code="document_is_draft",
        )
    if locked.status == DocumentStatus.VOID:
        raise Conflict(f"{locked} is already void.", code="already_void")
    if locked.status != DocumentStatus.OPEN:
        raise RuleViolation(
            f"{locked} has payments applied; void those payments first.", code="document_has_payments"
        )
    return posted_void(
        locked, reason=reason, voided_by=voided_by, memo=memo, status=DocumentStatus.VOID, balance_due=ZERO
    )
