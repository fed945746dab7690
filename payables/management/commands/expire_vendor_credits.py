"""expire_vendor_credits [--as-of DATE] [--entity ID_OR_CODE] [--json]: write off credits past expires_at.

Idempotent and safe from cron: a credit expires once, each in its own short transaction.
"""

import datetime

from django.utils import timezone

from erp.exceptions import InvalidInput
from erp.management.base import FolioCommand
from erp.selectors import entity_by_id_or_code
from payables.services import vendor_credits_expire

EARLIEST_YEAR = 1900


class Command(FolioCommand):
    help = "Expire open or partially applied vendor credits past their expires_at, posting each write-off."

    def add_command_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            help="Expire what had expired by this moment: an ISO date (its start, in TIME_ZONE) "
            "or date-time. "
            "Default: now. Never in the future.",
        )
        parser.add_argument("--entity", help="Only this entity (id or code).")

    def handle(self, *args, **options):
        as_of = _moment(options["as_of"]) if options["as_of"] else timezone.now()
        entity = entity_by_id_or_code(options["entity"]) if options["entity"] else None
        expired = vendor_credits_expire(as_of=as_of, entity=entity)
        self.emit(
            options,
            {"expired": expired, "as_of": as_of.isoformat()},
            f"Expired {expired} vendor credit(s) as of {as_of.isoformat()}.",
        )


def _moment(value: str) -> datetime.datetime:
    """Parse --as-of: a date means the start of that day in the project's time zone."""
    try:
        moment = datetime.datetime.fromisoformat(value)
        moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        # In UTC: PostgreSQL refuses offsets past ±15:59, which Python accepts.
        moment = moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(
            f"--as-of {value!r} is not an ISO date or date-time.", code="parameter_invalid", param="as_of"
        ) from None
    if moment.year < EARLIEST_YEAR:
        raise InvalidInput(
            f"--as-of must be from {EARLIEST_YEAR} on.", code="parameter_invalid", param="as_of"
        )
    return moment
