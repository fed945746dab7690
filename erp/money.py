"""Money: Decimal amounts with two places, parsed and checked the same way by every service."""

from decimal import Decimal, InvalidOperation

from erp.exceptions import InvalidInput

CENT = Decimal("0.01")
# Every money column is Decimal(14, 2).
MAX_AMOUNT = Decimal("999999999999.99")


def money_grouped(amount: Decimal) -> str:
    """Return an amount as people read it: thousands grouped, two places (1,234.50)."""
    return f"{amount:,.2f}"


def money_string(amount: Decimal) -> str:
    """Return an amount as the API's decimal string: two places, no grouping (1234.50)."""
    return f"{amount:.2f}"


def money_parse(value, *, param: str, positive: bool = True, exact_cents: bool = True) -> Decimal:
    """Return `value` (a number, string or Decimal) as a Decimal, or raise InvalidInput naming `param`.

    With `exact_cents` a third decimal place is refused rather than rounded away: money that moves
    balances is never silently changed. `positive` refuses zero and below; otherwise only below zero.
    """
    # bool is an int in Python, and a float NaN or a string like "1e9999" is not money either.
    if value is None or isinstance(value, bool):
        raise InvalidInput(f"{param} must be an amount.", code="parameter_invalid", param=param)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{param} must be an amount.", code="parameter_invalid", param=param) from None
    if not amount.is_finite():
        raise InvalidInput(f"{param} must be an amount.", code="parameter_invalid", param=param)
    if abs(amount) > MAX_AMOUNT:
        raise InvalidInput(f"{param} must be at most {MAX_AMOUNT}.", code="amount_too_large", param=param)
    if positive and amount <= 0:
        raise InvalidInput(f"{param} must be greater than zero.", code="amount_not_positive", param=param)
    if not positive and amount < 0:
        raise InvalidInput(f"{param} must not be negative.", code="amount_negative", param=param)
    if not exact_cents:
        return amount
    cents = amount.quantize(CENT)
    if amount != cents:
        raise InvalidInput(
            f"{param} has more than two decimal places.", code="too_many_decimal_places", param=param
        )
    return cents
