"""Norwegian working days: weekends and public holidays (helligdager), for opening hours and deadlines.

The public holidays are fixed by law (lov om helligdager og helligdagsfred): New Year's Day,
Maundy Thursday, Good Friday, Easter Sunday and Monday, 1 May, 17 May, Ascension Day, Whit Sunday
and Monday, Christmas Day and Boxing Day. Easter follows the Gregorian computus.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def public_holidays(year: int) -> list[dt.date]:
    """Norway's public holidays in a year."""
    easter = easter_sunday(year)
    movable = [-3, -2, 0, 1, 39, 49, 50]  # Maundy Thursday … Whit Monday, relative to Easter Sunday
    fixed = [(1, 1), (5, 1), (5, 17), (12, 25), (12, 26)]
    days = [easter + dt.timedelta(days=offset) for offset in movable] + [dt.date(year, m, d) for m, d in fixed]
    return sorted(days)


@lru_cache(maxsize=8)
def _holidays(first_year: int, last_year: int) -> np.ndarray:
    return np.array([d for y in range(first_year, last_year + 1) for d in public_holidays(y)], dtype="datetime64[D]")


def working_days(first_year: int, last_year: int) -> np.busdaycalendar:
    """A numpy business-day calendar: Monday–Friday except public holidays, for the years given."""
    return np.busdaycalendar(weekmask="1111100", holidays=_holidays(first_year, last_year))


def add_working_days(start: np.ndarray, days: int | np.ndarray, calendar: np.busdaycalendar) -> np.ndarray:
    """The date ``days`` working days after ``start`` (e.g. the 10-working-day assessment deadline, §6.4)."""
    return np.busday_offset(np.asarray(start, dtype="datetime64[D]"), days, roll="forward", busdaycal=calendar)


def add_years(dates: np.ndarray, years: int) -> np.ndarray:
    """The same day ``years`` later (vectorised); 29 February becomes 1 March in a common year."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    month_start = dates.astype("datetime64[M]")
    return (month_start + 12 * years).astype("datetime64[D]") + (dates - month_start.astype("datetime64[D]"))
