"""The activity log's one write: record what a service just wrote, in the service's own transaction.

Every service that writes for a caller (the API, the admin, a command) ends with one call:

    activity_record(action="invoice.voided", obj=invoice, changes={"status": ["posted", "void"]}, reason=why)

Who acted, through which channel and in which request is not passed: it was set once where the request
came in (erp/request_context.py). The row is inserted in the caller's transaction, so a write that rolls
back leaves no row, and a row never describes a write that did not happen. The database keeps the log
append-only and links each row into its entity's hash chain at commit (erp/migrations/0009_activity_log.sql).
"""

import datetime
import decimal
import hashlib
import json
import re
import uuid
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.utils import timezone

from erp.models import Activity, Entity
from erp.models.activity import object_type_of
from erp.request_context import actor_now, current_actor, current_request_id

_ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
_MAX_REASON = 2000


def activity_record(*, action: str, obj: Model, changes: dict | None = None, reason: str = "") -> Activity:
    """Record one write of `obj` by the current actor; call it inside the write's transaction."""
    if not _ACTION.match(action):
        raise ValueError(f"action {action!r} is not '<object type>.<verb>' in lowercase snake case.")
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the row would commit even if the write it describes failed later.
        raise RuntimeError("activity_record must run inside the write's transaction (transaction.atomic).")
    actor = actor_now()
    # The request id names this write's request only while a request or command is acting: the
    # middleware leaves the last one set on its thread for the logs.
    request_id = current_request_id.get() if current_actor.get() is not None else None
    entity_id = obj.pk if isinstance(obj, Entity) else obj.entity_id
    row = Activity(
        id=uuid.uuid4(),
        entity_id=entity_id,
        occurred_at=timezone.now(),
        actor_type=actor.type,
        actor_id=str(actor.id)[:150],
        actor_name=str(actor.name)[:150],
        channel=actor.channel,
        action=action,
        object_type=object_type_of(type(obj)),
        object_id=str(obj.pk),
        request_id=(request_id or "")[:150],
        reason=(reason or "")[:_MAX_REASON],
        changes={
            field: [_plain(before), _plain(after)] for field, (before, after) in (changes or {}).items()
        },
    )
    _insert(row)
    return row


# The row's one INSERT, written once per process: it runs on every write, and compiling it through the ORM
# (Activity.objects.create) cost more than sending it (docs/benchmarks.md, "The activity log's cost").
_INSERTED = (
    "id",
    "entity_id",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "channel",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "reason",
)
_INSERT_SQL = (
    f"INSERT INTO erp_activity ({', '.join(_INSERTED)}, changes)"
    f" VALUES ({', '.join(['%s'] * len(_INSERTED))}, %s::jsonb)"
)


def _insert(row: Activity) -> None:
    """Insert a new row as Activity.objects.create would (its JSON written by the field's encoder)."""
    values = [getattr(row, name) for name in _INSERTED]
    values.append(json.dumps(row.changes, cls=DjangoJSONEncoder))
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, values)
    row._state.adding = False
    row._state.db = connection.alias


def fields_of(obj: Model, names: Iterable[str]) -> dict:
    """Return the named fields of an instance (foreign keys by id), to compare after an edit."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)
    return values


# Bookkeeping columns every change touches: the log records what the change was about, not these.
_BOOKKEEPING = frozenset({"entity", "created_at", "updated_at", "version", "created_by", "modified_by"})


def recorded_fields(model: type[Model]) -> list[str]:
    """Return the fields of a model a change is recorded by: its stored fields but the id and bookkeeping."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in _BOOKKEEPING
    ]


def changes_between(before: dict, after: dict) -> dict:
    """Return {field: [before, after]} for the fields whose values differ."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def created(obj: Model, names: Iterable[str]) -> dict:
    """Return the changes of a new row: each named field from nothing to its value."""
    return {name: [None, value] for name, value in fields_of(obj, names).items()}


def deleted(obj: Model, names: Iterable[str]) -> dict:
    """Return the changes of a deleted row: each named field from its value to nothing."""
    return {name: [value, None] for name, value in fields_of(obj, names).items()}


def canonical_bytes(row: dict) -> bytes:
    """Return the bytes a row's chain hash covers, as the database computes them (erp_activity_canonical).

    `row` holds the columns as text: `changes` is the database's own rendering of the JSON (jsonb::text),
    `occurred_at` an aware datetime.
    """
    occurred = row["occurred_at"].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # CANONICAL_COLUMNS in order: id, entity_id, seq and occurred_at, then the text columns, then changes.
    values = [
        str(row["id"]),
        str(row["entity_id"]),
        str(row["seq"]),
        occurred,
        *(row[name] for name in CANONICAL_COLUMNS[4:]),
        row["changes"],
    ]
    return "".join(f"{len(value.encode())}:{value}," for value in values).encode()


def chain_hash(previous: str, row: dict) -> str:
    """Return a row's chain hash from the previous row's ('' for the first)."""
    return hashlib.sha256(previous.encode() + canonical_bytes(row)).hexdigest()


def activity_chain_breaks(*, entity: Entity) -> tuple[int, list[dict]]:
    """Recompute an entity's activity chain; return (rows checked, [its first break]) — no break: [].

    A break names the first row whose position or hash is not what the rows before it imply: a row
    rewritten, deleted, inserted or moved breaks the chain from there on.
    """
    rows = (
        Activity.objects.filter(entity=entity, seq__isnull=False)
        .order_by("seq")
        .annotate(changes_text=RawSQL("changes::text", []))
        .values(*CANONICAL_COLUMNS, "changes_text", "chain_hash")
    )
    previous, checked = "", 0
    for checked, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        reason = None
        if row["seq"] != checked:
            reason = f"position {row['seq']} where {checked} was expected (a row is missing or was moved)"
        elif chain_hash(previous, {**row, "changes": row["changes_text"]}) != row["chain_hash"]:
            reason = "its hash does not follow from its contents and the row before it"
        if reason:
            return checked, [_chain_break(entity, str(row["id"]), reason)]
        previous = row["chain_hash"]
    unlinked = committed_unlinked_row(entity)
    if unlinked is not None:
        reason = "it is outside the chain (no position or hash): inserted past the database's triggers"
        return checked + 1, [_chain_break(entity, unlinked, reason)]
    return checked, []


def _chain_break(entity: Entity, record_id: str, reason: str) -> dict:
    return {
        "chain": f"activity:{entity.pk}",
        "record_type": "activity",
        "record_id": record_id,
        "reason": reason,
    }


# A committed row always has its place: the commit trigger gives it one. A row without one is either
# this transaction's own, not yet committed (a test, a write and its check in one transaction), or was
# written with the triggers off, shown by the log as if genuine. pg_xact_status tells the two apart
# from the row's xmin, widened to the 64-bit id nearest the current snapshot's (ids in use are
# always within 2^31 of each other).
_UNLINKED_SQL = """
SELECT a.id::text
  FROM erp_activity AS a,
       (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::numeric AS xmax) AS now,
       LATERAL (SELECT mod(a.xmin::text::numeric - mod(now.xmax, 4294967296) + 6442450944, 4294967296)
                       - 2147483648 AS distance) AS d
 WHERE a.entity_id = %s AND a.seq IS NULL
   AND pg_xact_status((now.xmax + d.distance)::text::xid8) IS DISTINCT FROM 'in progress'
 ORDER BY a.occurred_at, a.id
 LIMIT 1
"""


def committed_unlinked_row(entity: Entity) -> str | None:
    """Return the id of a committed row of the entity that is outside its chain, if there is one."""
    with connection.cursor() as cursor:
        cursor.execute(_UNLINKED_SQL, [entity.pk])
        found = cursor.fetchone()
    return found[0] if found else None


# The columns a row's chain hash covers, in order, before `changes` (canonical_bytes).
CANONICAL_COLUMNS = (
    "id",
    "entity_id",
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "channel",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "reason",
)


# Values the JSON column keeps as they are: most of what a change records.
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
_SEQUENCES = (list, tuple)
_AS_TEXT = (decimal.Decimal, uuid.UUID)
_DATES = (datetime.datetime, datetime.date)


def _plain(value):
    """Return a value the JSON column keeps as the caller sees it (money as a decimal string)."""
    if type(value) in _JSON_SCALARS:
        return value
    if isinstance(value, _SEQUENCES):
        # A payment's 50 applications are 50 short lists of text: their items need no call each.
        return [item if type(item) in _JSON_SCALARS else _plain(item) for item in value]
    if isinstance(value, _AS_TEXT):
        return str(value)
    if isinstance(value, _DATES):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value
