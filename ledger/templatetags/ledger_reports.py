"""Template filters of the report pages and the home dashboard."""

from django import template

from erp.adminlists import money_text
from erp.money import money_grouped

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """Render an amount as accountants read it: `1,234.50 USD`."""
    return money_text(amount, currency)


@register.filter
def amount(value) -> str:
    """Render an amount in a report table: thousands grouped, two places (the currency is in the heading)."""
    return money_grouped(value) if value is not None else ""
