"""migrate, run as the owner role; then the application's role is granted the rows (erp/db_roles.py)."""

from django.core.management.commands import migrate

from erp.db_roles import application_rows_grant, running_as_owner


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as the owner role (MIGRATION_DATABASE_URL) when one is configured."

    def handle(self, *args, **options):
        with running_as_owner(options["database"]):
            super().handle(*args, **options)
            granted = application_rows_grant(alias=options["database"])
        if granted and options["verbosity"] >= 2:
            self.stdout.write("Granted the application's role its rights on every table.")
