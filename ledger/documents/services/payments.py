"""Payments applied to many documents: checked under the documents' locks, each balance moved in one write."""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db import connection, models

from erp.exceptions import Conflict, NotFound, RuleViolation
from erp.models import Entity
from erp.rows import instances_loaded
from ledger.documents.models import DocumentStatus, PaymentStatus
from ledger.documents.services.documents import model_has_field
from ledger.documents.services.inputs import Application

# The statuses a payment may still be applied to.
APPLICABLE_STATUSES = (DocumentStatus.OPEN, DocumentStatus.PARTIALLY_PAID)


@dataclass(frozen=True, slots=True)
class DocumentState:
    """What a payment reads of a document it applies to: enough to check an application and name the document.

    A payment of 50 invoices needs these five columns of each, not 50 model instances.
    """

    pk: uuid.UUID
    party_id: uuid.UUID
    status: str
    balance_due: Decimal
    number: str
    kind: str  # the model's verbose name, for messages

    def __str__(self) -> str:
        # As DocumentModel.__str__ names a document (ledger/documents/models.py).
        if self.status == DocumentStatus.DRAFT:
            return f"draft {self.kind} {str(self.pk)[:8]}"
        return self.number or f"(unnumbered {self.kind} {self.pk})"


def uuid_array(values: Iterable[uuid.UUID]) -> str:
    """Return UUIDs as one PostgreSQL array literal, for a `%s::uuid[]` parameter.

    psycopg turns a list of UUIDs into an array element by element (~70 µs for a payment's 50); the
    server reads the literal in one go. Hex digits without hyphens are valid uuid input.
    """
    return "{" + ",".join([value.hex for value in values]) + "}"


@cache
def _refused_sql(model: type[models.Model], party_field: str) -> str:
    quote, table = connection.ops.quote_name, connection.ops.quote_name(model._meta.db_table)
    party = quote(model._meta.get_field(party_field).column)
    applicable = ", ".join(f"'{status}'" for status in APPLICABLE_STATUSES)
    # No LIMIT: the locking subquery is read whole, so every document is locked, in id order. The documents
    # are found by their keys only: the entity's test is a filter of those rows (`IS TRUE` is no index
    # condition), so no plan reads every document of the entity through its index, as one did for an
    # entity whose statistics were not gathered yet (400 rows read and filtered for 50 locked).
    return (
        f"SELECT a.ord, d.id, d.{party}, d.status, d.balance_due, d.number"
        " FROM unnest(%s::uuid[], %s::numeric[]) WITH ORDINALITY AS a(id, amount, ord)"
        f" LEFT JOIN (SELECT id, {party}, status, balance_due, number FROM {table}"
        f" WHERE id = ANY(%s::uuid[]) AND (entity_id = %s) IS TRUE ORDER BY id FOR UPDATE OF {table}) AS d"
        " ON d.id = a.id"
        f" WHERE d.id IS NULL OR d.{party} <> %s OR d.status NOT IN ({applicable})"
        " OR a.amount > d.balance_due"
    )


def applications_lock_and_check(
    model: type[models.Model],
    applications: list[Application],
    *,
    entity: Entity,
    party: models.Model,
    party_field: str,
    id_param: str,
) -> None:
    """Lock the documents applied to FOR UPDATE in id order, then refuse as applications_check would.

    The database reads the locked rows and returns only the applications applications_check would
    refuse (none, for a payment that goes through), so a 50-invoice payment reads no document into
    Python; the first of them is then refused by applications_check itself, with the same error.
    """
    ids = uuid_array([application.document_id for application in applications])
    params = [ids, [application.amount for application in applications], ids, entity.pk, party.pk]
    with connection.cursor() as cursor:
        cursor.execute(_refused_sql(model, party_field), params)
        refused = cursor.fetchall()
    if refused:
        ordinal, *state = min(refused, key=lambda row: row[0])
        documents = [] if state[0] is None else [DocumentState(*state, str(model._meta.verbose_name))]
        applications_check(
            [applications[ordinal - 1]], documents, party=party, party_field=party_field, id_param=id_param
        )
        raise AssertionError(f"the database refused application {ordinal - 1}, applications_check did not")


def applications_check(
    applications: Iterable[Application],
    documents: Iterable[models.Model],
    *,
    party: models.Model,
    party_field: str,
    id_param: str,
) -> None:
    """Refuse an application to a document missing here, of another party, not open, or owing less.

    `documents` are the entity's documents among those applied to (models or `DocumentState`s): locked
    ones, or unlocked ones (`documents_of`) to fail fast before taking any lock.
    """
    by_id = {document.pk: document for document in documents}
    for application in applications:
        param = f"applications[{application.index}]"
        document = by_id.get(application.document_id)
        if document is None:
            raise NotFound(
                f"No document {application.document_id} in this entity.",
                code="resource_missing",
                param=f"{param}.{id_param}",
            )
        if _party_id(document, party_field) != party.pk:
            raise RuleViolation(
                f"{document} belongs to another {party_field}.",
                code="party_mismatch",
                param=f"{param}.{id_param}",
            )
        if document.status not in APPLICABLE_STATUSES:
            raise RuleViolation(
                f"{document} is {document.status}; payments apply only to open or partially paid documents.",
                code="document_not_open",
                param=f"{param}.{id_param}",
            )
        if application.amount > document.balance_due:
            raise RuleViolation(
                f"amount_applied {application.amount} exceeds the balance due {document.balance_due} "
                f"of {document}.",
                code="amount_exceeds_balance",
                param=f"{param}.amount_applied",
            )


def _party_id(document, party_field: str):
    if isinstance(document, DocumentState):
        return document.party_id
    return getattr(document, f"{party_field}_id")


def documents_of[D: models.Model](
    model: type[D], *, entity: Entity, applications: Iterable[Application]
) -> models.QuerySet[D]:
    """Return the entity's documents the applications name, unlocked (to fail fast)."""
    return model.objects.filter(
        entity=entity, pk__in=[application.document_id for application in applications]
    )


@cache
def _applications_sql(model: type[models.Model], document_field: str) -> tuple[str, tuple[str, ...]]:
    """Return the INSERT of a payment's applications, and the attnames its rows give in column order."""
    quote = connection.ops.quote_name
    document = model._meta.get_field(document_field).column
    positioned = model_has_field(model, "position")
    columns = ["id", "payment_id", document, "amount_applied", *(["position"] if positioned else [])]
    arrays = ["%s::uuid[]", "%s::uuid[]", "%s::numeric[]", *(["%s::smallint[]"] if positioned else [])]
    names = ["a.id", "%s::uuid", "a.document", "a.amount", *(["a.position"] if positioned else [])]
    aliases = ["id", "document", "amount", *(["position"] if positioned else [])]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
        f" SELECT {', '.join(names)} FROM unnest({', '.join(arrays)}) WITH ORDINALITY"
        f" AS a({', '.join(aliases)}, ord) ORDER BY a.ord"
    )
    attnames = (
        "id",
        "payment_id",
        f"{document_field}_id",
        "amount_applied",
        *(["position"] if positioned else []),
    )
    return sql, attnames


def applications_insert(
    model: type[models.Model], *, payment: models.Model, document_field: str, applications: list[Application]
) -> list[models.Model]:
    """Insert a payment's application rows, in request order, in one statement; return them as instances."""
    sql, attnames = _applications_sql(model, document_field)
    rows = [(uuid.uuid4(), payment.pk, a.document_id, a.amount, a.index) for a in applications]
    ids, documents = uuid_array([row[0] for row in rows]), uuid_array([row[2] for row in rows])
    params = [payment.pk, ids, documents, [row[3] for row in rows]]
    if "position" in attnames:
        params.append([row[4] for row in rows])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    instances = instances_loaded(model, attnames, [row[: len(attnames)] for row in rows])
    payment_field = model._meta.get_field("payment")
    for instance in instances:
        payment_field.set_cached_value(instance, payment)  # the caller's instance, as bulk_create left it
    return instances


def payment_void_check(locked: models.Model) -> None:
    """Refuse to void a payment twice."""
    if locked.status == PaymentStatus.VOID:
        raise Conflict(f"Payment {locked} is already void.", code="already_void")


def payment_applications_lock(
    locked: models.Model, *, document_field: str, lock: Callable[..., Iterable[models.Model]]
) -> list[models.Model]:
    """Lock a voided payment's documents (in id order, as every payment does); return its applications.

    The ledger's database gives the documents their balances back itself when the payment's status
    changes, with each document's running total, in the same write of its row (receivables 0010,
    payables 0009): the void only has to hold the documents first.
    """
    applications = list(locked.applications.all())
    # The same id order as every payment: a void and a payment on the same documents cannot deadlock.
    list(lock(entity=locked.entity, ids=[getattr(a, f"{document_field}_id") for a in applications]))
    return applications
