"""Drafts: a document saved unnumbered and unposted, edited and deleted until it is posted, then posted
like any document, its number taken last (docs/posting.md, "Drafts").

A draft has no journal entry and no number, so it is in no balance, no report and no payment; the
database keeps it so (each ledger's `<prefix>_draft_unposted` CHECK and the draft guards beside its
migrations). Callers lock the draft first (its ledger's lock_objects), so two posts of one draft queue
and the second finds it posted: one number, one entry.
"""

import datetime
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from erp.exceptions import Conflict
from erp.models import Entity
from erp.rows import prefetched
from erp.services.activity import activity_record, object_type_of
from ledger.documents.models import DocumentStatus
from ledger.documents.services.documents import _parent_field, document_post, lines_insert, number_last
from ledger.documents.services.inputs import PricedLine, posting_date_parse
from ledger.services import journal_entry_record, period_open_check


def document_draft_save[D: models.Model](
    *,
    model: type[D],
    line_model: type[models.Model],
    entity: Entity,
    lines: list[PricedLine],
    total: Decimal,
    created_by: str,
    **fields,
) -> D:
    """Insert a draft and its lines: no journal entry, no number, in no balance."""
    with transaction.atomic():
        document = model.objects.create(
            entity=entity,
            total=total,
            balance_due=total,
            status=DocumentStatus.DRAFT,
            journal_entry=None,
            created_by=created_by,
            **fields,
        )
        rows = lines_insert(line_model, _parent_field(line_model, model), document, lines)
        activity_record(
            action=f"{object_type_of(model)}.created",
            obj=document,
            changes={
                "status": [None, DocumentStatus.DRAFT],
                "total": [None, total],
                "lines": [None, len(rows)],
            },
        )
    prefetched(document, lines=rows)
    return document


def document_create[D: models.Model](
    *,
    draft: bool,
    model: type[D],
    line_model: type[models.Model],
    entity: Entity,
    date: datetime.date,
    date_param: str,
    lines: list[PricedLine],
    total: Decimal,
    journal_lines: list[tuple[str, Decimal, Decimal]],
    memo: str,
    counter_type: str,
    created_by: str,
    **fields,
) -> D:
    """Save a document as a draft, or post it at once (its date in an open period: `period_locked`)."""
    if draft:
        return document_draft_save(
            model=model,
            line_model=line_model,
            entity=entity,
            lines=lines,
            total=total,
            created_by=created_by,
            **fields,
        )
    period_open_check(entity=entity, date=date, param=date_param)
    return document_post(
        model=model,
        line_model=line_model,
        entity=entity,
        date=date,
        lines=lines,
        total=total,
        journal_lines=journal_lines,
        memo=memo,
        counter_type=counter_type,
        created_by=created_by,
        **fields,
    )


def draft_check(locked: models.Model, *, doing: str) -> None:
    """Refuse to edit or delete a document that is no longer a draft: 409 `document_posted`."""
    if locked.status != DocumentStatus.DRAFT:
        raise Conflict(
            f"{locked} is posted and cannot be {doing}; void it instead.",
            code="document_posted",
            hint="Only drafts change; a posted document is corrected by voiding it and issuing another.",
        )


def document_draft_update[D: models.Model](
    locked: D,
    *,
    line_model: type[models.Model],
    lines: list[PricedLine] | None,
    total: Decimal | None,
    **fields,
) -> D:
    """Change a locked draft: the given `fields`; `lines`, when given, replace all of its lines."""
    draft_check(locked, doing="edited")
    parent = _parent_field(line_model, type(locked))
    if lines is not None:
        line_model.objects.filter(**{parent: locked}).delete()
        lines_insert(line_model, parent, locked, lines)
        fields |= {"total": total, "balance_due": total}
    changes = {
        name: [getattr(locked, name), value]
        for name, value in fields.items()
        if name != "balance_due" and getattr(locked, name) != value
    }
    if lines is not None:
        changes["lines"] = ["replaced", len(lines)]
    fields["updated_at"] = timezone.now()
    type(locked).objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    activity_record(action=f"{object_type_of(type(locked))}.updated", obj=locked, changes=changes)
    return locked


def document_draft_delete(locked: models.Model, *, line_model: type[models.Model]) -> None:
    """Delete a locked draft and its lines (it never had a number or an entry)."""
    draft_check(locked, doing="deleted")
    activity_record(
        action=f"{object_type_of(type(locked))}.deleted",
        obj=locked,
        changes={"status": [DocumentStatus.DRAFT, None], "total": [locked.total, None]},
    )
    line_model.objects.filter(**{_parent_field(line_model, type(locked)): locked}).delete()
    type(locked).objects.filter(pk=locked.pk).delete()


def document_draft_post[D: models.Model](
    locked: D,
    *,
    date: datetime.date,
    date_param: str,
    journal_lines: list[tuple[str, Decimal, Decimal]],
    memo: str,
    counter_type: str,
    posted_by: str,
) -> D:
    """Post a locked draft: its journal entry, status open, then its number, last (docs/posting.md).

    Its date is checked again (`date_param` names it): today and the lock date may have moved since
    the draft was saved.
    """
    if locked.status != DocumentStatus.DRAFT:
        raise Conflict(f"{locked} is already posted.", code="already_posted")
    posting_date_parse(date, entity=locked.entity, param=date_param)
    entry = journal_entry_record(
        entity=locked.entity,
        date=date,
        memo=memo[:500],
        lines=journal_lines,
        source_type=counter_type,
        source_id=str(locked.pk),
        posted_by=posted_by,
    )
    fields = {"status": DocumentStatus.OPEN, "journal_entry": entry, "updated_at": timezone.now()}
    type(locked).objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    # Recorded before the number: from the number to the commit the sequence is locked.
    activity_record(
        action=f"{object_type_of(type(locked))}.posted",
        obj=locked,
        changes={"status": [DocumentStatus.DRAFT, DocumentStatus.OPEN], "journal_entry": [None, entry.pk]},
    )
    number_last(document=locked, entry=entry, counter_type=counter_type, date=date, issued_by=posted_by)
    return locked
