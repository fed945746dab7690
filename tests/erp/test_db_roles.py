"""Least privilege: the application's database role reads and writes rows and nothing else (docs/audit.md)."""

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from erp.db_roles import OWNER_ALIAS, running_as_owner
from tests.db_roles import application_conninfo, connected, owner_conninfo
from tests.helpers import sql

pytestmark = pytest.mark.django_db

# Each is refused to the application's role by the database itself, whatever the code does.
REFUSED = {
    "truncate": "TRUNCATE numbering_issuednumber",
    "truncate journal": "TRUNCATE erp_journalline, erp_journalentry CASCADE",
    "disable a trigger": "ALTER TABLE numbering_issuednumber DISABLE TRIGGER USER",
    "disable every trigger": "ALTER TABLE erp_journalentry DISABLE TRIGGER ALL",
    "replica mode": "SET session_replication_role = replica",
    "create a table": "CREATE TABLE forged (id int)",
    "create a temporary table": "CREATE TEMPORARY TABLE forged (id int)",
    "drop a trigger": "DROP TRIGGER numbering_issued_number_append_only ON numbering_issuednumber",
    "replace a guard": "CREATE OR REPLACE FUNCTION numbering_issued_number_guard() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "add a column": "ALTER TABLE numbering_issuednumber ADD COLUMN forged int",
    "take ownership": "ALTER TABLE numbering_issuednumber OWNER TO CURRENT_USER",
    "become the owner": "SET ROLE folio_owner",
}


def test_the_suite_runs_as_the_application_role():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, session_user, rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        current, session, superuser = cursor.fetchone()
    assert current == session == settings.DATABASE_APPLICATION_ROLE
    assert superuser is False
    assert current != connections.settings[OWNER_ALIAS]["USER"]


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_the_application_role_is_refused(statement):
    # 42501 insufficient_privilege, 42P01 none: every refusal is the privilege check itself.
    with connected(application_conninfo()) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_application_role_owns_nothing():
    with connection.cursor() as cursor:
        for catalog, owner in (("pg_class", "relowner"), ("pg_proc", "proowner"), ("pg_type", "typowner")):
            cursor.execute(f"SELECT count(*) FROM {catalog} WHERE {owner} = current_user::regrole")
            assert cursor.fetchone()[0] == 0, catalog


def test_rows_are_read_and_written_as_the_application(entity):
    # Creating an entity wrote its chart of accounts and its sequences: rows in several tables.
    sql("UPDATE erp_entity SET name = 'Renamed' WHERE id = %s", [entity.pk])
    entity.refresh_from_db()
    assert entity.name == "Renamed"
    assert entity.accounts.exists()


@pytest.mark.django_db(transaction=True)
def test_migrate_runs_as_the_owner_and_grants_new_tables_to_the_application():
    # A table created later by the owner (as a future migration would) is the application's to use.
    call_command("migrate", verbosity=0)
    with running_as_owner("default"), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == connections.settings[OWNER_ALIAS]["USER"]
        cursor.execute("CREATE TABLE later_table (id int)")
    try:
        with connected(application_conninfo()) as conn:
            conn.execute("INSERT INTO later_table VALUES (1)")
            assert conn.execute("SELECT count(*) FROM later_table").fetchone()[0] == 1
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("TRUNCATE later_table")
    finally:
        with connected(owner_conninfo()) as conn:
            conn.execute("DROP TABLE later_table")
