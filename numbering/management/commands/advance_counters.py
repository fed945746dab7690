"""advance_counters --entity ID_OR_CODE --file counters.csv [--dry-run] [--json]: the migration advance."""

import csv

from django.core.management.base import CommandError
from django.db import transaction

from erp.management.base import FolioCommand
from erp.selectors import entity_by_id_or_code
from erp.text import control_character
from numbering.services import migration_counters_advance

COLUMNS = ("counter_type", "advance_to", "prefix", "padding")
# Far more than the counter types there are: a bigger file is a mistake, refused before it runs.
MAX_ROWS = 1000
REQUIRED = ("counter_type", "advance_to")
ACTOR = "command:advance_counters"


class Command(FolioCommand):
    help = (
        "Advance an entity's counters from a CSV (counter_type, advance_to, prefix, padding), each row "
        "on its own as the migration API does; exit 1 if any row failed."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("--entity", required=True, help="Entity id or code.")
        parser.add_argument("--file", required=True, help="CSV with a header row.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; change nothing."
        )

    def handle(self, *args, **options):
        entity = entity_by_id_or_code(options["entity"])
        rows = read_counters_csv(options["file"])
        with transaction.atomic():
            result = migration_counters_advance(entity=entity, rows=rows, actor=ACTOR)
            if options["dry_run"]:
                transaction.set_rollback(True)
        result["dry_run"] = options["dry_run"]
        self.emit(options, result, _text(result))
        if result["failed"]:
            raise CommandError(f"{result['failed']} of {result['total']} counter(s) failed.")


def read_counters_csv(path: str) -> list[dict]:
    """Read counter rows from a CSV file; empty prefix/padding cells mean "not given"."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise CommandError(
                    f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}."
                )
            rows = []
            for raw in reader:
                if len(rows) == MAX_ROWS:
                    raise CommandError(f"{path}: more than {MAX_ROWS} counter rows; split the file.")
                cells = {(key or "").strip(): (value or "").strip() for key, value in raw.items()}
                _refuse_control_characters(path, reader.line_num, [*cells, *cells.values()])
                rows.append({name: cells[name] for name in COLUMNS if cells.get(name)})
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path} is not UTF-8 text (byte {error.start}); save it as CSV in UTF-8."
        ) from error
    except csv.Error as error:
        raise CommandError(f"{path} is not a readable CSV file: {error}.") from error
    if not rows:
        raise CommandError(f"{path} has no counter rows.")
    return rows


def _refuse_control_characters(path: str, line: int, cells) -> None:
    # Caught before any row runs: echoed in the report, a control character would reach the terminal.
    for cell in cells:
        if isinstance(cell, str) and control_character(cell) is not None:
            raise CommandError(f"{path}, line {line}: a cell holds a control character; fix the file.")


def _text(result: dict) -> str:
    lines = []
    for row in result["results"]:
        if "error" in row:
            lines.append(f"{row['counter_type']}: FAILED {row['error']} ({row['param']}) [{row['code']}]")
        elif row["advanced"]:
            lines.append(
                f"{row['counter_type']}: {row['previous_value']} -> {row['current_value']}, "
                f"next {row['next_issued_preview']}"
            )
        else:
            lines.append(
                f"{row['counter_type']}: unchanged at {row['current_value']}, "
                f"next {row['next_issued_preview']}"
            )
    prefix = "Dry run (nothing saved): " if result["dry_run"] else ""
    lines.append(f"{prefix}{result['succeeded']} of {result['total']} succeeded, {result['failed']} failed.")
    return "\n".join(lines)
