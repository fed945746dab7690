"""Journal entries: balanced, numbered last, corrected only by reversal.

Every entry is numbered from the entity's `journal` counter, and that counter is shared by every
document the entity posts: it is therefore always the LAST lock a transaction takes. A document
with its own number (an invoice, a bill) calls journal_entry_record, takes its own number, then
calls journal_entry_number as its very last step; everything else calls journal_entry_post.
The database refuses to commit an entry that is unbalanced or unnumbered
(erp/migrations/0003_ledger_guards.sql).
"""

import datetime
from collections.abc import Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput, NotFound, RuleViolation
from erp.models import Entity
from erp.money import money_parse
from erp.rows import rows_insert, rows_where
from ledger.models import Account, JournalEntry, JournalLine
from numbering.services import counter_type_issue_next

# (account code, debit, credit): exactly one of debit and credit is positive.
LineSpec = tuple[str, Decimal | str | int, Decimal | str | int]

_TEXT_LIMITS = {"memo": 500, "source_type": 40, "source_id": 64, "posted_by": 100}


def journal_entry_record(
    *,
    entity: Entity,
    date: datetime.date,
    memo: str,
    lines: Sequence[LineSpec],
    source_type: str = "",
    source_id: str = "",
    posted_by: str = "",
    reversal_of: JournalEntry | None = None,
) -> JournalEntry:
    """Insert a balanced entry and its lines, unnumbered: call journal_entry_number before commit."""
    _require_transaction("journal_entry_record")
    text = _checked_text(memo=memo, source_type=source_type, source_id=str(source_id), posted_by=posted_by)
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise InvalidInput("date must be a date.", code="parameter_invalid", param="date")
    period_open_check(entity=entity, date=date)
    amounts = _checked_lines(lines)
    accounts = _accounts_by_code(entity, [code for code, _, _ in amounts])
    with transaction.atomic(savepoint=False), _period_lock_refused(entity=entity, date=date):
        # Each posting inserts an entry and its lines: by statements built once (erp.rows).
        (entry,) = rows_insert(
            [
                JournalEntry(
                    entity=entity, date=date, reversal_of=reversal_of, posted_at=timezone.now(), **text
                )
            ]
        )
        rows_insert(
            [
                JournalLine(entry=entry, account=accounts[code], debit=debit, credit=credit)
                for code, debit, credit in amounts
            ]
        )
    return entry


def period_open_check(*, entity: Entity, date: datetime.date, param: str = "date") -> None:
    """Refuse a posting dated on or before the entity's lock date: 422 `period_locked`.

    Services call it early with the document's own date as `param`; journal_entry_record calls it
    for every entry, and the database refuses such an entry anyway (ledger/migrations/0004_period_lock.sql).
    """
    if entity.lock_date is not None and date <= entity.lock_date:
        raise RuleViolation(
            f"{param} {date.isoformat()} is in a closed period: the books are locked through "
            f"{entity.lock_date.isoformat()}.",
            code="period_locked",
            param=param,
            hint="Date it after the lock date, or ask an accountant to move the lock date.",
        )


@contextmanager
def _period_lock_refused(*, entity: Entity, date: datetime.date):
    """Answer the database's refusal of a closed period as `period_locked` too.

    The caller's entity may predate a lock date set meanwhile; the trigger reads the committed one.
    """
    try:
        yield
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) != "period_locked":
            raise
        raise RuleViolation(
            f"date {date.isoformat()} is in a closed period of {entity.code}: its lock date was moved.",
            code="period_locked",
            param="date",
        ) from error


def journal_entry_number(*, entry: JournalEntry, issued_by: str = "") -> JournalEntry:
    """Take the entry's number from the entity's journal counter and write it; call it LAST, before commit."""
    if entry.number:
        raise Conflict(f"Journal entry {entry.number} is already numbered.", code="entry_already_numbered")
    with transaction.atomic(savepoint=False), _period_lock_refused(entity=entry.entity, date=entry.date):
        issued = counter_type_issue_next(
            entity=entry.entity,
            counter_type="journal",
            date=entry.date,
            document_type="journal_entry",
            document_id=str(entry.pk),
            issued_by=issued_by,
        )
        with connection.cursor() as cursor:  # JournalEntry.objects.filter(pk=…, number="").update(number=…)
            cursor.execute(_NUMBER_SQL, [issued.number, entry.pk])
    entry.number = issued.number
    return entry


_NUMBER_SQL = "UPDATE erp_journalentry SET number = %s WHERE id = %s AND number = ''"


def journal_entry_post(
    *,
    entity: Entity,
    date: datetime.date,
    memo: str,
    lines: Sequence[LineSpec],
    source_type: str,
    source_id: str,
    posted_by: str,
) -> JournalEntry:
    """Post a balanced entry, numbered from the journal counter as its last step."""
    # A savepoint when nested: a refused entry leaves the caller's transaction usable.
    with transaction.atomic():
        entry = journal_entry_record(
            entity=entity,
            date=date,
            memo=memo,
            lines=lines,
            source_type=source_type,
            source_id=source_id,
            posted_by=posted_by,
        )
        return journal_entry_number(entry=entry, issued_by=posted_by)


def journal_entry_record_reversal(
    *, entry: JournalEntry, date: datetime.date, memo: str, posted_by: str
) -> JournalEntry:
    """Insert the unnumbered mirror of a posted entry (each debit becomes a credit and back)."""
    _require_transaction("journal_entry_record_reversal")
    with transaction.atomic(savepoint=False):
        # NO KEY UPDATE: serialises two reversals of one entry without blocking rows that refer to it.
        original = (
            JournalEntry.objects.select_for_update(no_key=True, of=("self",))
            .select_related("entity")
            .get(pk=entry.pk)
        )
        if original.reversal_of_id is not None:
            raise RuleViolation(
                f"{original} is itself a reversal; post a new entry instead.", code="entry_is_reversal"
            )
        if JournalEntry.objects.filter(reversal_of=original).exists():
            raise Conflict(f"{original} is already reversed.", code="entry_already_reversed")
        if not isinstance(date, datetime.date) or date < original.date:
            raise RuleViolation(
                f"A reversal cannot be dated before the entry it reverses ({original.date}).",
                code="reversal_before_original",
                param="date",
            )
        lines = [
            (line.account.code, line.credit, line.debit)
            for line in original.lines.select_related("account").order_by("id")
        ]
        return journal_entry_record(
            entity=original.entity,
            date=date,
            memo=memo,
            lines=lines,
            source_type=original.source_type,
            source_id=original.source_id,
            posted_by=posted_by,
            reversal_of=original,
        )


def journal_entry_reverse(
    *, entry: JournalEntry, date: datetime.date, memo: str, posted_by: str
) -> JournalEntry:
    """Post the reversing entry of a posted one (the correction; posted entries never change)."""
    with transaction.atomic():
        reversal = journal_entry_record_reversal(entry=entry, date=date, memo=memo, posted_by=posted_by)
        return journal_entry_number(entry=reversal, issued_by=posted_by)


def _require_transaction(name: str) -> None:
    # Outside a transaction the unnumbered entry would commit on its own, and the database
    # would refuse it at that commit: say so before anything is written.
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside the document's transaction (transaction.atomic).")


def _checked_text(**text: str) -> dict:
    for name, value in text.items():
        if not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string.", code="parameter_invalid", param=name)
        if len(value) > _TEXT_LIMITS[name]:
            raise InvalidInput(
                f"{name} is longer than {_TEXT_LIMITS[name]} characters.", code=f"{name}_too_long", param=name
            )
    return text


def _checked_lines(lines: Sequence[LineSpec]) -> list[tuple[str, Decimal, Decimal]]:
    if not isinstance(lines, list | tuple) or len(lines) < 2:
        raise InvalidInput("An entry needs at least two lines.", code="invalid_lines", param="lines")
    checked = []
    for index, line in enumerate(lines):
        param = f"lines[{index}]"
        if not isinstance(line, list | tuple) or len(line) != 3 or not isinstance(line[0], str):
            raise InvalidInput(
                "Each line is (account_code, debit, credit).", code="invalid_journal_line", param=param
            )
        code, debit, credit = line
        debit = money_parse(debit, param=f"{param}.debit", positive=False)
        credit = money_parse(credit, param=f"{param}.credit", positive=False)
        if (debit > 0) == (credit > 0):
            raise InvalidInput(
                "A line is either a debit or a credit, and positive.",
                code="invalid_journal_line",
                param=param,
            )
        checked.append((code, debit, credit))
    debits = sum((debit for _, debit, _ in checked), Decimal(0))
    credits = sum((credit for _, _, credit in checked), Decimal(0))
    if debits != credits:
        raise RuleViolation(
            f"Debits ({debits}) must equal credits ({credits}).", code="entry_unbalanced", param="lines"
        )
    return checked


def _accounts_by_code(entity: Entity, codes: list[str]) -> dict[str, Account]:
    found = rows_where(Account, "entity_id = %s AND code = ANY(%s)", [entity.pk, sorted(set(codes))])
    accounts = {account.code: account for account in found}
    for index, code in enumerate(codes):
        if code not in accounts:
            raise NotFound(
                f"The chart has no account {code!r}.",
                code="account_not_found",
                param=f"lines[{index}].account",
            )
    return accounts
