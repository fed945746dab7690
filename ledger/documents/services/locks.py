"""Row locks: several rows always in primary-key order, so two transactions cannot deadlock on them."""

import uuid
from collections.abc import Iterable

from django.db import models

from erp.models import Entity


def rows_for_update[M: models.Model](
    model: type[M], *, entity: Entity, ids: Iterable[uuid.UUID]
) -> models.QuerySet[M]:
    """Return the entity's rows among `ids`, locked FOR UPDATE in id order (evaluate it once).

    Every transaction locking several rows takes them in primary-key order, so two wanting
    overlapping sets queue behind each other instead of each holding what the other waits for.
    """
    return (
        model.objects.filter(entity=entity, pk__in=list(ids)).order_by("pk").select_for_update(of=("self",))
    )


def row_for_update[M: models.Model](row: M) -> M:
    """Return a fresh copy of one posted row with its entity and journal entry, locked FOR UPDATE."""
    return (
        type(row)
        .objects.select_for_update(of=("self",))
        .select_related("entity", "journal_entry")
        .get(pk=row.pk)
    )
