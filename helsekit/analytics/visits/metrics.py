"""The visit metrics, each one Ibis expression over the visits table: the same definition on every engine.

Every builder takes the visits table ``t``, a ``grain`` (day, week, month or year: the ``period`` column
is the first day of the day, ISO week (Monday), month or year) and an optional ``period`` (first day, last
day), and returns a lazy table; nothing runs until ``.to_pandas()`` (or ``.execute()``) is called on it.
Breakdowns by the visitor (kommune, fylke, age group) count logged-in visits only: anonymous visits carry
no person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import ibis
import ibis.selectors as s
import pandas as pd

from helsekit.errors import InvalidInput

GRAINS = {"day": "D", "week": "W", "month": "M", "year": "Y"}

#: Modelling choice: 16 is when a citizen logs in on Helsenorge for themself (§3.2: parents act for
#: children under 16), 67 the usual retirement age; the bands between split working age in three.
AGE_GROUPS = (("0–15", 0, 15), ("16–29", 16, 29), ("30–49", 30, 49), ("50–66", 50, 66), ("67+", 67, None))


def _date(value, which: str) -> dt.date:
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        raise InvalidInput(
            f"period: the {which} day {value!r} is not a date (use YYYY-MM-DD)",
            f"Perioden: {which} dag {value!r} er ikke en dato (bruk ÅÅÅÅ-MM-DD).", "period",
        ) from None


def parse_period(period) -> tuple[dt.date, dt.date] | None:
    """``(first day, last day)`` as dates, both included; None for the whole log."""
    if period is None:
        return None
    if isinstance(period, str) or not isinstance(period, Sequence) or len(period) != 2:
        raise InvalidInput(
            f"period {period!r} must be a pair (first day, last day)",
            f"Perioden {period!r} må være et par (første dag, siste dag).", "period",
        )
    first, last = _date(period[0], "first"), _date(period[1], "last")
    if first > last:
        raise InvalidInput(
            f"period: the first day {first} is after the last day {last}",
            f"Perioden: første dag {first} er etter siste dag {last}.", "period",
        )
    return first, last


def check_period(period, log_extent: tuple[dt.datetime, dt.datetime]) -> tuple[dt.date, dt.date] | None:
    """The period parsed, refused when it lies wholly outside the log (``log_extent``: first and last start)."""
    parsed = parse_period(period)
    low, high = (pd.Timestamp(x).date() for x in log_extent)
    if parsed and (parsed[1] < low or parsed[0] > high):
        raise InvalidInput(
            f"period {parsed[0]}..{parsed[1]} lies outside the visit log, which runs from {low} to {high}",
            f"Perioden {parsed[0]}–{parsed[1]} ligger utenfor besøksloggen, som går fra {low} til {high}.", "period",
        )
    return parsed


def check_grain(grain: str) -> str:
    """The grain's truncation unit; an unknown grain is refused, listing the valid ones."""
    if grain not in GRAINS:
        raise InvalidInput(
            f"grain {grain!r} is unknown; choose one of: {', '.join(GRAINS)}",
            f"Tidsoppløsningen {grain!r} finnes ikke; velg en av: dag (day), uke (week), måned (month), år (year).", "grain",
        )
    return GRAINS[grain]


def check_services(chosen: Iterable[str] | None, catalogue: Sequence[str]) -> list[str]:
    """The chosen services (all when None), in the catalogue's order; an unknown one is refused."""
    if chosen is None:
        return list(catalogue)
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    unknown = [name for name in chosen if name not in catalogue]
    if unknown:
        raise InvalidInput(
            f"services: {', '.join(map(repr, unknown))} unknown; choose from: {', '.join(catalogue)}",
            f"Ukjent tjeneste {', '.join(unknown)}; velg blant: {', '.join(catalogue)}.", "services",
        )
    return [name for name in catalogue if name in chosen]


def within(t, period):
    """The visits that start in ``period`` (first day, last day, both included); all when None."""
    parsed = parse_period(period)
    if parsed is None:
        return t
    first = dt.datetime.combine(parsed[0], dt.time())
    after = dt.datetime.combine(parsed[1] + dt.timedelta(days=1), dt.time())
    return t.filter(t.start >= first, t.start < after)


def _grouped(t, grain: str, period, *keys, logged_in_only: bool = False):
    unit = check_grain(grain)
    t = within(t, period)
    if logged_in_only:
        t = t.filter(t.logged_in)
    return t, t.group_by(t.start.truncate(unit).date().name("period"), *keys)


def visits(t, grain: str = "month", period=None):
    """Visits per period (§13.4: a session ended by 30 minutes of inactivity)."""
    t, grouped = _grouped(t, grain, period)
    return grouped.agg(visits=t.count())


def logins(t, grain: str = "month", period=None):
    """Logins per period: visits made logged in (one login per visit in this log; §13.3 counts every login)."""
    t, grouped = _grouped(t, grain, period)
    return grouped.agg(logins=t.logged_in.sum())


def unique_visitors(t, grain: str = "month", period=None):
    """Distinct logged-in citizens per period."""
    t, grouped = _grouped(t, grain, period, logged_in_only=True)
    return grouped.agg(unique_visitors=t.citizen_id.nunique())


def service_flags(t, names: Sequence[str], catalogue: Sequence[str]) -> dict:
    """One count per service: the visits whose ``services`` bitmask has the service's bit (its place in the catalogue)."""
    return {name: ((t.services & (1 << catalogue.index(name))) != 0).sum() for name in names}


def per_service(t, grain: str = "month", period=None, services: Iterable[str] | None = None, catalogue: Sequence[str] | None = None):
    """Visits per service area per period, one row per service (a visit counts for each area it touched).

    ``catalogue`` is the spec's list of services in bit order (default: :func:`helsekit.analytics.visits.services`);
    ``services`` chooses some of them."""
    if catalogue is None:
        from helsekit.analytics.visits import services as spec_services
        catalogue = spec_services()
    names = check_services(services, catalogue)
    t, grouped = _grouped(t, grain, period)
    wide = grouped.agg(**service_flags(t, names, catalogue))
    return wide.pivot_longer(s.cols(*names), names_to="service", values_to="visits")


def per_kommune(t, grain: str = "month", period=None):
    """Logged-in visits per the visitor's home kommune per period."""
    t, grouped = _grouped(t, grain, period, "kommune_number", logged_in_only=True)
    return grouped.agg(visits=t.count())


def per_fylke(t, geography: pd.DataFrame, grain: str = "month", period=None):
    """Logged-in visits per the visitor's home fylke per period.

    ``geography`` has one row per kommune: ``kommune_number``, ``fylke_number``, ``fylke`` (see
    :func:`helsekit.analytics.visits.report.geography`); it travels with the expression as a small table."""
    kommuner = ibis.memtable(geography[["kommune_number", "fylke_number", "fylke"]])
    t = within(t, period).filter(lambda v: v.logged_in)
    joined = t.join(kommuner, "kommune_number")
    grouped = joined.group_by(joined.start.truncate(check_grain(grain)).date().name("period"), "fylke_number", "fylke")
    return grouped.agg(visits=joined.count())


def age_group(age):
    """The age group label of an age column (:data:`AGE_GROUPS`)."""
    branches = [((age >= low) & (age <= high) if high is not None else age >= low, label) for label, low, high in AGE_GROUPS]
    return ibis.cases(*branches)


def per_age_group(t, grain: str = "month", period=None):
    """Logged-in visits per age group of the visitor on the visit's day, per period."""
    unit = check_grain(grain)
    t = within(t, period).filter(lambda v: v.logged_in)
    t = t.mutate(age_group=age_group(t.age))
    return t.group_by(t.start.truncate(unit).date().name("period"), "age_group").agg(visits=t.count())


def per_device(t, grain: str = "month", period=None):
    """Visits per device (web, or the app from June 2021, §13.5) per period."""
    t, grouped = _grouped(t, grain, period, "device")
    return grouped.agg(visits=t.count())


def per_pilot_and_site(t, grain: str = "month", period=None):
    """Visits that came through a pilot, per pilot and treatment site per period."""
    t = t.filter(t.pilot_id.notnull())
    t, grouped = _grouped(t, grain, period, "pilot_id", "site_id")
    return grouped.agg(visits=t.count())


def growth(table, value: str = "visits", by: Sequence[str] = ()):
    """A metric with ``previous`` (the value in the group's previous period that has one) and ``growth``
    (value / previous − 1; empty for the first period)."""
    window = ibis.window(group_by=list(by) or None, order_by="period")
    previous = table[value].lag().over(window)
    return table.mutate(previous=previous, growth=table[value] / previous - 1)
