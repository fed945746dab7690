"""create_api_key --entity ID_OR_CODE --scopes SCOPE[,SCOPE…] [--test] [--name NAME] [--json]"""

from erp.management.base import FolioCommand
from erp.selectors import entity_by_id_or_code
from erp.services.api_keys import api_key_create


class Command(FolioCommand):
    help = "Create an API key for an entity; the token is printed once and never again."

    def add_command_arguments(self, parser):
        parser.add_argument("--entity", required=True, help="Entity id or code.")
        parser.add_argument(
            "--scopes", required=True, help="Comma-separated, e.g. numbering:read,numbering:write"
        )
        parser.add_argument("--test", action="store_true", help="Issue a test key (ark_test_ent_…).")
        parser.add_argument("--name", default="", help="A label to recognise the key by.")

    def handle(self, *args, **options):
        entity = entity_by_id_or_code(options["entity"])
        api_key, token = api_key_create(
            entity=entity,
            scopes=options["scopes"],
            name=options["name"],
            livemode=not options["test"],
        )
        self.emit(
            options,
            {
                "id": str(api_key.id),
                "token": token,
                "entity_id": str(entity.id),
                "scopes": api_key.scopes,
            },
            f"API key {api_key.id} for {entity.code} (scopes: {', '.join(api_key.scopes)}).\n"
            f"Token (shown once, store it now): {token}",
        )
