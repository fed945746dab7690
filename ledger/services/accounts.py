"""The chart of accounts: the default chart every entity starts with, and accounts added later."""

from django.db import transaction

from erp.exceptions import Conflict, InvalidInput
from erp.models import Entity
from erp.services.activity import activity_record, created
from ledger.models import Account

# (code, name, type): what every entity starts with. The postings in docs/posting.md use these codes.
DEFAULT_CHART = [
    ("cash", "Cash on hand", Account.Type.ASSET),
    ("undeposited_funds", "Undeposited funds", Account.Type.ASSET),
    ("bank", "Bank", Account.Type.ASSET),
    ("card_clearing", "Card payments clearing", Account.Type.ASSET),
    ("accounts_receivable", "Accounts receivable", Account.Type.ASSET),
    ("vendor_returns_receivable", "Vendor returns receivable", Account.Type.ASSET),
    ("accounts_payable", "Accounts payable", Account.Type.LIABILITY),
    ("outstanding_checks", "Outstanding checks", Account.Type.LIABILITY),
    ("credit_card_payable", "Company credit card", Account.Type.LIABILITY),
    ("revenue", "Revenue", Account.Type.INCOME),
    ("expense", "Expenses", Account.Type.EXPENSE),
    ("vendor_credits", "Vendor credits (returns and allowances)", Account.Type.EXPENSE),
]


@transaction.atomic
def accounts_create_defaults(*, entity: Entity) -> list[Account]:
    """Create the entity's default chart of accounts, skipping codes it already has."""
    taken = set(Account.objects.filter(entity=entity).values_list("code", flat=True))
    return Account.objects.bulk_create(
        [
            Account(entity=entity, code=code, name=name, type=type_)
            for code, name, type_ in DEFAULT_CHART
            if code not in taken
        ]
    )


@transaction.atomic
def account_create(*, entity: Entity, code: str, name: str, type: str) -> Account:
    """Add an account to an entity's chart."""
    code = (code or "").strip().lower()
    if not code or len(code) > 40 or not code.replace("_", "").replace("-", "").isalnum():
        raise InvalidInput(
            "code must be 1–40 letters, digits, hyphens or underscores.", code="invalid_code", param="code"
        )
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("name must be 1–200 characters.", code="invalid_name", param="name")
    if type not in Account.Type.values:
        raise InvalidInput(
            f"type must be one of {', '.join(Account.Type.values)}.", code="invalid_type", param="type"
        )
    if Account.objects.filter(entity=entity, code=code).exists():
        raise Conflict(f"The chart already has an account {code!r}.", code="account_code_taken", param="code")
    account = Account.objects.create(entity=entity, code=code, name=name, type=type)
    activity_record(action="account.created", obj=account, changes=created(account, ["code", "name", "type"]))
    return account
