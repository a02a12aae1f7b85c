"""How many visits each month and day of the log gets: the calibration of visits.toml as numbers.

Month totals are fixed numbers (the national month × scale, rounded), not draws, so a scaled log
keeps the published yearly totals (domain-facts §13.1) up to rounding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Month:
    """One month of the log: its first day and covered days, and its visits at the chosen scale."""

    year: int
    month: int
    first: dt.date  # first covered day (the window's start in its first month)
    days: int  # covered days from ``first``
    day_weights: np.ndarray  # weekday weight of each covered day
    visits: int

    @property
    def start(self) -> dt.date:
        """The month's first calendar day."""
        return dt.date(self.year, self.month, 1)


def _month_days(year: int, month: int) -> int:
    return ((dt.date(year + month // 12, month % 12 + 1, 1)) - dt.date(year, month, 1)).days


def _day_weights(first: dt.date, days: int, weekday: np.ndarray) -> np.ndarray:
    return weekday[(first.weekday() + np.arange(days)) % 7]


def year_total(spec: dict, year: int) -> float:
    """National visits in ``year`` (for the window's first year: in its covered part)."""
    yearly = {int(k): float(v) * 1e6 for k, v in spec["yearly"].items() if k.isdigit()}
    last = max(yearly)
    if year in yearly:
        return yearly[year]
    return yearly[last] * (1 + float(spec["yearly"]["later_years_growth"])) ** (year - last)


def month_weights(spec: dict, year: int) -> np.ndarray:
    """The relative weight of each month of ``year`` (the year's own profile, else the normal one)."""
    return np.asarray(spec["monthly"].get(str(year), spec["monthly"]["normal"]), dtype=float)


def months(spec: dict, end: dt.date, scale: float) -> list[Month]:
    """Every month from the window's start to the day before ``end``, with its scaled visit count.

    A year's visits are split over its months by the month weights, and a partly covered month gets
    the share of its weekday weights that falls in the window. The window's first year total
    covers only the window (visits.toml [yearly]); the last year is cut at ``end``.
    """
    start = dt.date.fromisoformat(spec["window"]["start"])
    weekday = np.asarray(spec["weekday"]["weights"], dtype=float)
    out: list[Month] = []
    for year in range(start.year, end.year + 1):
        weights = month_weights(spec, year)
        covered = np.zeros(12)
        spans = {}
        for m in range(1, 13):
            first, days = dt.date(year, m, 1), _month_days(year, m)
            full = _day_weights(first, days, weekday)
            lo, hi = max(first, start), min(first + dt.timedelta(days=days), end)
            if hi <= lo:
                continue
            part = _day_weights(lo, (hi - lo).days, weekday)
            covered[m - 1] = part.sum() / full.sum()
            spans[m] = (lo, (hi - lo).days, part)
        if not spans:
            continue
        # The first year's total is for its covered part; any other year's for the whole year.
        denominator = (weights * covered).sum() if year == start.year else weights.sum()
        for m, (lo, days, part) in spans.items():
            national = year_total(spec, year) * weights[m - 1] * covered[m - 1] / denominator
            out.append(Month(year, m, lo, days, part, int(round(national * scale))))
    return out
