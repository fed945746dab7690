"""Vendor credits: issue (idempotent per source), void (only unspent), and the issue's posting."""

import datetime
import uuid
from decimal import Decimal
from types import EllipsisType

from django.db import IntegrityError, transaction
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput, RuleViolation
from erp.models import Entity
from erp.money import money_parse
from erp.services.activity import activity_record
from ledger.documents import services as kit
from ledger.services import journal_entry_record
from payables.lock_objects import vendor_credit_for_update
from payables.models import Vendor, VendorCredit
from payables.services.postings import vendor_credit_lines

SOURCE_CONSTRAINT = "vendor_credit_unique_source"


def vendor_credit_issue(
    *,
    entity: Entity,
    vendor_id,
    amount,
    reason: str | None = "",
    source_type: str | None = VendorCredit.SourceType.MANUAL,
    source_id=None,
    expires_at: datetime.datetime | EllipsisType | None = ...,
    notes: str | None = "",
    created_by: str = "",
) -> tuple[VendorCredit, bool]:
    """Issue a vendor credit and post it; return (credit, created).

    A repeat with the same (source_type, source_id) returns the credit already issued for that
    source with created=False, even when the two requests race. `expires_at` omitted (...) takes
    the entity's default expiry; None means the credit never expires.
    """
    vendor = kit.party_of(Vendor, entity=entity, party_id=vendor_id, param="vendor_id")
    amount = money_parse(amount, param="amount")
    source_type = source_type or VendorCredit.SourceType.MANUAL
    if source_type not in VendorCredit.SourceType.values:
        raise InvalidInput(
            f"source_type must be one of {', '.join(VendorCredit.SourceType.values)}.",
            code="invalid_choice",
            param="source_type",
        )
    source_id = None if source_id is None else kit.uuid_parse(source_id, param="source_id")
    reason = kit.text_parse(reason, param="reason", max_length=500)
    notes = kit.text_parse(notes, param="notes", max_length=5000)
    if source_id is not None:
        existing = _issued_for_source(entity=entity, source_type=source_type, source_id=source_id)
        if existing is not None:
            return _replayed(existing, vendor=vendor, amount=amount), False
    expires_at = _expiry(entity=entity, expires_at=expires_at)
    with transaction.atomic():
        try:
            # A savepoint: if a concurrent twin wins the source, its entry and ours roll back together.
            with transaction.atomic():
                credit = _insert(
                    entity=entity,
                    vendor=vendor,
                    amount=amount,
                    reason=reason,
                    source_type=source_type,
                    source_id=source_id,
                    expires_at=expires_at,
                    notes=notes,
                    created_by=created_by,
                )
        except IntegrityError as error:
            if _constraint_of(error) != SOURCE_CONSTRAINT:
                raise
            # The unique index made us wait for the twin's commit, so it is visible now.
            existing = _issued_for_source(entity=entity, source_type=source_type, source_id=source_id)
            return _replayed(existing, vendor=vendor, amount=amount), False
        # The credit's reason is kept here as well as on the credit (docs/activity.md).
        activity_record(
            action="vendor_credit.created",
            obj=credit,
            changes={"amount": [None, amount], "vendor": [None, vendor.pk], "expires_at": [None, expires_at]},
            reason=reason,
        )
        kit.number_last(
            document=credit,
            entry=credit.journal_entry,
            counter_type="vendor_credit",
            date=timezone.localdate(),
            issued_by=created_by,
            number_field="credit_number",
        )
    return credit, True


def vendor_credit_void(*, credit: VendorCredit, reason: str, voided_by: str = "") -> VendorCredit:
    """Void a credit nothing was spent from, posting the reversal of its issue; a reason is required."""
    reason = kit.reason_parse(reason)
    with transaction.atomic():
        locked = vendor_credit_for_update(credit=credit)
        if locked.status == VendorCredit.Status.VOIDED:
            raise Conflict(f"{locked} is already voided.", code="already_void")
        if locked.status == VendorCredit.Status.EXPIRED:
            raise RuleViolation(
                f"{locked} has expired; its remainder is written off.", code="vendor_credit_expired"
            )
        if locked.status != VendorCredit.Status.OPEN:
            raise RuleViolation(
                f"{locked} has been applied to payments; void those payments first.",
                code="vendor_credit_in_use",
            )
        return kit.posted_void(
            locked,
            reason=reason,
            voided_by=voided_by,
            memo=f"Void of vendor credit {locked}",
            status=VendorCredit.Status.VOIDED,
            remaining_amount=Decimal("0.00"),
        )


def _insert(
    *, entity, vendor, amount, reason, source_type, source_id, expires_at, notes, created_by
) -> VendorCredit:
    credit_id = uuid.uuid4()
    entry = journal_entry_record(
        entity=entity,
        date=timezone.localdate(),
        memo=f"Vendor credit from {vendor.name}"[:500],
        lines=vendor_credit_lines(amount=amount),
        source_type="vendor_credit",
        source_id=str(credit_id),
        posted_by=created_by,
    )
    return VendorCredit.objects.create(
        id=credit_id,
        entity=entity,
        vendor=vendor,
        amount=amount,
        remaining_amount=amount,
        status=VendorCredit.Status.OPEN,
        reason=reason,
        source_type=source_type,
        source_id=source_id,
        expires_at=expires_at,
        notes=notes,
        journal_entry=entry,
        created_by=created_by,
    )


def _expiry(*, entity: Entity, expires_at) -> datetime.datetime | None:
    """Resolve `expires_at`: omitted takes the entity's default, None never expires, else it must be ahead."""
    now = timezone.now()
    if expires_at is ...:
        days = entity.vendor_credit_expiry_days
        return None if days is None else now + datetime.timedelta(days=days)
    if expires_at is None:
        return None
    if not isinstance(expires_at, datetime.datetime):
        raise InvalidInput("expires_at must be a date-time.", code="parameter_invalid", param="expires_at")
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise RuleViolation(
            "expires_at must be in the future.", code="expires_at_not_in_future", param="expires_at"
        )
    return expires_at


def _issued_for_source(*, entity: Entity, source_type: str, source_id) -> VendorCredit | None:
    return VendorCredit.objects.filter(entity=entity, source_type=source_type, source_id=source_id).first()


def _replayed(existing: VendorCredit, *, vendor: Vendor, amount: Decimal) -> VendorCredit:
    """Return the credit already issued for a source; a repeat naming another vendor or amount is refused."""
    if existing.vendor_id != vendor.pk or existing.amount != amount:
        raise Conflict(
            f"Credit {existing} was already issued for this source_id with another vendor or amount.",
            code="source_already_credited",
            param="source_id",
        )
    return existing


def _constraint_of(error: IntegrityError) -> str | None:
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
