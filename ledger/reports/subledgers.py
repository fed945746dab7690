"""The party ledgers the reports read: receivables and payables, described to the ledger by settings.

The ledger sits below receivables and payables and never imports them. Each of them describes its
documents with a :class:`Subledger` (its party, document and payment models and the control account
they post to), and the setting FOLIO_SUBLEDGERS names those descriptions by dotted path, as
FOLIO_ENTITY_SETUP names the setup steps (erp/wiring.py): the whole wiring is in erp/settings.py, and
nothing registers itself at start-up. The reports then query those models through the columns the
shared document kit gives both ledgers (ledger/documents/models.py).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string

from erp.exceptions import InvalidInput
from erp.models import Entity

RECEIVABLE = "receivable"
PAYABLE = "payable"


@dataclass(frozen=True)
class Subledger:
    """One party ledger: whom it trades with, what it posts, and to which control account."""

    kind: str  # RECEIVABLE or PAYABLE
    party_model: type[models.Model]  # a ledger.documents.models.Party
    party_field: str  # the documents' and payments' reference to the party ("customer")
    document_model: type[models.Model]  # a ledger.documents.models.PostedDocument
    document_date_field: str  # "invoice_date"
    payment_model: type[models.Model]  # a ledger.documents.models.AppliedPayment with `applications`
    account_code: str  # the control account: its balance is the sum of the open documents
    # +1 when the control account normally carries a debit balance (receivable), -1 for a credit.
    sign: int
    # What the entity can still spend against this ledger (vendor credits), or None.
    credits_available: Callable[..., Decimal] | None = None

    @property
    def party_label(self) -> str:
        """Return the party's name in words ("customer")."""
        return str(self.party_model._meta.verbose_name)

    @property
    def document_label(self) -> str:
        """Return the document's name in words ("invoice", "vendor bill")."""
        return str(self.document_model._meta.verbose_name)

    def parties(self, *, entity: Entity) -> models.QuerySet:
        """Return the entity's parties of this ledger."""
        return self.party_model.objects.filter(entity=entity)

    def credits(self, *, entity: Entity, on: datetime.date) -> Decimal | None:
        """Return the credits the entity can still spend on `on`, or None when this ledger has none."""
        if self.credits_available is None:
            return None
        return self.credits_available(entity=entity, on=on)


def subledger(kind: str) -> Subledger:
    """Return the party ledger of a kind ("receivable" or "payable") named in FOLIO_SUBLEDGERS."""
    try:
        return _loaded()[kind]
    except KeyError:
        raise InvalidInput(f"{kind!r} is not a party ledger.", code="parameter_invalid") from None


@cache
def _loaded() -> dict[str, Subledger]:
    described = {kind: import_string(path) for kind, path in settings.FOLIO_SUBLEDGERS.items()}
    for kind, description in described.items():
        if description.kind != kind:
            raise TypeError(f"FOLIO_SUBLEDGERS[{kind!r}] describes the {description.kind!r} ledger.")
    return described
