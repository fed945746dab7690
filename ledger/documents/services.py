"""The service kit receivables and payables share: lines priced, payments applied, voids by reversal.

Each function takes the ledger's own models and field names as arguments and holds one rule, with one
error code, so the same refusal reads the same in both ledgers (docs/api.md, "Error codes"). Inputs
arrive typed (`LineInput`, `ApplicationInput`); the checks here are the business rules on their values.
"""

import datetime
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection, models, transaction
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput, NotFound, RuleViolation
from erp.models import Entity
from erp.money import CENT, MAX_AMOUNT, money_parse
from erp.services.contact_fields import checked_email, checked_name, checked_reference
from ledger.documents.models import DocumentStatus, PaymentStatus
from ledger.models import JournalEntry
from ledger.services import journal_entry_number, journal_entry_record, journal_entry_record_reversal
from numbering.services import counter_type_issue_next

MAX_LINES = 200
MAX_APPLICATIONS = 50
MAX_QUANTITY = Decimal("99999999.9999")  # the quantity column is Decimal(12, 4)
QUANTITY_PLACES = Decimal("0.0001")
MAX_REASON = 500
ZERO = Decimal("0.00")
# The statuses a payment may still be applied to.
APPLICABLE_STATUSES = (DocumentStatus.OPEN, DocumentStatus.PARTIALLY_PAID)


@dataclass(frozen=True)
class LineInput:
    """A document line as a caller gives it; quantity defaults to 1."""

    description: str
    unit_price: Decimal | str | int
    quantity: Decimal | str | int = 1


@dataclass(frozen=True)
class PricedLine:
    """A checked line: amount = quantity × unit_price, rounded half up to the cent."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class ApplicationInput:
    """The part of a payment a caller applies to one document."""

    document_id: uuid.UUID | str
    amount_applied: Decimal | str | int


@dataclass(frozen=True)
class Application:
    """One checked application; `index` is its place in the request, for error params."""

    index: int
    document_id: uuid.UUID
    amount: Decimal


# --- single values -------------------------------------------------------------------------------


def uuid_parse(value, *, param: str) -> uuid.UUID:
    """Return `value` as a UUID, or raise InvalidInput naming `param`."""
    if isinstance(value, uuid.UUID):
        return value
    if value is None or value == "":
        raise InvalidInput(f"{param} is required.", code="parameter_missing", param=param)
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(f"{param} must be a UUID.", code="parameter_invalid", param=param) from None


def date_parse(value, *, param: str) -> datetime.date:
    """Return `value` if it is a date (not a datetime), or raise InvalidInput naming `param`."""
    if value is None:
        raise InvalidInput(f"{param} is required.", code="parameter_missing", param=param)
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise InvalidInput(f"{param} must be a date.", code="parameter_invalid", param=param)
    return value


def text_parse(value, *, param: str, max_length: int, required: bool = False) -> str:
    """Return `value` stripped (None is empty); refuse a non-string, a NUL, a blank required or a long one.

    The length code is `<field>_too_long`, `<field>` being the last part of `param`
    (`lines[2].description` → `description_too_long`).
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{param} must be a string.", code="parameter_invalid", param=param)
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
        raise InvalidInput(f"{param} contains a NUL character.", code="parameter_invalid", param=param)
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{param} is required.", code="parameter_missing", param=param)
    if len(value) > max_length:
        field = param.rsplit(".", 1)[-1]
        raise InvalidInput(
            f"{param} is longer than {max_length} characters.", code=f"{field}_too_long", param=param
        )
    return value


def reason_parse(reason) -> str:
    """Return a void's reason stripped: required, at most 500 characters (auditors read it)."""
    return text_parse(reason, param="reason", max_length=MAX_REASON, required=True)


def quantity_parse(value, *, param: str) -> Decimal:
    """Return a line quantity: above zero, at most 99,999,999.9999, at most four decimal places."""
    if value is None or isinstance(value, bool):
        raise InvalidInput(f"{param} must be a number.", code="parameter_invalid", param=param)
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{param} must be a number.", code="parameter_invalid", param=param) from None
    if not quantity.is_finite():
        raise InvalidInput(f"{param} must be a number.", code="parameter_invalid", param=param)
    if quantity <= 0:
        raise InvalidInput(f"{param} must be greater than zero.", code="quantity_not_positive", param=param)
    if quantity > MAX_QUANTITY:
        raise InvalidInput(f"{param} must be at most {MAX_QUANTITY}.", code="quantity_too_large", param=param)
    if quantity != quantity.quantize(QUANTITY_PLACES):
        raise InvalidInput(
            f"{param} has more than four decimal places.", code="too_many_decimal_places", param=param
        )
    return quantity.quantize(QUANTITY_PLACES)


# --- parties -------------------------------------------------------------------------------------


def party_create[P: models.Model](
    model: type[P], *, entity: Entity, name: str, email: str = "", external_reference: str = ""
) -> P:
    """Create a customer or vendor account."""
    return model.objects.create(
        entity=entity,
        name=checked_name(name, noun=model._meta.verbose_name),
        email=checked_email(email),
        external_reference=checked_reference(external_reference),
    )


def party_update[P: models.Model](
    party: P, *, name: str | None = None, email: str | None = None, external_reference: str | None = None
) -> P:
    """Change the given fields of an account; None leaves a field as it is, "" clears email and reference."""
    locked = type(party).objects.select_for_update(of=("self",)).get(pk=party.pk)
    if name is not None:
        locked.name = checked_name(name, noun=type(party)._meta.verbose_name)
    if email is not None:
        locked.email = checked_email(email)
    if external_reference is not None:
        locked.external_reference = checked_reference(external_reference)
    locked.save(update_fields=["name", "email", "external_reference", "updated_at"])
    return locked


def party_of[P: models.Model](model: type[P], *, entity: Entity, party_id, param: str) -> P:
    """Return the entity's customer or vendor with this id; another entity's does not exist here (404)."""
    pk = uuid_parse(party_id, param=param)
    party = model.objects.filter(entity=entity, pk=pk).first()
    if party is None:
        raise NotFound(
            f"No {model._meta.verbose_name} {pk} in this entity.", code="resource_missing", param=param
        )
    return party


# --- documents -----------------------------------------------------------------------------------


def due_date_check(document_date: datetime.date, due_date: datetime.date | None, *, date_param: str) -> None:
    """Refuse a due date before the document's own date."""
    if due_date is not None and due_date < document_date:
        raise RuleViolation(
            f"due_date cannot be before {date_param}.", code="due_date_before_document_date", param="due_date"
        )


def lines_price(lines: Sequence[LineInput | Mapping]) -> tuple[list[PricedLine], Decimal]:
    """Return the priced lines (1–200) and their total, which must be above zero; errors name the line."""
    if not isinstance(lines, list | tuple) or not 1 <= len(lines) <= MAX_LINES:
        raise InvalidInput(f"A document has 1–{MAX_LINES} lines.", code="invalid_line_count", param="lines")
    priced = []
    for index, line in enumerate(lines):
        param = f"lines[{index}]"
        line = _line_input(line, param=param)
        description = text_parse(
            line.description, param=f"{param}.description", max_length=500, required=True
        )
        quantity = quantity_parse(line.quantity, param=f"{param}.quantity")
        unit_price = money_parse(line.unit_price, param=f"{param}.unit_price", positive=False)
        amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount > MAX_AMOUNT:
            raise InvalidInput(f"The line amount exceeds {MAX_AMOUNT}.", code="amount_too_large", param=param)
        priced.append(PricedLine(description, quantity, unit_price, amount))
    total = sum((line.amount for line in priced), ZERO)
    if total <= 0:
        raise RuleViolation("A document must total more than zero.", code="total_not_positive", param="lines")
    if total > MAX_AMOUNT:
        raise InvalidInput(f"The total exceeds {MAX_AMOUNT}.", code="amount_too_large", param="lines")
    return priced, total


def _line_input(line, *, param: str) -> LineInput:
    # Python callers (the admin, demo data) may hand a line over as a mapping.
    if isinstance(line, LineInput):
        return line
    if isinstance(line, Mapping):
        if line.get("unit_price") is None:
            raise InvalidInput(
                "unit_price is required.", code="parameter_missing", param=f"{param}.unit_price"
            )
        return LineInput(line.get("description"), line["unit_price"], line.get("quantity", 1))
    if all(hasattr(line, name) for name in ("description", "unit_price", "quantity")):
        return LineInput(line.description, line.unit_price, line.quantity)
    raise InvalidInput("Each line is an object.", code="parameter_invalid", param=param)


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
    with transaction.atomic():
        entry = journal_entry_record(
            entity=entity,
            date=date,
            memo=memo[:500],
            lines=journal_lines,
            source_type=counter_type,
            source_id=str(document_id),
            posted_by=created_by,
        )
        document = model.objects.create(
            id=document_id,
            entity=entity,
            total=total,
            balance_due=total,
            status=DocumentStatus.OPEN,
            journal_entry=entry,
            created_by=created_by,
            **fields,
        )
        rows = line_model.objects.bulk_create(
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
        number_last(
            document=document, entry=entry, counter_type=counter_type, date=date, issued_by=created_by
        )
    document._prefetched_objects_cache = {"lines": rows}
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
    type(document).objects.filter(pk=document.pk).update(**{number_field: issued.number})
    setattr(document, number_field, issued.number)
    journal_entry_number(entry=entry, issued_by=issued_by)
    return issued.number


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


def _parent_field(line_model: type[models.Model], model: type[models.Model]) -> str:
    return next(
        field.name
        for field in line_model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is model
    )


# --- voids ---------------------------------------------------------------------------------------


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
    if _has_field(type(locked), "updated_at"):
        fields["updated_at"] = now
    type(locked).objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    for entry in (reversal, *entries):
        journal_entry_number(entry=entry, issued_by=voided_by)
    return locked


def document_void[D: models.Model](locked: D, *, reason: str, voided_by: str, memo: str) -> D:
    """Void a locked document nothing is applied to, posting the reversal of its entry."""
    if locked.status == DocumentStatus.VOID:
        raise Conflict(f"{locked} is already void.", code="already_void")
    if locked.status != DocumentStatus.OPEN:
        raise RuleViolation(
            f"{locked} has payments applied; void those payments first.", code="document_has_payments"
        )
    return posted_void(
        locked, reason=reason, voided_by=voided_by, memo=memo, status=DocumentStatus.VOID, balance_due=ZERO
    )


# --- payments ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentDetails:
    """What a payment records besides its amounts: when, and the check's or the caller's references."""

    payment_date: datetime.date
    check_number: str
    check_date: datetime.date | None
    external_reference: str
    notes: str


def choice_check(value, choices: Sequence[str], *, param: str) -> str:
    """Return `value` if it is one of `choices`, or raise InvalidInput naming `param`."""
    if value not in choices:
        raise InvalidInput(
            f"{param} must be one of {', '.join(choices)}.", code="invalid_choice", param=param
        )
    return value


def payment_details_parse(
    *,
    is_check: bool,
    payment_date: datetime.date | None,
    check_number: str | None,
    check_date: datetime.date | None = None,
    external_reference: str | None,
    notes: str | None,
) -> PaymentDetails:
    """Return a payment's details: the date defaults to today; check fields only on a check payment."""
    check_number = text_parse(check_number, param="check_number", max_length=50)
    check_date = None if check_date is None else date_parse(check_date, param="check_date")
    if not is_check and (check_number or check_date):
        raise InvalidInput(
            "check_number and check_date are only for check payments.",
            code="check_fields_not_allowed",
            param="check_number" if check_number else "check_date",
        )
    if payment_date is not None:
        payment_date = date_parse(payment_date, param="payment_date")
    return PaymentDetails(
        payment_date=timezone.localdate() if payment_date is None else payment_date,
        check_number=check_number,
        check_date=check_date,
        external_reference=text_parse(external_reference, param="external_reference", max_length=200),
        notes=text_parse(notes, param="notes", max_length=5000),
    )


def applications_total(applications: Iterable[Application], *, param: str = "applications") -> Decimal:
    """Return Σ amount_applied, refusing a sum no money column can hold."""
    total = sum((application.amount for application in applications), ZERO)
    if total > MAX_AMOUNT:
        raise InvalidInput(
            f"The applications total more than {MAX_AMOUNT}.", code="amount_too_large", param=param
        )
    return total


def applications_parse(applications: Sequence, *, id_field: str, id_param: str) -> list[Application]:
    """Return 1–50 applications, each naming a document once with a positive amount.

    Items are `ApplicationInput`s, or objects or mappings carrying `id_field` and `amount_applied`;
    errors name `applications[i].<id_param>` (the field a client sent).
    """
    if not isinstance(applications, list | tuple) or not 1 <= len(applications) <= MAX_APPLICATIONS:
        raise InvalidInput(
            f"applications must list 1–{MAX_APPLICATIONS} documents.",
            code="invalid_application_count",
            param="applications",
        )
    checked: list[Application] = []
    seen: set[uuid.UUID] = set()
    for index, application in enumerate(applications):
        param = f"applications[{index}]"
        document_id, amount = _application_fields(application, id_field=id_field, param=param)
        document_id = uuid_parse(document_id, param=f"{param}.{id_param}")
        if amount is None:
            raise InvalidInput(
                "amount_applied is required.", code="parameter_missing", param=f"{param}.amount_applied"
            )
        amount = money_parse(amount, param=f"{param}.amount_applied")
        if document_id in seen:
            raise RuleViolation(
                "A document may appear only once in a payment.",
                code="duplicate_document",
                param=f"{param}.{id_param}",
            )
        seen.add(document_id)
        checked.append(Application(index, document_id, amount))
    return checked


def _application_fields(application, *, id_field: str, param: str) -> tuple:
    if isinstance(application, ApplicationInput):
        return application.document_id, application.amount_applied
    if isinstance(application, Mapping):
        return application.get(id_field), application.get("amount_applied")
    if hasattr(application, id_field):
        return getattr(application, id_field), getattr(application, "amount_applied", None)
    raise InvalidInput("Each application is an object.", code="parameter_invalid", param=param)


def applications_check(
    applications: Iterable[Application],
    documents: Mapping[uuid.UUID, models.Model],
    *,
    party: models.Model,
    party_field: str,
    id_param: str,
) -> None:
    """Refuse an application to a document missing here, of another party, not open, or owing less."""
    for application in applications:
        param = f"applications[{application.index}]"
        document = documents.get(application.document_id)
        if document is None:
            raise NotFound(
                f"No document {application.document_id} in this entity.",
                code="resource_missing",
                param=f"{param}.{id_param}",
            )
        if getattr(document, f"{party_field}_id") != party.pk:
            raise RuleViolation(
                f"{document} belongs to another {party_field}.",
                code="party_mismatch",
                param=f"{param}.{id_param}",
            )
        if document.status not in APPLICABLE_STATUSES:
            raise RuleViolation(
                f"{document} is {document.status}; payments apply only to open or partially paid documents.",
                code="document_not_open",
                param=f"{param}.{id_param}",
            )
        if application.amount > document.balance_due:
            raise RuleViolation(
                f"amount_applied {application.amount} exceeds the balance due {document.balance_due} "
                f"of {document}.",
                code="amount_exceeds_balance",
                param=f"{param}.amount_applied",
            )


def documents_of(model: type[models.Model], *, entity: Entity, ids: Iterable[uuid.UUID]) -> dict:
    """Return {id: document} for the entity's documents among `ids`, unlocked (to fail fast)."""
    return {document.pk: document for document in model.objects.filter(entity=entity, pk__in=list(ids))}


def applications_insert(
    model: type[models.Model], *, payment: models.Model, document_field: str, applications: list[Application]
) -> list[models.Model]:
    """Insert a payment's application rows, in request order."""
    positioned = _has_field(model, "position")
    return model.objects.bulk_create(
        [
            model(
                payment=payment,
                amount_applied=application.amount,
                **{f"{document_field}_id": application.document_id},
                **({"position": application.index} if positioned else {}),
            )
            for application in applications
        ]
    )


_SHIFT_SQL = """
UPDATE {table} AS d
   SET balance_due = d.balance_due {sign} a.amount,
       status = CASE WHEN d.balance_due {sign} a.amount = 0 THEN 'paid'
                     WHEN d.balance_due {sign} a.amount = d.total THEN 'open'
                     ELSE 'partially_paid' END,
       updated_at = %s
  FROM unnest(%s::uuid[], %s::numeric[]) AS a(id, amount)
 WHERE d.id = a.id
"""


def balances_shift(
    model: type[models.Model], shifts: Sequence[tuple[uuid.UUID, Decimal]], *, restore: bool = False
) -> None:
    """Reduce (or, for a void, restore) every document's balance and its status, in one UPDATE."""
    sql = _SHIFT_SQL.format(
        table=connection.ops.quote_name(model._meta.db_table), sign="+" if restore else "-"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), [i for i, _ in shifts], [v for _, v in shifts]])
        if cursor.rowcount != len(shifts):
            raise AssertionError(f"{cursor.rowcount} of {len(shifts)} document balances moved")


def payment_void_check(locked: models.Model) -> None:
    """Refuse to void a payment twice."""
    if locked.status == PaymentStatus.VOID:
        raise Conflict(f"Payment {locked} is already void.", code="already_void")


def payment_applications_restore(
    locked: models.Model,
    *,
    document_model: type[models.Model],
    document_field: str,
    lock: Callable[..., Iterable[models.Model]],
) -> list[models.Model]:
    """Lock a voided payment's documents (in id order, as every payment does) and give their balances back."""
    applications = list(locked.applications.all())
    shifts = [(getattr(a, f"{document_field}_id"), a.amount_applied) for a in applications]
    # The same id order as every payment: a void and a payment on the same documents cannot deadlock.
    list(lock(entity=locked.entity, ids=[document_id for document_id, _ in shifts]))
    balances_shift(document_model, shifts, restore=True)
    return applications


# --- locks ---------------------------------------------------------------------------------------


def rows_for_update[M: models.Model](
    model: type[M], *, entity: Entity, ids: Iterable[uuid.UUID]
) -> models.QuerySet[M]:
    """Return the entity's rows among `ids`, locked FOR UPDATE in id order (evaluate it once).

    Every transaction locking several rows takes them in primary-key order, so two wanting
    overlapping sets queue behind each other instead of each holding what the other waits for.
    """
    return (
        model.objects.filter(entity=entity, pk__in=list(ids)).order_by("pk").select_for_update(of=("self",))
    )


def row_for_update[M: models.Model](row: M) -> M:
    """Return a fresh copy of one posted row with its entity and journal entry, locked FOR UPDATE."""
    return (
        type(row)
        .objects.select_for_update(of=("self",))
        .select_related("entity", "journal_entry")
        .get(pk=row.pk)
    )
