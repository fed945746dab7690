"""The home page's aging chart: bars drawn as SVG on the server (no script, nothing fetched).

Two bars per bucket, receivables and payables, on one scale; each bar carries its amount as a label
and a <title> (the tooltip and what a screen reader says).
"""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from erp.money import money_grouped
from ledger.reports.aging import BUCKETS, AgingLine

WIDTH, HEIGHT = 560, 220
TOP, BOTTOM, LEFT = 24, 40, 8
BAR, GAP = 36, 6


def aging_chart_svg(*, receivables: AgingLine, payables: AgingLine, currency: str) -> SafeString:
    """Return an SVG bar chart of receivables and payables by aging bucket."""
    series = [("ar", "Receivable", receivables), ("ap", "Payable", payables)]
    largest = max([amount for _, _, line in series for amount in line.amounts.values()] + [Decimal("0")])
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * LEFT) / len(BUCKETS)
    parts = []
    for index, (key, label, _) in enumerate(BUCKETS):
        x0 = LEFT + index * slot + (slot - 2 * BAR - GAP) / 2
        for offset, (css, name, line) in enumerate(series):
            amount = line.amounts[key]
            height = 0 if largest <= 0 or amount <= 0 else max(1.0, float(amount / largest) * plot)
            x, y = x0 + offset * (BAR + GAP), TOP + plot - height
            parts.append(
                format_html(
                    '<rect class="bar-{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{} {}: {} {}</title></rect>"
                    '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                    css,
                    _n(x),
                    _n(y),
                    BAR,
                    _n(height),
                    name,
                    label,
                    money_grouped(amount),
                    currency,
                    _n(x + BAR / 2),
                    _n(y - 4),
                    _short(amount),
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(LEFT + index * slot + slot / 2),
                HEIGHT - BOTTOM + 16,
                label,
            )
        )
    legend = format_html_join(
        "",
        '<rect class="bar-{}" x="{}" y="{}" width="10" height="10"></rect><text x="{}" y="{}">{}</text>',
        [
            (css, LEFT + i * 110, HEIGHT - 14, LEFT + i * 110 + 14, HEIGHT - 5, name)
            for i, (css, name, _) in enumerate(series)
        ],
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="Aging of receivables and payables ({})">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-width="1"></line>{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        currency,
        LEFT,
        TOP + plot,
        WIDTH - LEFT,
        TOP + plot,
        SafeString("".join(parts)),
        legend,
    )


def _n(value: float) -> str:
    """Return a coordinate with one decimal place."""
    return f"{value:.1f}"


def _short(amount: Decimal) -> str:
    """Return a bar's label: the amount rounded to units, thousands or millions."""
    if amount == 0:
        return "0"
    for limit, suffix in ((Decimal("1e6"), "M"), (Decimal("1e3"), "k")):
        if abs(amount) >= limit:
            return f"{amount / limit:,.1f}{suffix}"
    return f"{amount:,.0f}"
