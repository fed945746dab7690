"""What callers hand the ledgers' services, typed and checked: lines, applications, payment details.

Services take lines as `LineInput`s and applications as `ApplicationInput`s, never raw JSON: the API
(ledger.documents.api), the admin and the demo data build them, and anything else is a TypeError.
Each check of their values raises with the `param` a client sent and the one code its rule has in
both ledgers (docs/api.md, "Error codes"); the API's input fields parse with the same functions.
"""

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

from erp.exceptions import InvalidInput, RuleViolation
from erp.models import Entity
from erp.money import CENT, MAX_AMOUNT, money_parse
from erp.text import refuse_control_characters
from ledger.services import period_open_check

MAX_LINES = 200
MAX_APPLICATIONS = 50
MAX_QUANTITY = Decimal("99999999.9999")  # the quantity column is Decimal(12, 4)
QUANTITY_PLACES = Decimal("0.0001")
MAX_REASON = 500
EARLIEST_DATE = datetime.date(1900, 1, 1)
MAX_DAYS_AHEAD = datetime.timedelta(days=366)
# The dates that place a document in the books (fiscal year, numbering period, journal date).
DOCUMENT_DATES = frozenset({"invoice_date", "bill_date", "payment_date"})
ZERO = Decimal("0.00")
# What a draft's PATCH leaves as it is: an argument not given (None may be a value: "no due date").
UNCHANGED = object()


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


@dataclass(frozen=True)
class PaymentDetails:
    """What a payment records besides its amounts: when, and the check's or the caller's references."""

    payment_date: datetime.date
    check_number: str
    check_date: datetime.date | None
    external_reference: str
    notes: str


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
    """Return `value` if it is a date (not a datetime) in range, or raise naming `param`.

    Every date is from 1900 on; a document's own date (DOCUMENT_DATES: it picks the fiscal year,
    the numbering period and the journal date) is at most a year ahead of today. Anything else is a
    typo that would open a period in year 1 or 9999: 422 `date_out_of_range`.
    """
    if value is None:
        raise InvalidInput(f"{param} is required.", code="parameter_missing", param=param)
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise InvalidInput(f"{param} must be a date.", code="parameter_invalid", param=param)
    latest = timezone.localdate() + MAX_DAYS_AHEAD if param in DOCUMENT_DATES else datetime.date.max
    if not EARLIEST_DATE <= value <= latest:
        ahead = (
            "" if latest == datetime.date.max else f" and at most {latest.isoformat()} (a year from today)"
        )
        raise RuleViolation(
            f"{param} must be from {EARLIEST_DATE.isoformat()}{ahead}.", code="date_out_of_range", param=param
        )
    return value


def posting_date_parse(value, *, entity: Entity, param: str) -> datetime.date:
    """Return a document's own date, in range (date_parse) and in an open period (`period_locked`)."""
    date = date_parse(value, param=param)
    period_open_check(entity=entity, date=date, param=param)
    return date


def text_parse(value, *, param: str, max_length: int, required: bool = False) -> str:
    """Return `value` stripped (None is empty); refuse non-strings, control characters, blanks if required.

    Tab and line breaks are allowed only in multi-line fields (notes, description, reason: erp/text.py).

    The length code is `<field>_too_long`, `<field>` being the last part of `param`
    (`lines[2].description` → `description_too_long`).
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{param} must be a string.", code="parameter_invalid", param=param)
    value = refuse_control_characters(value.strip(), param=param)
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


def choice_check(value, choices: Sequence[str], *, param: str) -> str:
    """Return `value` if it is one of `choices`, or raise InvalidInput naming `param`."""
    if value not in choices:
        raise InvalidInput(
            f"{param} must be one of {', '.join(choices)}.", code="invalid_choice", param=param
        )
    return value


def due_date_check(document_date: datetime.date, due_date: datetime.date | None, *, date_param: str) -> None:
    """Refuse a due date before the document's own date."""
    if due_date is not None and due_date < document_date:
        raise RuleViolation(
            f"due_date cannot be before {date_param}.", code="due_date_before_document_date", param="due_date"
        )


def lines_price(lines: Sequence[LineInput]) -> tuple[list[PricedLine], Decimal]:
    """Return the priced lines (1–200) and their total, which must be above zero; errors name the line."""
    if not isinstance(lines, list | tuple) or not 1 <= len(lines) <= MAX_LINES:
        raise InvalidInput(f"A document has 1–{MAX_LINES} lines.", code="invalid_line_count", param="lines")
    priced = []
    for index, line in enumerate(lines):
        param = f"lines[{index}]"
        _type_check(line, LineInput, param=param)
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


def applications_parse(applications: Sequence[ApplicationInput], *, id_param: str) -> list[Application]:
    """Return 1–50 applications, each naming a document once with a positive amount.

    Errors name `applications[i].<id_param>`, the field a client sent for the document's id.
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
        _type_check(application, ApplicationInput, param=param)
        document_id = uuid_parse(application.document_id, param=f"{param}.{id_param}")
        if application.amount_applied is None:
            raise InvalidInput(
                "amount_applied is required.", code="parameter_missing", param=f"{param}.amount_applied"
            )
        amount = money_parse(application.amount_applied, param=f"{param}.amount_applied")
        if document_id in seen:
            raise RuleViolation(
                "A document may appear only once in a payment.",
                code="duplicate_document",
                param=f"{param}.{id_param}",
            )
        seen.add(document_id)
        checked.append(Application(index, document_id, amount))
    return checked


def _type_check(item, kind: type, *, param: str) -> None:
    # A client cannot send a wrong type here (the API builds the inputs), so this is the caller's bug.
    if not isinstance(item, kind):
        raise TypeError(f"{param}: expected {kind.__name__}, got {type(item).__name__}.")


def payment_details_parse(
    *,
    is_check: bool,
    payment_date: datetime.date | None,
    check_number: str | None,
    check_date: datetime.date | None = None,
    external_reference: str | None,
    notes: str | None,
    entity: Entity,
) -> PaymentDetails:
    """Return a payment's details: the date defaults to today; check fields only on a check payment.

    The payment date, given or today, must be in the `entity`'s open period (`period_locked`).
    """
    check_number = text_parse(check_number, param="check_number", max_length=50)
    check_date = None if check_date is None else date_parse(check_date, param="check_date")
    if not is_check and (check_number or check_date):
        raise InvalidInput(
            "check_number and check_date are only for check payments.",
            code="check_fields_not_allowed",
            param="check_number" if check_number else "check_date",
        )
    payment_date = posting_date_parse(
        timezone.localdate() if payment_date is None else payment_date, entity=entity, param="payment_date"
    )
    return PaymentDetails(
        payment_date=payment_date,
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
