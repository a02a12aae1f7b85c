"""The analyst's choices for the visit metrics, checked: a period, a grain and services.

A bad choice is refused with :class:`~helsekit.errors.InvalidInput` naming the field (``period``,
``grain``, ``services``) and, where there is a list, the valid values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd

from helsekit.errors import InvalidInput

#: The grains and their truncation units; a week starts on Monday (ISO) on every engine.
GRAINS = {"day": "D", "week": "W", "month": "M", "year": "Y"}

_NB = {"first": "første", "last": "siste"}


def _date(value, which: str) -> dt.date:
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        raise InvalidInput(
            f"period: the {which} day {value!r} is not a date (use YYYY-MM-DD)",
            f"Perioden: {_NB[which]} dag {value!r} er ikke en dato (bruk ÅÅÅÅ-MM-DD).", "period",
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
