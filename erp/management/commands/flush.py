"""flush, run as the owner role: emptying tables (TRUNCATE) is refused to the application's role."""

from django.core.management.commands import flush

from erp.db_roles import running_as_owner


class Command(flush.Command):
    help = flush.Command.help + " Runs as the owner role when one is configured."

    def handle(self, **options):
        with running_as_owner(options["database"]):
            return super().handle(**options)
