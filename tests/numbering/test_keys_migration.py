"""numbering 0005 on the demo books: every existing sequence gets its own key and PORTOS id, nothing lost."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from erp.models import Entity
from numbering.audit import sequence_audit
from numbering.models import IssuedNumber, Sequence
from numbering.services import sequence_create, sequence_issue_next
from tests.db_roles import as_owner


def migrate_to(targets) -> None:
    """Run the migrations to `targets` with a fresh view of what is applied."""
    with as_owner():  # migrations run as the owner role
        executor = MigrationExecutor(connection)
        executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_sequences_get_distinct_keys_and_portos_ids_and_keep_their_numbers():
    call_command("load_demo", "--json", stdout=StringIO())
    entity = Entity.objects.get(code="demo")
    issued_before = sorted(IssuedNumber.objects.values_list("number", flat=True))
    try:
        migrate_to([("numbering", "0004_warning_threshold_help_text")])
    finally:
        migrate_to(None)  # up again, with the demo rows in the tables
    sequences = list(Sequence.objects.filter(entity=entity))
    assert len(sequences) >= 7
    assert len({s.key for s in sequences}) == len(sequences)
    assert len({s.portos_id for s in sequences}) == len(sequences)
    assert all(len(s.portos_id) == 24 and int(s.portos_id, 16) >= 0 for s in sequences)
    assert sorted(IssuedNumber.objects.values_list("number", flat=True)) == issued_before
    assert all(sequence_audit(sequence=s)["ok"] for s in sequences)
    invoice = next(s for s in sequences if s.counter_type == "invoice")
    assert sequence_issue_next(sequence=invoice).value == invoice.periods.get().last_value
    created = sequence_create(entity=entity, name="After the migration")
    assert created.key > max(s.key for s in sequences)  # drawn on insert, returned with the row
