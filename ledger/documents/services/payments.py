"""Payments applied to many documents: checked under the documents' locks, balances moved in one UPDATE."""

import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

from erp.exceptions import Conflict, NotFound, RuleViolation
from erp.models import Entity
from ledger.documents.models import DocumentStatus, PaymentStatus
from ledger.documents.services.documents import model_has_field
from ledger.documents.services.inputs import Application

# The statuses a payment may still be applied to.
APPLICABLE_STATUSES = (DocumentStatus.OPEN, DocumentStatus.PARTIALLY_PAID)


def applications_check(
    applications: Iterable[Application],
    documents: Iterable[models.Model],
    *,
    party: models.Model,
    party_field: str,
    id_param: str,
) -> None:
    """Refuse an application to a document missing here, of another party, not open, or owing less.

    `documents` are the entity's documents among those applied to: locked ones, or unlocked ones
    (`documents_of`) to fail fast before taking any lock.
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
        if getattr(document, f"{party_field}_id") != party.pk:
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


def documents_of[D: models.Model](
    model: type[D], *, entity: Entity, applications: Iterable[Application]
) -> models.QuerySet[D]:
    """Return the entity's documents the applications name, unlocked (to fail fast)."""
    return model.objects.filter(
        entity=entity, pk__in=[application.document_id for application in applications]
    )


def applications_insert(
    model: type[models.Model], *, payment: models.Model, document_field: str, applications: list[Application]
) -> list[models.Model]:
    """Insert a payment's application rows, in request order."""
    positioned = model_has_field(model, "position")
    return model.objects.bulk_create(
        [
            model(
                payment=payment,
                amount_applied=application.amount,
                **{f"{document_field}_id": application.document_id},
                **({"position": application.index} if positioned else {}),
            )
            for application in applications
        ]
    )


_SHIFT_SQL = """
UPDATE {table} AS d
   SET balance_due = d.balance_due {sign} a.amount,
       status = CASE WHEN d.balance_due {sign} a.amount = 0 THEN 'paid'
                     WHEN d.balance_due {sign} a.amount = d.total THEN 'open'
                     ELSE 'partially_paid' END,
       updated_at = %s
  FROM unnest(%s::uuid[], %s::numeric[]) AS a(id, amount)
 WHERE d.id = a.id
"""


def balances_shift(
    model: type[models.Model], shifts: Sequence[tuple[uuid.UUID, Decimal]], *, restore: bool = False
) -> None:
    """Reduce (or, for a void, restore) every document's balance and its status, in one UPDATE."""
    sql = _SHIFT_SQL.format(
        table=connection.ops.quote_name(model._meta.db_table), sign="+" if restore else "-"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), [i for i, _ in shifts], [v for _, v in shifts]])
        if cursor.rowcount != len(shifts):
            raise AssertionError(f"{cursor.rowcount} of {len(shifts)} document balances moved")


def payment_void_check(locked: models.Model) -> None:
    """Refuse to void a payment twice."""
    if locked.status == PaymentStatus.VOID:
        raise Conflict(f"Payment {locked} is already void.", code="already_void")


def payment_applications_restore(
    locked: models.Model,
    *,
    document_model: type[models.Model],
    document_field: str,
    lock: Callable[..., Iterable[models.Model]],
) -> list[models.Model]:
    """Lock a voided payment's documents (in id order, as every payment does) and give their balances back."""
    applications = list(locked.applications.all())
    shifts = [(getattr(a, f"{document_field}_id"), a.amount_applied) for a in applications]
    # The same id order as every payment: a void and a payment on the same documents cannot deadlock.
    list(lock(entity=locked.entity, ids=[document_id for document_id, _ in shifts]))
    balances_shift(document_model, shifts, restore=True)
    return applications
