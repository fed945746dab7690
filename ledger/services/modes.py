"""Test books: their chart of accounts is a copy of the live entity's (erp/services/modes.py)."""

from erp.models import Entity
from ledger.models import Account


def accounts_copy_to_test_books(*, entity: Entity, live_entity: Entity) -> list[Account]:
    """Give new test books every account of their live entity (same code, name and type)."""
    taken = set(Account.objects.filter(entity=entity).values_list("code", flat=True))
    return Account.objects.bulk_create(
        [
            Account(entity=entity, code=account.code, name=account.name, type=account.type)
            for account in Account.objects.filter(entity=live_entity).order_by("code")
            if account.code not in taken
        ]
    )
