"""The model kit receivables and payables share: parties, posted numbered documents with lines,
payments applied to many documents, and the named constraints each of them carries.

Each ledger keeps its own tables (customers and vendors, its own payments and applications): these
abstract models give them the same columns, and the builders give them the same CHECKs under each
ledger's own names (`<prefix>_…`). The cross-row rules are triggers beside each app's migrations,
listed in docs/reliability.md.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from erp.models import Entity
from ledger.models import MONEY, JournalEntry

__all__ = [
    "MONEY",
    "NOT_VOIDED",
    "VOID_RECORDED",
    "AppliedPayment",
    "DocumentLine",
    "DocumentStatus",
    "Party",
    "PaymentApplicationBase",
    "PaymentStatus",
    "PostedDocument",
    "PostedRow",
    "Record",
    "application_constraints",
    "choice_constraint",
    "document_constraints",
    "document_indexes",
    "entity_reference",
    "line_constraints",
    "party_constraints",
    "payment_void_recorded",
]


# A void is recorded by when it happened and the entry that reversed the posting, or not at all.
VOID_RECORDED = {"voided_at__isnull": False, "void_journal_entry__isnull": False}
NOT_VOIDED = {"voided_at__isnull": True, "void_journal_entry__isnull": True}


def entity_reference(related_name: str, *, indexed: bool = True) -> models.ForeignKey:
    """Return the reference to the entity that owns a row (never deleted while the row exists).

    `indexed=False` for a table whose composite indexes already lead with the entity: one index less to
    write on every insert and on every update that cannot stay on its page.
    """
    return models.ForeignKey(Entity, on_delete=models.PROTECT, related_name=related_name, db_index=indexed)


def choice_constraint(field: str, choices: type[models.TextChoices], *, name: str) -> models.CheckConstraint:
    """Return a CHECK that `field` holds one of `choices`."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Record(models.Model):
    """A row keyed by a UUID that keeps when it was created and last changed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Party(Record):
    """Someone an entity trades with: a customer or a vendor, each in its own table."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    external_reference = models.CharField(max_length=200, blank=True)

    class Meta(Record.Meta):
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def party_constraints(prefix: str) -> list[models.BaseConstraint]:
    """Return a party's constraints: it has a name."""
    return [models.CheckConstraint(condition=~Q(name=""), name=f"{prefix}_name_required")]


class PostedRow(Record):
    """A row posted to the ledger by one journal entry and voided only by that entry's reversal."""

    journal_entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    void_journal_entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    void_reason = models.CharField(max_length=500, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.CharField(max_length=100, blank=True)
    created_by = models.CharField(max_length=100, blank=True)

    # The deferred constraint triggers that check this ledger's rows at commit; services run them just
    # before the journal number (ledger.documents.services.commit_checks_run).
    commit_checks: tuple[str, ...] = ()

    class Meta(Record.Meta):
        abstract = True
        ordering = ["-created_at"]


class DocumentStatus(models.TextChoices):
    # Editable, unnumbered and not posted: no journal entry, no number, in no balance (docs/posting.md).
    DRAFT = "draft"
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


class PostedDocument(PostedRow):
    """A numbered document (invoice, bill) posted for its total and paid down to a zero balance.

    A draft is one not posted yet: no journal entry and no number until it is posted.
    """

    Status = DocumentStatus

    # None only while the document is a draft.
    journal_entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Empty while a draft, and between the insert and the number taken last in the same transaction.
    number = models.CharField(max_length=64, blank=True, editable=False)
    total = models.DecimalField(**MONEY)
    balance_due = models.DecimalField(**MONEY)
    status = models.CharField(max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.OPEN)

    class Meta(PostedRow.Meta):
        abstract = True

    def __str__(self) -> str:
        if self.status == DocumentStatus.DRAFT:
            return f"draft {self._meta.verbose_name} {str(self.pk)[:8]}"
        return self.number or f"(unnumbered {self._meta.verbose_name} {self.pk})"

    @property
    def is_draft(self) -> bool:
        """Return whether the document is still a draft (editable, not posted)."""
        return self.status == DocumentStatus.DRAFT


def document_indexes(prefix: str, *, party: str, date_field: str) -> list[models.Index]:
    """Return a document's indexes: a party's documents by status, the entity's by date."""
    return [
        models.Index(fields=["entity", party, "status"], name=f"{prefix}_{party}_status"),
        models.Index(fields=["entity", date_field], name=f"{prefix}_entity_date"),
    ]


def document_constraints(
    prefix: str, *, noun: str, date_field: str, due_date_optional: bool = False
) -> list[models.BaseConstraint]:
    """Return a document's constraints: unique number, balance within the total, status follows balance,
    a draft unnumbered and unposted, anything else posted."""
    due_not_before = Q(due_date__gte=F(date_field))
    if due_date_optional:
        due_not_before = Q(due_date__isnull=True) | due_not_before
    void, draft = DocumentStatus.VOID, DocumentStatus.DRAFT
    return [
        models.UniqueConstraint(
            fields=["entity", "number"], condition=~Q(number=""), name=f"{prefix}_unique_number"
        ),
        models.CheckConstraint(condition=Q(total__gt=0), name=f"{prefix}_total_positive"),
        models.CheckConstraint(
            condition=Q(balance_due__gte=0, balance_due__lte=F("total")),
            name=f"{prefix}_balance_within_total",
            violation_error_message=f"balance_due must stay between 0 and the {noun} total.",
        ),
        models.CheckConstraint(
            condition=Q(status__in=[draft, DocumentStatus.OPEN], balance_due=F("total"))
            | Q(status=DocumentStatus.PARTIALLY_PAID, balance_due__gt=0, balance_due__lt=F("total"))
            | Q(status__in=[DocumentStatus.PAID, void], balance_due=0),
            name=f"{prefix}_status_matches_balance",
        ),
        models.CheckConstraint(condition=due_not_before, name=f"{prefix}_due_not_before_{date_field}"),
        models.CheckConstraint(
            condition=Q(status=void, **VOID_RECORDED) | (~Q(status=void) & Q(**NOT_VOIDED)),
            name=f"{prefix}_void_recorded",
        ),
        models.CheckConstraint(
            condition=Q(status=draft, number="", journal_entry__isnull=True)
            | (~Q(status=draft) & Q(journal_entry__isnull=False)),
            name=f"{prefix}_draft_unposted",
            violation_error_message="A draft has no number or journal entry; a posted document has both.",
        ),
    ]


class DocumentLine(models.Model):
    """One line of a document: amount = quantity × unit price, rounded half up to the cent."""

    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount})"


def line_constraints(prefix: str, *, document_field: str) -> list[models.BaseConstraint]:
    """Return a line's constraints: one line per position, amount = quantity × price (half up)."""
    return [
        models.UniqueConstraint(fields=[document_field, "position"], name=f"{prefix}_unique_position"),
        models.CheckConstraint(condition=Q(quantity__gt=0), name=f"{prefix}_quantity_positive"),
        models.CheckConstraint(condition=Q(unit_price__gte=0), name=f"{prefix}_price_not_negative"),
        # PostgreSQL's round() goes half away from zero: half up for these non-negative amounts.
        models.CheckConstraint(
            condition=Q(amount=Round(F("quantity") * F("unit_price"), precision=2)),
            name=f"{prefix}_amount_is_quantity_times_price",
        ),
    ]


class PaymentStatus(models.TextChoices):
    APPLIED = "applied"
    VOID = "void"


class AppliedPayment(PostedRow):
    """Money from or to one party, applied to several of its documents; voided by reversal."""

    Status = PaymentStatus

    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.APPLIED)
    payment_date = models.DateField()
    check_number = models.CharField(max_length=50, blank=True)
    external_reference = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta(PostedRow.Meta):
        abstract = True


def payment_void_recorded(prefix: str) -> models.CheckConstraint:
    """Return the CHECK that a payment is void exactly when its void and its reversal are recorded."""
    return models.CheckConstraint(
        condition=Q(status=PaymentStatus.VOID, **VOID_RECORDED)
        | Q(status=PaymentStatus.APPLIED, **NOT_VOIDED),
        name=f"{prefix}_void_recorded",
    )


class PaymentApplicationBase(models.Model):
    """The part of a payment applied to one document; a voided payment keeps it, marked by its status."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    amount_applied = models.DecimalField(**MONEY)

    class Meta:
        abstract = True


def application_constraints(prefix: str, *, document_field: str) -> list[models.BaseConstraint]:
    """Return an application's constraints: a payment applies once per document, a positive amount."""
    return [
        models.UniqueConstraint(
            fields=["payment", document_field], name=f"{prefix}_once_per_{document_field}"
        ),
        models.CheckConstraint(condition=Q(amount_applied__gt=0), name=f"{prefix}_positive"),
    ]
