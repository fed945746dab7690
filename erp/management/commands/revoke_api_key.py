"""revoke_api_key KEY_ID [--json]"""

from uuid import UUID

from erp.exceptions import InvalidInput
from erp.management.base import FolioCommand
from erp.models import ApiKey
from erp.services.api_keys import api_key_revoke


class Command(FolioCommand):
    help = "Revoke an API key by its id; requests with it are refused from now on."

    def add_command_arguments(self, parser):
        parser.add_argument("key_id", help="The key's id (as printed by create_api_key).")

    def handle(self, *args, **options):
        try:
            api_key = ApiKey.objects.get(pk=UUID(options["key_id"]))
        except (ValueError, ApiKey.DoesNotExist):
            raise InvalidInput(
                f"No API key with id {options['key_id']!r}.", code="api_key_not_found"
            ) from None
        api_key = api_key_revoke(api_key=api_key, revoked_by="command:revoke_api_key")
        self.emit(
            options,
            {"id": str(api_key.id), "revoked_at": api_key.revoked_at.isoformat()},
            f"Revoked API key {api_key.id} ({api_key.prefix}…) at {api_key.revoked_at.isoformat()}.",
        )
