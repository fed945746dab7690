"""The activity log: one append-only, chained row per write, with its actor, channel, request and changes."""

import datetime
import threading
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.urls import reverse

from erp.models import Activity, ActivityChainHead, ApiKey, Entity
from erp.services.activity import activity_chain_breaks, activity_record, chain_hash
from erp.services.api_keys import api_key_revoke
from erp.services.memberships import membership_grant
from numbering.models import Sequence
from receivables.models import Customer
from receivables.services import customer_create
from tests.db_roles import as_owner, superuser_sql
from tests.erp.factories import EntityFactory
from tests.helpers import command_output, error_of, refused, sql


def rows_of(entity, **filters) -> list[Activity]:
    return list(Activity.objects.filter(entity=entity, **filters).order_by("occurred_at", "id"))


def commit_checks() -> None:
    """Run the commit-time triggers now (this test's transaction is rolled back, never committed)."""
    sql("SET CONSTRAINTS ALL IMMEDIATE")


# --- one row per write, named by the channel it came through -------------------------------------------


def test_an_api_write_is_one_row_naming_the_key_and_the_request(entity, make_client):
    api = make_client(entity, scopes=["accounts:write"])
    key = ApiKey.objects.get(entity=entity, scopes=["accounts:write"])
    before = Activity.objects.count()

    response = api.post(
        "/v1/customers",
        {"name": "Acme", "email": "ap@acme.test"},
        format="json",
        HTTP_X_REQUEST_ID="req-abc-1",
    )

    assert response.status_code == 201, response.content
    assert Activity.objects.count() == before + 1
    [row] = rows_of(entity, action="customer.created")
    assert (row.actor_type, row.actor_id, row.actor_name, row.channel) == (
        "api_key",
        str(key.pk),
        key.prefix,
        "api",
    )
    assert (row.object_type, row.object_id) == ("customer", response.json()["id"])
    assert row.request_id == "req-abc-1"
    assert row.changes["name"] == [None, "Acme"]
    assert row.changes["email"] == [None, "ap@acme.test"]


def test_an_admin_write_is_one_row_naming_the_user(entity, admin_client, customer):
    user = get_user_model().objects.get(username="acc")
    before = Activity.objects.count()
    url = reverse("admin:receivables_customer_change", args=[customer.pk])

    response = admin_client.post(
        url, {"entity": entity.pk, "name": "Renamed Ltd", "email": customer.email, "external_reference": ""}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Activity.objects.count() == before + 1
    [row] = rows_of(entity, action="customer.updated")
    assert (row.actor_type, row.actor_id, row.actor_name, row.channel) == (
        "user",
        str(user.pk),
        "acc",
        "admin",
    )
    assert row.object_id == str(customer.pk)
    assert row.changes == {"name": [customer.name, "Renamed Ltd"]}
    assert row.request_id == response["X-Request-Id"]


def test_a_command_write_is_one_row_naming_the_command(entity, make_client):
    make_client(entity, scopes=["numbering:read"])
    key = ApiKey.objects.get(entity=entity)
    before = Activity.objects.count()

    command_output("revoke_api_key", str(key.pk))

    assert Activity.objects.count() == before + 1
    [row] = rows_of(entity, action="api_key.revoked")
    assert (row.actor_type, row.actor_id, row.actor_name, row.channel) == (
        "command",
        "revoke_api_key",
        "revoke_api_key",
        "command",
    )
    assert row.request_id.startswith("cmd_")
    assert row.changes["revoked_at"][0] is None and row.changes["revoked_at"][1]


def test_a_refused_write_leaves_no_row(entity, make_client):
    api = make_client(entity, scopes=["accounts:write"])
    before = Activity.objects.count()

    response = api.post("/v1/customers", {"name": ""}, format="json")

    assert response.status_code == 400
    assert Activity.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_write_that_rolls_back_leaves_no_row():
    entity = EntityFactory()
    before = Activity.objects.filter(entity=entity).count()

    with pytest.raises(RuntimeError), transaction.atomic():
        customer = customer_create(entity=entity, name="Gone Ltd")
        raise RuntimeError("the caller fails after the write")

    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert Activity.objects.filter(entity=entity).count() == before


@pytest.mark.django_db(transaction=True)
def test_recording_outside_the_writes_transaction_is_refused():
    entity = EntityFactory()

    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        activity_record(action="entity.updated", obj=entity)


def test_an_action_is_named_object_dot_verb(entity):
    with pytest.raises(ValueError, match="lowercase snake case"):
        activity_record(action="Customer created", obj=entity)


# --- append-only, chained --------------------------------------------------------------------------------


@pytest.fixture
def logged(entity):
    customer = customer_create(entity=entity, name="Logged Ltd")
    commit_checks()
    return Activity.objects.filter(entity=entity, object_id=str(customer.pk)).get()


def test_the_log_refuses_update(logged):
    with refused("activity_append_only"):
        Activity.objects.filter(pk=logged.pk).update(reason="rewritten")


def test_the_log_refuses_delete(logged):
    with refused("activity_append_only"):
        Activity.objects.filter(pk=logged.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_the_log_refuses_truncate():
    customer_create(entity=EntityFactory(), name="Kept Ltd")

    with pytest.raises(ProgrammingError, match="permission denied"):  # the application's role
        sql("TRUNCATE erp_activity")
    with as_owner(), pytest.raises(IntegrityError, match="append-only") as raised:  # the owner: the trigger
        sql("TRUNCATE erp_activity")

    assert raised.value.__cause__.diag.constraint_name == "activity_append_only"
    assert Activity.objects.exists()


def test_a_row_cannot_be_inserted_with_a_chain_position_of_its_own(entity, logged):
    sql(
        "INSERT INTO erp_activity (id, entity_id, occurred_at, actor_type, actor_id, actor_name, channel,"
        " action, object_type, object_id, request_id, reason, changes, seq, chain_hash)"
        " VALUES (gen_random_uuid(), %s, now(), 'user', '1', 'mallory', 'admin', 'entity.updated', 'entity',"
        " %s, '', '', '{}', 99, repeat('0', 64))",
        [entity.pk, str(entity.pk)],
    )
    commit_checks()

    forged = Activity.objects.get(entity=entity, actor_name="mallory")
    assert forged.seq == logged.seq + 1
    assert forged.chain_hash != "0" * 64


def test_each_entity_has_its_own_chain_and_every_hash_verifies(entity, other_entity):
    for name in ("One", "Two", "Three"):
        customer_create(entity=entity, name=name)
    customer_create(entity=other_entity, name="Elsewhere")
    commit_checks()

    for owner in (entity, other_entity):
        previous = ""
        rows = Activity.objects.filter(entity=owner).order_by("seq")
        assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
        for row in rows.extra(select={"changes_text": "changes::text"}).values():
            row["changes"] = row.pop("changes_text")
            assert row["chain_hash"] == chain_hash(previous, row)
            previous = row["chain_hash"]


def test_the_database_and_python_hash_the_same_bytes_whatever_the_text(entity):
    """The link's canonical text (SQL concatenation) and canonical_bytes agree on multi-byte text and JSON."""
    activity_record(
        action="entity.updated",
        obj=entity,
        changes={"name": ["Ärger € 😀", {"nested": [1, "ü", None]}], "empty": ["", []]},
        reason="naïve — “quoted” \\ back\nslash",
    )
    commit_checks()

    previous = ""
    for row in (
        Activity.objects.filter(entity=entity)
        .order_by("seq")
        .extra(select={"changes_text": "changes::text"})
        .values()
    ):
        row["changes"] = row.pop("changes_text")
        assert row["chain_hash"] == chain_hash(previous, row)
        previous = row["chain_hash"]


def test_a_recorded_row_is_what_the_database_holds(entity):
    """activity_record's own INSERT stores the columns the model would have."""
    row = activity_record(
        action="entity.updated", obj=entity, changes={"amount": [None, "1.50"]}, reason="why"
    )

    stored = Activity.objects.get(pk=row.pk)
    assert [
        getattr(stored, f.attname)
        for f in Activity._meta.concrete_fields
        if f.name not in {"seq", "chain_hash"}
    ] == [
        getattr(row, f.attname) for f in Activity._meta.concrete_fields if f.name not in {"seq", "chain_hash"}
    ]
    assert stored.changes == {"amount": [None, "1.50"]}
    assert not row._state.adding


def test_every_entity_has_a_chain_head_that_follows_its_last_row(entity, other_entity):
    for owner in (other_entity, entity):  # two entities in one transaction, the later id first or not
        customer_create(entity=owner, name="Headed Ltd")
    commit_checks()

    for owner in (entity, other_entity):
        last = Activity.objects.filter(entity=owner).order_by("-seq").first()
        head = ActivityChainHead.objects.get(entity=owner)
        assert (head.seq, head.chain_hash) == (last.seq, last.chain_hash)
        assert activity_chain_breaks(entity=owner)[1] == []


def test_a_new_entity_starts_with_an_empty_head(db):
    """The database gives every entity its head when it is inserted, however it is inserted."""
    entity = Entity.objects.create(name="Headless", code="headless")

    head = ActivityChainHead.objects.get(entity=entity)
    assert (head.seq, head.chain_hash) == (0, "")


def test_a_client_cannot_link_a_row_itself(entity, logged):
    """Only the commit-time link gives a row its place: a client's UPDATE of the chain fields is refused."""
    row = activity_record(action="entity.updated", obj=entity)
    with refused("activity_append_only"):
        Activity.objects.filter(pk=row.pk).update(seq=logged.seq + 1, chain_hash="a" * 64)
    with refused("activity_append_only"):
        Activity.objects.filter(pk=logged.pk).update(chain_hash="b" * 64)
    with refused("activity_append_only"):
        Activity.objects.filter(pk=logged.pk).update(seq=None, chain_hash=None)


def test_a_client_cannot_write_a_chain_head(entity, logged):
    """Only the database's own triggers move, create or remove a head (erp 0014): not the application."""
    head = "erp_activity_chainhead"
    forged = f"UPDATE {head} SET seq = seq + 1, chain_hash = repeat('0', 64) WHERE entity_id = %s"
    for statement in (
        forged,
        f"UPDATE {head} SET seq = 0 WHERE entity_id = %s",
        f"DELETE FROM {head} WHERE entity_id = %s",
        f"INSERT INTO {head} (entity_id, seq, chain_hash) VALUES (%s, 7, '')",
    ):
        with refused("activity_chain_head_guarded"):
            sql(statement, [entity.pk])


def test_a_rewritten_head_is_a_break_at_the_next_row(committed_log):
    """The head is a shortcut: a head given another hash (by the superuser) makes the next row's hash fail."""
    entity, _customers, _rows = committed_log
    superuser_sql(
        "UPDATE erp_activity_chainhead SET chain_hash = repeat('0', 64) WHERE entity_id = %s", [entity.pk]
    )
    customer_create(entity=entity, name="After the rewrite")

    _checked, [broken] = activity_chain_breaks(entity=entity)

    assert broken["record_id"] == str(Activity.objects.filter(entity=entity).latest("seq").pk)
    assert "hash" in broken["reason"]


def test_a_head_moved_back_refuses_the_next_commit(committed_log):
    """A head set back cannot give a position twice: the commit fails, the chain stays whole."""
    entity, _customers, rows = committed_log
    superuser_sql("UPDATE erp_activity_chainhead SET seq = 1 WHERE entity_id = %s", [entity.pk])

    with pytest.raises(IntegrityError, match="activity_chain_position"):
        customer_create(entity=entity, name="Refused at commit")

    assert Activity.objects.filter(entity=entity).count() == len(rows)
    assert activity_chain_breaks(entity=entity)[1] == []


def test_a_removed_head_is_rebuilt_from_the_chain(committed_log):
    entity, _customers, rows = committed_log
    superuser_sql("DELETE FROM erp_activity_chainhead WHERE entity_id = %s", [entity.pk])

    customer_create(entity=entity, name="After the removal")

    head = ActivityChainHead.objects.get(entity=entity)
    assert head.seq == len(rows) + 1
    assert activity_chain_breaks(entity=entity) == (len(rows) + 1, [])


# --- GET /v1/activity -------------------------------------------------------------------------------------


@pytest.fixture
def history(entity, make_client):
    """Two customers created through the API, one renamed in a later request, a key revoked by a command."""
    writer = make_client(entity, scopes=["accounts:write"])
    first = writer.post("/v1/customers", {"name": "First"}, format="json").json()
    second = writer.post("/v1/customers", {"name": "Second"}, format="json").json()
    writer.patch(f"/v1/customers/{first['id']}", {"name": "First Renamed"}, format="json")
    return {"first": first, "second": second}


def test_the_list_shows_the_log_newest_first_in_the_documented_shape(entity, make_client, history):
    reader = make_client(entity, scopes=["audit:read"])

    response = reader.get("/v1/activity?object_type=customer")

    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    newest = body["data"][0]
    assert newest["action"] == "customer.updated"
    assert (newest["object"]["type"], newest["object"]["id"]) == ("customer", history["first"]["id"])
    assert newest["actor"]["type"] == "api_key"
    assert newest["channel"] == "api"
    assert newest["entity_id"] == str(entity.pk)
    assert newest["changes"] == {"name": ["First", "First Renamed"]}
    assert set(newest) >= {"id", "occurred_at", "request_id", "reason"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=customer.created", ["created", "created"]),
        ("action=customer.updated", ["updated"]),
        ("object_type=customer&action=customer.updated", ["updated"]),
        ("channel=admin", []),
        ("actor_type=api_key&action=customer.created", ["created", "created"]),
    ],
)
def test_the_list_filters(entity, make_client, history, query, expected):
    reader = make_client(entity, scopes=["audit:read"])

    data = reader.get(f"/v1/activity?{query}").json()["data"]

    assert [row["action"].split(".")[1] for row in data] == expected


def test_the_list_filters_by_object_and_by_date(entity, make_client, history):
    reader = make_client(entity, scopes=["audit:read"])
    first = history["first"]["id"]

    by_object = reader.get(f"/v1/activity?object_type=customer&object_id={first}").json()["data"]
    tomorrow = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).isoformat()
    later = reader.get("/v1/activity", {"occurred_after": tomorrow}).json()["data"]
    earlier = reader.get("/v1/activity", {"occurred_before": tomorrow, "object_type": "customer"}).json()[
        "data"
    ]

    assert [row["action"] for row in by_object] == ["customer.updated", "customer.created"]
    assert later == []
    assert len(earlier) == 3


def test_the_list_filters_by_actor(entity, make_client, history):
    reader = make_client(entity, scopes=["audit:read"])
    writer = Activity.objects.filter(entity=entity, action="customer.created").first()

    by_name = reader.get("/v1/activity", {"actor": writer.actor_name}).json()["data"]
    by_id = reader.get("/v1/activity", {"actor_id": writer.actor_id}).json()["data"]

    assert len(by_name) == len(by_id) == 3


def test_another_entitys_log_is_invisible(entity, other_entity, make_client, history):
    outsider = make_client(other_entity, scopes=["audit:read"])
    row = Activity.objects.filter(entity=entity).first()

    listed = outsider.get("/v1/activity?object_type=customer").json()["data"]
    fetched = outsider.get(f"/v1/activity/{row.pk}")

    assert listed == []
    assert fetched.status_code == 404


def test_the_list_needs_the_audit_scope(entity, make_client):
    response = make_client(entity, scopes=["accounting:read"]).get("/v1/activity")

    assert error_of(response)[:2] == (403, "insufficient_scope")


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ("colour=red", "unknown_parameter", "colour"),
        ("action=", "parameter_invalid", "action"),
        ("limit=1000", "parameter_invalid", "limit"),
        ("ordering=reason", "parameter_invalid", "ordering"),
        ("occurred_after=yesterday", "parameter_invalid", "occurred_after"),
        ("channel=fax", "invalid_choice", "channel"),
    ],
)
def test_the_list_is_strict_about_its_parameters(entity, make_client, query, code, param):
    response = make_client(entity, scopes=["audit:read"]).get(f"/v1/activity?{query}")

    assert error_of(response) == (400, code, param)


def test_the_log_is_read_only_through_the_api(entity, make_client, history):
    client = make_client(entity)
    row = Activity.objects.filter(entity=entity).first()

    assert client.post("/v1/activity", {}, format="json").status_code == 405
    assert client.delete(f"/v1/activity/{row.pk}").status_code == 405


# --- the admin --------------------------------------------------------------------------------------------


def test_the_admin_lists_the_log_read_only(entity, admin_client, history):
    response = admin_client.get(reverse("admin:erp_activity_changelist"))

    assert response.status_code == 200
    assert "customer.updated" in response.content.decode()
    assert admin_client.get(reverse("admin:erp_activity_add")).status_code == 403


def test_an_objects_history_shows_its_activity(entity, admin_client, history):
    url = reverse("admin:receivables_customer_history", args=[history["first"]["id"]])

    page = admin_client.get(url).content.decode()

    assert "customer.created" in page and "customer.updated" in page
    assert "First Renamed" in page


def test_a_write_from_plain_python_is_the_programs_and_names_no_request(entity, make_client):
    make_client(entity, scopes=["audit:read"]).get("/v1/activity")  # a request ran on this thread before
    key = ApiKey.objects.get(entity=entity)

    api_key_revoke(api_key=key, revoked_by="user:someone")

    [row] = rows_of(entity, action="api_key.revoked")
    assert (row.channel, row.actor_type, row.request_id) == ("command", "command", "")


# --- verification ------------------------------------------------------------------------------------------


@pytest.fixture
def committed_log(transactional_db):
    """An entity whose log holds committed, chained rows (its creation, three customers)."""
    entity = EntityFactory()
    customers = [customer_create(entity=entity, name=name) for name in ("One", "Two", "Three")]
    rows = list(Activity.objects.filter(entity=entity).order_by("seq"))
    return entity, customers, rows


def test_an_untouched_log_verifies(committed_log):
    entity, _customers, rows = committed_log

    checked, breaks = activity_chain_breaks(entity=entity)

    assert (checked, breaks) == (len(rows), [])
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))


def test_a_rewritten_row_breaks_the_chain_there(committed_log):
    entity, _customers, rows = committed_log
    superuser_sql("UPDATE erp_activity SET reason = 'nothing happened' WHERE id = %s", [rows[-2].pk])

    _checked, [broken] = activity_chain_breaks(entity=entity)

    assert (broken["record_id"], broken["record_type"]) == (str(rows[-2].pk), "activity")
    assert "hash" in broken["reason"]


def test_a_deleted_row_breaks_the_chain_at_the_next(committed_log):
    entity, _customers, rows = committed_log
    superuser_sql("DELETE FROM erp_activity WHERE id = %s", [rows[1].pk])

    _checked, [broken] = activity_chain_breaks(entity=entity)

    assert broken["record_id"] == str(rows[2].pk)


def test_a_row_slipped_in_outside_the_chain_is_a_break(committed_log):
    """A committed row always has its place; one inserted with the triggers off is reported, not skipped."""
    entity, _customers, _rows = committed_log
    forged = uuid.uuid4()
    superuser_sql(
        "INSERT INTO erp_activity (id, entity_id, occurred_at, actor_type, actor_id, actor_name, channel,"
        " action, object_type, object_id, request_id, reason, changes)"
        " VALUES (%s, %s, now(), 'user', '1', 'acc', 'admin', 'invoice.voided', 'invoice', 'x', '', '',"
        " '{}')",
        [forged, entity.pk],
    )

    _checked, [broken] = activity_chain_breaks(entity=entity)

    assert (broken["record_id"], broken["record_type"]) == (str(forged), "activity")
    assert "outside the chain" in broken["reason"]


def test_the_transactions_own_rows_not_yet_linked_are_no_break(entity):
    """Rows this transaction wrote are linked at its commit: a check inside it does not report them."""
    with transaction.atomic():
        customer_create(entity=entity, name="Not yet committed")

    assert Activity.objects.filter(entity=entity, seq__isnull=True).exists()
    assert activity_chain_breaks(entity=entity)[1] == []


@pytest.mark.parametrize("how", ["page", "action"])
def test_deleting_a_user_in_the_admin_logs_each_membership_it_ends(entity, other_entity, admin_client, how):
    """A user's memberships would go by cascade, unlogged: each is revoked through the service instead."""
    staff = get_user_model().objects.create_user("leaver", password="unused-password-1", is_staff=True)
    membership_grant(user=staff, entity=entity, role="accountant")
    membership_grant(user=staff, entity=other_entity, role="viewer")

    if how == "page":
        response = admin_client.post(reverse("admin:auth_user_delete", args=[staff.pk]), {"post": "yes"})
    else:
        response = admin_client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "delete_selected", "_selected_action": [staff.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=staff.pk).exists()
    for books, role in ((entity, "accountant"), (other_entity, "viewer")):
        [row] = rows_of(books, action="membership.deleted")
        assert (row.channel, row.actor_name, row.changes) == ("admin", "acc", {"role": [role, None]})


# --- what each kind of write records -----------------------------------------------------------------------


def test_a_vendor_credits_reason_is_in_the_log(entity, make_client, vendor):
    api = make_client(entity, scopes=["purchasing:write"])

    response = api.post(
        "/v1/vendor-credits",
        {"vendor_id": str(vendor.pk), "amount": "40.00", "reason": "damaged pallets returned"},
        format="json",
    )

    assert response.status_code == 201, response.content
    [row] = rows_of(entity, action="vendor_credit.created")
    assert row.reason == "damaged pallets returned"
    assert row.object_id == response.json()["data"]["id"]
    assert row.changes["amount"] == [None, "40.00"]


def test_an_invoice_voided_in_the_admin_is_recorded_with_its_reason(entity, admin_client, invoices):
    invoice = invoices[0]

    response = admin_client.post(
        reverse("admin:receivables_invoice_changelist"),
        {"action": "void_selected", "_selected_action": [invoice.pk], "reason": "sent to the wrong customer"},
    )

    assert response.status_code in (200, 302)
    [row] = rows_of(entity, action="invoice.voided")
    assert (row.channel, row.actor_name, row.reason) == ("admin", "acc", "sent to the wrong customer")
    assert row.changes["status"] == ["open", "void"]


def test_a_sequence_created_with_its_next_number_records_where_the_counter_starts(entity, make_client):
    """A migration's starting point is part of the creation's one row (as an update's counters are)."""
    api = make_client(entity, scopes=["numbering:write"])
    response = api.post(
        "/ia/api/v1/objects/company-config/document-sequence",
        {"id": "Migrated", "nextNumber": 5000},
        format="json",
        HTTP_X_REQUEST_ID="req-ia-create",
    )
    assert response.status_code == 201, response.json()

    [row] = rows_of(entity, request_id="req-ia-create")

    assert (row.action, row.channel, row.changes["name"]) == ("sequence.created", "api", [None, "Migrated"])
    [counter] = row.changes["counters"][1]
    assert counter["to"] == 4999  # the last value taken: the next number is 5000


def test_numbers_issued_to_an_api_caller_are_one_row_per_request(entity, make_client):
    api = make_client(entity, scopes=["numbering:write"])
    sequence_id = str(Sequence.objects.get(entity=entity, counter_type="invoice").pk)

    api.post(f"/v1/document-sequences/{sequence_id}/generate-next-value", {}, format="json")
    api.post(f"/v1/document-sequences/{sequence_id}/generate-next-values", {"count": 25}, format="json")

    rows = rows_of(entity, action="sequence.numbers_issued")
    assert [(row.object_id, row.changes["count"]) for row in rows] == [
        (sequence_id, [None, 1]),
        (sequence_id, [None, 25]),
    ]


def test_a_counter_advanced_by_a_command_names_the_command(entity, tmp_path):
    csv = tmp_path / "counters.csv"
    csv.write_text("counter_type,advance_to,prefix,padding\ninvoice,500,INV,7\n")

    command_output("advance_counters", "--entity", entity.code, "--file", str(csv))

    [row] = rows_of(entity, action="sequence.counter_advanced")
    assert (row.channel, row.actor_name) == ("command", "advance_counters")
    assert row.changes["counter"] == [0, 500]


@pytest.mark.django_db(transaction=True)
def test_rows_are_chained_in_commit_order_across_connections():
    """A row inserted first but committed second takes the later place: the chain follows commits."""
    entity = EntityFactory()
    inserted, committed = threading.Event(), threading.Event()
    names: dict = {}

    def slow():
        try:
            with transaction.atomic():
                names["slow"] = customer_create(entity=entity, name="Inserted first").pk
                inserted.set()
                assert committed.wait(timeout=10)
        finally:
            connection.close()

    def fast():
        try:
            assert inserted.wait(timeout=10)
            names["fast"] = customer_create(entity=entity, name="Committed first").pk
            committed.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    seq = dict(
        Activity.objects.filter(action="customer.created", entity=entity).values_list("object_id", "seq")
    )
    assert seq[str(names["fast"])] + 1 == seq[str(names["slow"])]
    assert activity_chain_breaks(entity=entity)[1] == []


ATTEMPTS = 20


@pytest.mark.django_db(transaction=True)
def test_transactions_logging_two_entities_in_opposite_orders_commit_without_deadlock():
    """At commit each transaction locks all its entities' chains in one order, not row by row."""
    first, second = EntityFactory(), EntityFactory()
    outcomes: dict = {}

    def write(name, *entities):
        try:
            for _attempt in range(ATTEMPTS):
                barrier.wait(timeout=10)
                with transaction.atomic():
                    for entity in entities:
                        activity_record(action="entity.updated", obj=entity, reason=name)
                    committing.wait(timeout=10)  # both commit (and link) at once
            outcomes[name] = "committed"
        except Exception as error:  # a deadlock at commit, before the fix
            outcomes[name] = repr(error)
        finally:
            connection.close()

    barrier, committing = threading.Barrier(2), threading.Barrier(2)
    threads = [
        threading.Thread(target=write, args=("forward", first, second)),
        threading.Thread(target=write, args=("backward", second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == {"forward": "committed", "backward": "committed"}
    for entity in (first, second):
        assert Activity.objects.filter(entity=entity, action="entity.updated").count() == 2 * ATTEMPTS
        assert activity_chain_breaks(entity=entity)[1] == []


def test_a_staff_member_sees_only_the_log_of_their_entities(entity, other_entity, client):
    customer_create(entity=entity, name="Ours Ltd")
    customer_create(entity=other_entity, name="Theirs Ltd")
    staff = get_user_model().objects.create_user("bea", password="unused-password-1", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_activity"))
    membership_grant(user=staff, entity=entity, role="viewer")
    client.force_login(staff)

    page = client.get(reverse("admin:erp_activity_changelist"), {"object_type__exact": "customer"})

    assert page.status_code == 200
    listed = {row.object_id for row in page.context["cl"].result_list}
    assert listed == {str(c.pk) for c in Customer.objects.filter(entity=entity)}
