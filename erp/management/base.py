"""Shared plumbing for operators' commands: --json output and clean failures."""

import json
import uuid

from django.core.management.base import BaseCommand, CommandError

from erp.exceptions import FolioError
from erp.request_context import Actor, acting


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
        name = self.__module__.rpartition(".")[2]
        # Every write of this run is the command's, under one request id (the activity log groups them).
        actor = Actor(type="command", id=name, name=name, channel="command")
        try:
            with acting(actor, request_id=f"cmd_{uuid.uuid4().hex}"):
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
