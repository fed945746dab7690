"""create_entity --name NAME [--code CODE] [--currency USD] [--fiscal-year-start MONTH] [--json]"""

from erp.management.base import FolioCommand
from erp.services.entities import entity_create


class Command(FolioCommand):
    help = "Create an entity (company) with its default chart of accounts and sequences."

    def add_command_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--code", help="Short slug; derived from the name when omitted.")
        parser.add_argument("--currency", default="USD", help="ISO 4217 base currency.")
        parser.add_argument("--fiscal-year-start", type=int, default=1, help="Month 1–12.")
        parser.add_argument(
            "--vendor-credit-expiry-days", type=int, default=None, help="Default credit expiry."
        )

    def handle(self, *args, **options):
        entity = entity_create(
            name=options["name"],
            code=options["code"],
            base_currency=options["currency"],
            fiscal_year_start_month=options["fiscal_year_start"],
            vendor_credit_expiry_days=options["vendor_credit_expiry_days"],
        )
        self.emit(
            options,
            {"id": str(entity.id), "code": entity.code, "name": entity.name},
            f"Created entity {entity.name} (code {entity.code}, id {entity.id}).",
        )
