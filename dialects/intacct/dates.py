"""The query service's date macros (today, priorMonth, …), each a range of days relative to an as-of date."""

import datetime

from erp.exceptions import InvalidInput

ONE_DAY = datetime.timedelta(days=1)


def _week(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    # Weeks run Monday to Sunday (ISO 8601).
    monday = on - datetime.timedelta(days=on.weekday())
    return monday, monday + datetime.timedelta(days=6)


def _month(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first, following - ONE_DAY


def _months_back(on: datetime.date, months: int) -> tuple[int, int]:
    index = on.year * 12 + on.month - 1 - months
    return index // 12, index % 12 + 1


def _quarter(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first_month = (month - 1) // 3 * 3 + 1
    return _month(year, first_month)[0], _month(year, first_month + 2)[1]


def _today(on):
    return on, on


def _yesterday(on):
    return on - ONE_DAY, on - ONE_DAY


def _last_week(on):
    return _week(on - datetime.timedelta(days=7))


def _current_month(on):
    return _month(on.year, on.month)


def _prior_month(on):
    return _month(*_months_back(on, 1))


def _current_quarter(on):
    return _quarter(on.year, on.month)


def _prior_quarter(on):
    return _quarter(*_months_back(on, 3))


def _current_year(on):
    return datetime.date(on.year, 1, 1), datetime.date(on.year, 12, 31)


def _prior_year(on):
    return datetime.date(on.year - 1, 1, 1), datetime.date(on.year - 1, 12, 31)


MACROS = {
    "today": _today,
    "yesterday": _yesterday,
    "currentWeek": _week,
    "lastWeek": _last_week,
    "currentMonth": _current_month,
    "priorMonth": _prior_month,
    "currentQuarter": _current_quarter,
    "priorQuarter": _prior_quarter,
    "currentYear": _current_year,
    "priorYear": _prior_year,
}


def macro_days(name: str, *, as_of: datetime.date, param: str) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day a macro names, relative to `as_of`."""
    try:
        return MACROS[name](as_of)
    except (ValueError, OverflowError):
        # The year 1 or 9999 has no prior/next period to name.
        raise InvalidInput(
            f"{name} has no dates relative to {as_of.isoformat()}.", code="invalid_date_macro", param=param
        ) from None
