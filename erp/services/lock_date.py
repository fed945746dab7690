"""Closed periods: an entity's lock date, set by an accountant; nothing posts on or before it.

The ledger refuses such a posting (ledger.services.period_open_check, and the database trigger of
ledger/migrations/0004_period_lock.sql). Moving the lock date back reopens those periods; both are
recorded (docs/posting.md, "Closed periods").
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from erp.exceptions import InvalidInput, RuleViolation
from erp.models import Entity
from erp.services.activity import activity_record

logger = logging.getLogger("folio.entities")
EARLIEST_LOCK_DATE = datetime.date(1900, 1, 1)


def entity_lock_date_set(*, entity: Entity, lock_date: datetime.date | None, set_by: str = "") -> Entity:
    """Close the entity's books through `lock_date` (None reopens every period); return the entity."""
    if lock_date is not None:
        if not isinstance(lock_date, datetime.date) or isinstance(lock_date, datetime.datetime):
            raise InvalidInput("lock_date must be a date.", code="parameter_invalid", param="lock_date")
        if lock_date < EARLIEST_LOCK_DATE:
            raise RuleViolation(
                f"lock_date must be from {EARLIEST_LOCK_DATE.isoformat()}.",
                code="date_out_of_range",
                param="lock_date",
            )
        if lock_date > timezone.localdate():
            raise RuleViolation(
                "lock_date cannot be after today: only past periods are closed.",
                code="lock_date_in_future",
                param="lock_date",
            )
    with transaction.atomic():
        locked = Entity.objects.select_for_update().get(pk=entity.pk)
        before = locked.lock_date
        if before != lock_date:
            Entity.objects.filter(pk=locked.pk).update(lock_date=lock_date)
            locked.lock_date = lock_date
            activity_record(action="entity.updated", obj=locked, changes={"lock_date": [before, lock_date]})
            logger.info(
                "lock date set",
                extra={
                    "entity_id": str(locked.pk),
                    "lock_date_before": before.isoformat() if before else None,
                    "lock_date_after": lock_date.isoformat() if lock_date else None,
                    "set_by": set_by,
                },
            )
    return locked
