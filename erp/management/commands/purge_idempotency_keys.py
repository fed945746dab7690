"""purge_idempotency_keys [--older-than-hours N] [--json]"""

from datetime import timedelta

from django.conf import settings

from erp.exceptions import InvalidInput
from erp.management.base import FolioCommand
from erp.services.idempotency import idempotency_records_purge

MAX_HOURS = 1_000_000  # about 114 years


class Command(FolioCommand):
    help = "Delete stored Idempotency-Key outcomes past their replay window (24 h). Safe for cron."

    def add_command_arguments(self, parser):
        default_hours = int(settings.IDEMPOTENCY_TTL.total_seconds() // 3600)
        parser.add_argument("--older-than-hours", type=int, default=default_hours)

    def handle(self, *args, **options):
        hours = options["older_than_hours"]
        if hours < 24:
            # A shorter window would let a client's legitimate retry run twice.
            raise InvalidInput("--older-than-hours must be at least 24.", code="window_too_short")
        if hours > MAX_HOURS:
            # Longer than any record can be old; the cutoff date would fall outside the calendar.
            raise InvalidInput(f"--older-than-hours must be at most {MAX_HOURS:,}.", code="window_too_long")
        deleted = idempotency_records_purge(older_than=timedelta(hours=hours))
        self.emit(
            options,
            {"deleted": deleted},
            f"Deleted {deleted} idempotency record(s) older than {hours} h.",
        )
