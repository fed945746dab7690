"""set_lock_date --entity ID_OR_CODE --date YYYY-MM-DD|none [--json]"""

import datetime

from erp.exceptions import InvalidInput
from erp.management.base import FolioCommand
from erp.selectors import entity_by_id_or_code
from erp.services.lock_date import entity_lock_date_set


class Command(FolioCommand):
    help = "Close an entity's books through a date (nothing posts on or before it); none reopens them."

    def add_command_arguments(self, parser):
        parser.add_argument("--entity", required=True, help="The entity's id or code.")
        parser.add_argument("--date", required=True, help="YYYY-MM-DD, not after today; none to reopen.")

    def handle(self, *args, **options):
        entity = entity_by_id_or_code(options["entity"])
        text = options["date"].strip()
        if text.lower() == "none":
            lock_date = None
        else:
            try:
                lock_date = datetime.date.fromisoformat(text)
            except ValueError:
                message = f"--date must be YYYY-MM-DD or none, not {text!r}."
                raise InvalidInput(message, code="parameter_invalid", param="date") from None
        entity = entity_lock_date_set(entity=entity, lock_date=lock_date, set_by="command:set_lock_date")
        shown = entity.lock_date.isoformat() if entity.lock_date else None
        sentence = f"books closed through {shown}" if shown else "no period is closed"
        self.emit(
            options,
            {"entity_id": str(entity.id), "code": entity.code, "lock_date": shown},
            f"{entity.code}: {sentence}.",
        )
