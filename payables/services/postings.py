"""The payables rows of docs/posting.md: which accounts each document debits and credits.

Every function returns journal lines `(account_code, debit, credit)` for ledger.services, with
zero-amount lines left out (a journal line is always positive on exactly one side).
"""

from decimal import Decimal

from payables.models import APPayment

ZERO = Decimal("0.00")

# Where the cash part of an AP payment comes from. A check is a liability until it clears the bank;
# a card payment moves the debt to the card.
CASH_ACCOUNT_BY_METHOD = {
    APPayment.Method.CHECK: "outstanding_checks",
    APPayment.Method.ACH: "bank",
    APPayment.Method.WIRE: "bank",
    APPayment.Method.CREDIT_CARD: "credit_card_payable",
    APPayment.Method.CASH: "cash",
    APPayment.Method.OTHER: "bank",
}


def vendor_bill_lines(*, total: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    """A bill: DR expense / CR accounts_payable."""
    return [("expense", total, ZERO), ("accounts_payable", ZERO, total)]


def vendor_credit_lines(*, amount: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    """A credit issued: DR vendor_returns_receivable / CR vendor_credits (docs/contracts.md)."""
    return [("vendor_returns_receivable", amount, ZERO), ("vendor_credits", ZERO, amount)]


def vendor_credit_expiry_lines(*, amount: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    """Credit written off unused: DR vendor_credits / CR vendor_returns_receivable (undoes the issue)."""
    return [("vendor_credits", amount, ZERO), ("vendor_returns_receivable", ZERO, amount)]


def ap_payment_lines(
    *, method: str, amount: Decimal, credit_amount: Decimal
) -> list[tuple[str, Decimal, Decimal]]:
    """A payment: DR accounts_payable for all it applied; CR the cash account and the receivable spent."""
    lines = [("accounts_payable", amount + credit_amount, ZERO)]
    if amount > 0:
        lines.append((CASH_ACCOUNT_BY_METHOD[method], ZERO, amount))
    if credit_amount > 0:
        # The vendor owed us this; it now settles part of what we owe it instead.
        lines.append(("vendor_returns_receivable", ZERO, credit_amount))
    return lines
