"""The ledger's models now live in the ledger app: drop them from erp's state, keep the tables."""

from django.db import migrations


class Migration(migrations.Migration):
    # The ledger app re-declares the models and the other apps repoint their references first
    # (each of those migrations lists this one in its run_before).
    dependencies = [("erp", "0003_ledger_guards")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="JournalLine"),
                migrations.DeleteModel(name="JournalEntry"),
                migrations.DeleteModel(name="Account"),
            ],
            database_operations=[],
        ),
    ]
