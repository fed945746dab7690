"""Shared plumbing for operators' commands: --json output and clean failures."""

import json

from django.core.management.base import BaseCommand, CommandError

from erp.exceptions import FolioError


class FolioCommand(BaseCommand):
    """A command whose domain errors exit non-zero with a clear message, with optional --json."""

    json_option = True

    def add_arguments(self, parser):
        if self.json_option:
            parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        self.add_command_arguments(parser)

    def add_command_arguments(self, parser):
        """Add the command's own arguments."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except FolioError as error:
            where = f" ({error.param})" if error.param else ""
            raise CommandError(f"{error.message}{where} [{error.code}]") from error

    def emit(self, options, payload: dict, text: str) -> None:
        """Print the result: JSON when asked, else the human sentence."""
        if options.get("json"):
            self.stdout.write(json.dumps(payload, default=str, indent=2))
        else:
            self.stdout.write(text)
