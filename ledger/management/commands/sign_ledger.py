"""sign_ledger [--entity ID_OR_CODE] [--json]: sign each chain head that moved (cron-safe, idempotent)."""

from django.core.management.base import CommandError

from erp.exceptions import FolioError
from erp.management.base import FolioCommand
from erp.models import Entity
from erp.selectors import entity_by_id_or_code
from ledger.proof.checkpoints import entity_ledger_sign


class Command(FolioCommand):
    help = (
        "Sign the head of every hash chain that moved since its last checkpoint with the entity's Ed25519 "
        "key (docs/audit.md). Chains that do not verify are not signed (exit 1). Safe to run from cron."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("--entity", help="Entity id or code (default: every entity).")

    def handle(self, *args, **options):
        if options["entity"]:
            entities = [entity_by_id_or_code(options["entity"])]
        else:
            entities = list(Entity.objects.order_by("code", "pk"))
        signed, failures = [], []
        for entity in entities:
            try:
                checkpoints = entity_ledger_sign(entity=entity)
            except FolioError as error:
                failures.append(f"{entity.code}: {error.message} [{error.code}]")
                continue
            signed.extend(
                {
                    "entity": entity.code,
                    "chain": c.chain_id,
                    "position": c.position,
                    "chain_hash": c.chain_hash,
                }
                for c in checkpoints
            )
        self.emit(
            options,
            {"ok": not failures, "signed": signed, "failures": failures},
            f"Signed {len(signed)} chain head(s) of {len(entities)} entity(ies)."
            + "".join(f"\n  not signed: {failure}" for failure in failures),
        )
        if failures:
            raise CommandError(
                f"Not signed: {failures[0]}"
                + (f" (and {len(failures) - 1} more)" if len(failures) > 1 else "")
            )
