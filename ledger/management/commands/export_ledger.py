"""export_ledger --entity ID_OR_CODE [--format jsonl] [--output FILE]: the chained records and checkpoints."""

from django.core.management.base import CommandError

from erp.management.base import FolioCommand
from erp.selectors import entity_by_id_or_code
from ledger.proof.export import ledger_export_lines


class Command(FolioCommand):
    help = (
        "Write every chained record of an entity with its hash, then its signed checkpoints, as JSON lines; "
        "tools/verify_export.py verifies the file offline (docs/audit.md)."
    )
    json_option = False

    def add_command_arguments(self, parser):
        parser.add_argument("--entity", required=True, help="Entity id or code.")
        parser.add_argument("--format", default="jsonl", choices=["jsonl"], help="Output format (jsonl).")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, **options):
        entity = entity_by_id_or_code(options["entity"])
        try:
            out = open(options["output"], "w", encoding="utf-8") if options["output"] else None  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error.strerror}.") from error
        stream = out or self.stdout
        count = 0
        try:
            for line in ledger_export_lines(entity=entity):
                stream.write(line)
                count += 1
        finally:
            if out:
                out.close()
        if out:
            self.stdout.write(f"Wrote {count} line(s) to {options['output']}.")
