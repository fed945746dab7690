"""Expiring vendor credits: the unspent remainder of a credit past its expires_at is written off."""

import datetime

from django.db import transaction
from django.utils import timezone

from erp.exceptions import InvalidInput
from erp.models import Entity
from erp.services.activity import activity_record
from ledger.documents import services as kit
from ledger.services import journal_entry_number, journal_entry_record
from payables.lock_objects import vendor_credit_for_update
from payables.models import VendorCredit
from payables.models.credits import USABLE_STATUSES
from payables.services.postings import vendor_credit_expiry_lines

EXPIRED_BY = "system:expire_vendor_credits"


def vendor_credits_expire(
    *, as_of: datetime.datetime | None = None, entity: Entity | None = None, expired_by: str = EXPIRED_BY
) -> int:
    """Expire every usable credit whose expires_at is at or before `as_of` (default now); return how many.

    Each credit expires in its own short transaction, so a sweep never holds many locks and a
    rerun (or a second cron overlapping the first) finds nothing left to do.
    """
    now = timezone.now()
    as_of = as_of or now
    if as_of > now:
        raise InvalidInput("as_of cannot be in the future.", code="as_of_in_future", param="as_of")
    due = VendorCredit.objects.filter(status__in=USABLE_STATUSES, expires_at__lte=as_of)
    if entity is not None:
        due = due.filter(entity=entity)
    expired = 0
    for pk in list(due.order_by("expires_at", "pk").values_list("pk", flat=True)):
        if vendor_credit_expire(credit=VendorCredit(pk=pk), as_of=as_of, expired_by=expired_by):
            expired += 1
    return expired


def vendor_credit_expire(
    *, credit: VendorCredit, as_of: datetime.datetime | None = None, expired_by: str = EXPIRED_BY
) -> bool:
    """Expire one credit if it is still usable and past its expires_at; return whether it expired."""
    as_of = as_of or timezone.now()
    with transaction.atomic():
        locked = vendor_credit_for_update(credit=credit)
        # Re-checked under the lock: a payment may have used it up, or another sweep expired it.
        if locked.status not in USABLE_STATUSES or locked.expires_at is None or locked.expires_at > as_of:
            return False
        date = _write_off_date(locked)
        if date is None:
            return False
        written_off = locked.remaining_amount
        status_before = locked.status
        entry = journal_entry_record(
            entity=locked.entity,
            date=date,
            memo=f"Expiry of vendor credit {locked}",
            lines=vendor_credit_expiry_lines(amount=written_off),
            source_type="vendor_credit_expiry",
            source_id=str(locked.pk),
            posted_by=expired_by,
        )
        locked.status = VendorCredit.Status.EXPIRED
        locked.expired_amount = written_off
        locked.remaining_amount = 0
        locked.expired_at = timezone.now()
        locked.expiry_journal_entry = entry
        locked.save(
            update_fields=[
                "status",
                "expired_amount",
                "remaining_amount",
                "expired_at",
                "expiry_journal_entry",
                "updated_at",
            ]
        )
        activity_record(
            action="vendor_credit.expired",
            obj=locked,
            changes={"status": [status_before, locked.status], "expired_amount": [None, written_off]},
        )
        kit.commit_checks_run(VendorCredit)  # before the journal counter's lock, not under it at commit
        journal_entry_number(entry=entry, issued_by=expired_by)
    return True


def _write_off_date(credit: VendorCredit) -> datetime.date | None:
    """Return the write-off's date: its expiry day (not before the credit's own), or None if today is closed.

    An expiry day in a closed period (the sweep ran late) moves to the first open day, as a void's
    reversal does; when today itself is closed nothing can post, and the next sweep expires it.
    """
    date = max(timezone.localdate(credit.expires_at), credit.journal_entry.date)
    lock_date = credit.entity.lock_date
    if lock_date is not None and date <= lock_date:
        date = lock_date + datetime.timedelta(days=1)
        if date > timezone.localdate():
            return None
    return date
