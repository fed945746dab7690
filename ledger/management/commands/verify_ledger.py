"""verify_ledger [--entity ID_OR_CODE] [--json]: recompute every hash chain; exit 1 on any break."""

from django.core.management.base import CommandError

from erp.management.base import FolioCommand
from erp.selectors import entity_by_id_or_code
from ledger.proof.verification import ledger_verify


class Command(FolioCommand):
    help = (
        "Recompute the hash chains of issued numbers, voids, counter events and journal entries, and compare "
        "each head with its signed checkpoints (docs/audit.md); name the first broken record of each chain "
        "and exit 1 on any break."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("--entity", help="Entity id or code (default: every entity).")

    def handle(self, *args, **options):
        entity = entity_by_id_or_code(options["entity"]) if options["entity"] else None
        report = ledger_verify(entity=entity)
        lines = [f"Checked {report['checked']} chained record(s): " + ("OK." if report["ok"] else "BROKEN.")]
        lines += [
            f"  {b['chain']}: {b['record_type']} {b['record_id']} (position {b['position']}): {b['reason']}"
            f" — {b['message']}"
            for b in report["breaks"]
        ]
        self.emit(options, report, "\n".join(lines))
        if not report["ok"]:
            raise CommandError(f"{len(report['breaks'])} chain(s) do not verify (see the report).")
