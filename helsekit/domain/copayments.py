"""Co-payments (egenandeler), the yearly ceiling (egenandelstak) and the frikort (domain-facts §2).

Pure rules, vectorised: the generator and the services pass in rate schedules read from
``synthetic_data/specs/copayments.toml`` and arrays of payments; nothing here reads files or the clock.

The rules:

* Children under 16 pay nothing (§2.4).
* Egenandeler that count toward the ceiling add up per person and calendar year (§2.3, §2.5).
* The payment that first takes the year's total to or over the ceiling is paid in full at the point of
  service; the frikort is issued at that payment, and what was paid above the ceiling is refunded
  (§2.5). Refunds under 200 kr were not paid before 2022; from 2022 every krone is (§2.5).
* With a frikort the person pays no more egenandeler that count toward the ceiling for the rest of
  the calendar year; the count restarts at 0 on 1 January (§2.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helsekit.domain.calendar import add_years


@dataclass(frozen=True)
class Schedule:
    """Values that take effect on given dates and hold until the next one."""

    valid_from: np.ndarray  # datetime64[D], ascending
    values: np.ndarray

    def on(self, dates: np.ndarray) -> np.ndarray:
        """The value in force on each date (the first value before the first date)."""
        position = np.searchsorted(self.valid_from, np.asarray(dates, dtype="datetime64[D]"), side="right") - 1
        return self.values[np.maximum(position, 0)]


def yearly_ceilings(years: list[int], amounts: list[int]) -> dict[int, int]:
    """The ceiling for every year from the first to the last listed, interpolating missing years (§2.2)."""
    span = np.arange(min(years), max(years) + 1)
    return dict(zip(span.tolist(), np.rint(np.interp(span, years, amounts)).astype(int).tolist()))


def is_exempt(age_on_date: np.ndarray, under_age: int = 16) -> np.ndarray:
    """True where the person is too young to pay egenandel (§2.4)."""
    return np.asarray(age_on_date) < under_age


def pays_from(birth: np.ndarray, under_age: int = 16) -> np.ndarray:
    """The first day a person pays egenandel: their 16th birthday (§2.4); 29 February gives 1 March."""
    return add_years(birth, under_age)


def blue_prescription_egenandel(price: np.ndarray, share: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Egenandel for a blå resept dispensing: the share of the price, at most the cap (§2.7)."""
    return np.minimum(np.rint(np.asarray(price) * share), cap)


@dataclass(frozen=True)
class CeilingResult:
    """Per payment: what was charged and whether it triggered the frikort; per person-year: refunds."""

    charged: np.ndarray  # kroner actually paid at the point of service
    frikort_payment: np.ndarray  # True for the payment that first reached the ceiling
    year_person: np.ndarray  # (person, year) pairs that reached the ceiling
    refund: np.ndarray  # refund to each of those person-years (0 where under the minimum)


def apply_ceiling(
    person: np.ndarray,
    dates: np.ndarray,
    nominal: np.ndarray,
    counts: np.ndarray,
    ceilings: dict[int, int],
    refund_minimum: dict[int, int] | None = None,
) -> CeilingResult:
    """Charge payments against the yearly ceiling (§2.5).

    ``person``, ``dates`` (datetime64[D]), ``nominal`` (the egenandel before any frikort, already 0
    for the exempt) and ``counts`` (True where it counts toward the ceiling, §2.3) must be sorted
    by person, then date, then the order the payments were made. ``refund_minimum`` maps a year to
    the smallest refund paid (default 0).
    """
    person = np.asarray(person, dtype=np.int64)
    nominal = np.asarray(nominal, dtype=np.int64)
    counts = np.asarray(counts, dtype=bool)
    years = np.asarray(dates, dtype="datetime64[Y]").astype(np.int64) + 1970
    missing = sorted(set(np.unique(years).tolist()) - set(ceilings))
    if missing:
        raise ValueError(f"no egenandelstak for the years {missing} (§2.2)")
    first = min(ceilings)
    by_year = np.array([ceilings.get(y, 0) for y in range(first, max(ceilings) + 1)], dtype=np.int64)
    ceiling = by_year[years - first] if years.size else years
    counting = np.where(counts, nominal, 0)
    total = np.cumsum(counting)
    group_start = np.r_[True, (person[1:] != person[:-1]) | (years[1:] != years[:-1])] if person.size else person.astype(bool)
    offset = np.maximum.accumulate(np.where(group_start, total - counting, 0)) if person.size else total
    after = total - offset  # the person's counting total for the year, this payment included
    before = after - counting
    free = counts & (before >= ceiling)  # a frikort already covers it
    crossing = counts & (before < ceiling) & (after >= ceiling) & (counting > 0)
    charged = np.where(free, 0, nominal)
    overshoot = np.where(crossing, after - ceiling, 0)
    minimum = np.array([(refund_minimum or {}).get(int(y), 0) for y in years[crossing]], dtype=np.int64)
    refund = np.where(overshoot[crossing] >= minimum, overshoot[crossing], 0)
    return CeilingResult(
        charged=charged,
        frikort_payment=crossing,
        year_person=np.column_stack([person[crossing], years[crossing]]),
        refund=refund,
    )
