"""audit_numbering [--entity ID_OR_CODE] [--sequence ID_OR_NAME] [--json]: the gap report; exit 1 on a gap."""

from uuid import UUID

from django.core.management.base import CommandError

from erp.exceptions import InvalidInput
from erp.management.base import FolioCommand
from erp.selectors import entity_by_id_or_code
from numbering.audit import sequence_audit
from numbering.models import Sequence


class Command(FolioCommand):
    help = (
        "Check that every value of every numbering period is issued, voided or skipped by a recorded "
        "counter event; print the report per sequence and period and exit 1 on any gap."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("--entity", help="Entity id or code (default: every entity).")
        parser.add_argument("--sequence", help="Sequence id or name (default: every sequence).")

    def handle(self, *args, **options):
        sequences = sequences_to_audit(entity=options["entity"], sequence=options["sequence"])
        reports = []
        for sequence in sequences:
            report = sequence_audit(sequence=sequence)
            reports.append(
                {"entity": sequence.entity.code, "name": sequence.name, **report},
            )
        ok = all(report["ok"] for report in reports)
        payload = {"ok": ok, "sequences": reports}
        self.emit(options, payload, _text(reports, ok))
        if not ok:
            raise CommandError(
                "The numbering audit found gaps, inconsistencies or numbers that disagree with their "
                "documents (see the report)."
            )


def sequences_to_audit(*, entity: str | None, sequence: str | None) -> list[Sequence]:
    """Return the sequences an operator named (all of them by default), by entity then name."""
    queryset = Sequence.objects.select_related("entity").order_by("entity__code", "name")
    if entity:
        queryset = queryset.filter(entity=entity_by_id_or_code(entity))
    if sequence:
        try:
            matches = list(queryset.filter(pk=UUID(sequence)))
        except ValueError:
            matches = list(queryset.filter(name=sequence))
        if not matches:
            raise InvalidInput(
                f"No sequence with id or name {sequence!r}.", code="sequence_not_found", param="sequence"
            )
        if len(matches) > 1:
            raise InvalidInput(
                f"{len(matches)} entities have a sequence named {sequence!r}; add --entity.",
                code="sequence_ambiguous",
                param="sequence",
            )
        return matches
    return list(queryset)


def _disagreement(problem: dict) -> str:
    """Say in one line how a number and its document disagree."""
    what = f"{problem['document_type'].replace('_', ' ')} {problem['document_id']}"
    return {
        "document_missing": f"number {problem['number']} names {what}, which does not exist",
        "document_carries_another_number": (
            f"number {problem['number']} was issued to {what}, which carries {problem['document_number']}"
        ),
        "number_voided_document_live": f"number {problem['number']} is voided but {what} is not",
        "document_void_number_live": f"{what} is void but its number {problem['number']} is not",
        "document_number_not_issued": f"{what} carries {problem['document_number']}, never issued to it",
    }[problem["problem"]]


def _text(reports: list[dict], ok: bool) -> str:
    lines = []
    periods = gaps = 0
    for report in reports:
        lines.append(f"{report['name']} [{report['entity']}] {'OK' if report['ok'] else 'GAPS'}")
        for problem in report.get("documents", []):
            lines.append(f"  {_disagreement(problem)}")
        for period in report["periods"]:
            periods += 1
            gaps += len(period["gaps"])
            span = f"{period['first']}..{period['last']}" if period["last"] >= period["first"] else "unused"
            skipped = ", ".join(f"{lo}..{hi} (event {event})" for lo, hi, event in period["skipped"])
            problems = [
                *(f"gap {lo}..{hi}" for lo, hi in period["gaps"]),
                *(f"issued and skipped {lo}..{hi}" for lo, hi in period["overlaps"]),
                *(f"issued outside the counter {lo}..{hi}" for lo, hi in period["out_of_range"]),
            ]
            lines.append(
                f"  {period['label']}: {span}  issued {period['issued']}  voided {period['voided']}"
                f"  skipped {skipped or 'none'}  {'; '.join(problems) or 'no gaps'}"
            )
    verdict = "OK" if ok else "GAPS FOUND"
    lines.append(f"Audited {len(reports)} sequence(s), {periods} period(s): {gaps} gap(s). {verdict}")
    return "\n".join(lines)
