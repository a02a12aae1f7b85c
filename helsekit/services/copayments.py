"""Frikort og egenandeler on Min helse (§2.5): the subject's registered egenandeler by year and source,
the year's egenandelstak (§2.2), how far there is left to it, the frikort and refunds (§2.5).

Payments and frikort come from the history archive (``copayments``, ``frikort``); the ceilings from
``synthetic_data/specs/copayments.toml`` through :func:`helsekit.domain.copayments.yearly_ceilings`.
Every source in the history (fastlege, blå resept, poliklinikk, pasientreiser) counts toward the ceiling
(§2.3), and what counts is what was paid at the point of service (``charged``): the payment that reaches
the ceiling is paid in full, and what lies above it comes back as a refund (§2.5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlmodel import Session

from helsekit.domain import copayments as rules
from helsekit.domain.citizens import Citizen
from helsekit.errors import InvalidInput
from helsekit.generator import specs
from helsekit.services import access, histories, policy
from helsekit.services.actors import Actor


@dataclass(frozen=True)
class SourceTotal:
    """A year's egenandeler from one source: gp_contact, blue_prescription, outpatient or travel."""

    source: str
    payments: int
    egenandel: int  # owed before the ceiling
    charged: int  # paid at the point of service (0 with a frikort)


@dataclass(frozen=True)
class Frikort:
    """The frikort of a year (§2.5): from the payment that reached the ceiling, with any refund."""

    year: int
    reached_on: dt.date
    refund: int  # kroner paid above the ceiling, refunded (§2.5)
    refund_by: dt.date  # the frikort and refund are sent by then (within 3 weeks, §2.5)


@dataclass(frozen=True)
class FrikortProgress:
    """How far the subject has come toward the year's egenandelstak.

    ``counted`` is what was paid that counts toward the ceiling; ``left`` is the ceiling less that,
    never below 0. ``exempt`` is True for a child under 16, who pays no egenandel (§2.4).
    """

    year: int
    ceiling: int
    counted: int
    left: int
    frikort: Frikort | None
    exempt: bool


@dataclass(frozen=True)
class CopaymentYear:
    """One calendar year of egenandeler."""

    year: int
    ceiling: int
    egenandel: int
    charged: int
    by_source: tuple[SourceTotal, ...]
    frikort: Frikort | None


@dataclass(frozen=True)
class CopaymentsView:
    """This year's progress toward the ceiling and every year with payments, newest first."""

    subject_id: int
    this_year: FrikortProgress
    years: list[CopaymentYear]


def view(session: Session, actor: Actor, now: dt.datetime) -> CopaymentsView:
    """The subject's egenandeler and frikort as the actor may see them on ``now``; raises
    :class:`~helsekit.services.policy.AccessDenied` when the policy says no."""
    access.check(session, actor, policy.Service.COPAYMENTS, policy.Action.VIEW, now)
    today = now.date()
    paid, frikort = _history(session, actor.subject, today)
    ceilings = _ceilings()
    totals = paid.groupby(["year", "source"]).agg(payments=("egenandel", "size"), egenandel=("egenandel", "sum"), charged=("charged", "sum"))
    years = []
    for year in sorted(set(totals.index.get_level_values("year")), reverse=True):
        rows = totals.loc[year]
        years.append(CopaymentYear(
            year=int(year), ceiling=_ceiling(ceilings, int(year)), egenandel=int(rows["egenandel"].sum()), charged=int(rows["charged"].sum()),
            by_source=tuple(SourceTotal(str(s), int(r.payments), int(r.egenandel), int(r.charged)) for s, r in zip(rows.index, rows.itertuples())),
            frikort=frikort.get(int(year)),
        ))
    return CopaymentsView(actor.subject, _progress(session, actor.subject, today.year, paid, frikort, today), years)


def frikort_progress(session: Session, subject_id: int, year: int, on: dt.date | None = None) -> FrikortProgress:
    """The subject's progress toward ``year``'s egenandelstak, counting payments up to ``on`` (default: the
    whole year), for the Min helse overview.

    No access check: the caller must already have checked the policy for ``subject_id`` (the overview
    checks once for all its parts).
    """
    on = min(on or dt.date(year, 12, 31), dt.date(year, 12, 31))
    paid = histories.table(session, "copayments", subject_id, ["date", "charged"])
    days = histories.column(paid, "date")
    in_year = (days >= np.datetime64(dt.date(year, 1, 1))) & (days <= np.datetime64(on))
    counted = int(histories.column(paid, "charged")[in_year].sum())
    card = None
    if counted >= _ceiling(_ceilings(), year):  # a frikort is issued at the payment that reaches the ceiling (§2.5)
        cards = histories.table(session, "frikort", subject_id, ["year", "reached_on", "refund", "refund_by"]).to_pylist()
        card = next((Frikort(c["year"], c["reached_on"], c["refund"], c["refund_by"]) for c in cards
                     if c["year"] == year and c["reached_on"] <= on), None)
    return _summary(session, subject_id, year, counted, card, on)


@dataclass(frozen=True)
class RunningTotal:
    """What the subject had paid toward the year's egenandelstak by the end of a day with payments."""

    on: dt.date
    total: int


def running_total(session: Session, actor: Actor, year: int, now: dt.datetime) -> list[RunningTotal]:
    """The subject's egenandeler paid in ``year`` up to ``now``, summed day by day: one point per day with
    payments, oldest first (for a curve toward the ceiling). Raises
    :class:`~helsekit.services.policy.AccessDenied` when the policy says no, and
    :class:`~helsekit.errors.InvalidInput` for a year without an egenandelstak."""
    access.check(session, actor, policy.Service.COPAYMENTS, policy.Action.VIEW, now)
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInput(f"year must be a whole number, not {year!r}", "Året må være et helt tall.", "year")
    _ceiling(_ceilings(), year)
    paid, _ = _history(session, actor.subject, now.date())
    days = paid.loc[paid["year"] == year].groupby("date")["charged"].sum().cumsum()
    return [RunningTotal(day.date(), int(total)) for day, total in days.items()]


def _ceilings() -> dict[int, int]:
    spec = specs.load("copayments")["ceiling"]
    return rules.yearly_ceilings(spec["year"], spec["amount"])


def _ceiling(ceilings: dict[int, int], year: int) -> int:
    if year not in ceilings:
        raise InvalidInput(f"year {year} has no egenandelstak in copayments.toml ({min(ceilings)}–{max(ceilings)})",
                           f"Egenandelstaket for {year} er ikke kjent ({min(ceilings)}–{max(ceilings)}).", "§2.2")
    return ceilings[year]


def _history(session: Session, subject_id: int, until: dt.date) -> tuple[pd.DataFrame, dict[int, Frikort]]:
    """The subject's payments up to ``until`` (with their year), and the frikort reached by then, by year."""
    paid = histories.of(session, "copayments", subject_id, columns=["date", "source", "egenandel", "charged"])
    paid = paid.assign(date=pd.to_datetime(paid["date"]))
    paid = paid[paid["date"] <= pd.Timestamp(until)]
    paid = paid.assign(year=paid["date"].dt.year)
    cards = histories.of(session, "frikort", subject_id, columns=["year", "reached_on", "refund", "refund_by"])
    cards = cards[pd.to_datetime(cards["reached_on"]) <= pd.Timestamp(until)]
    frikort = {int(c.year): Frikort(int(c.year), pd.Timestamp(c.reached_on).date(), int(c.refund), pd.Timestamp(c.refund_by).date())
               for c in cards.itertuples()}
    return paid, frikort


def _progress(session: Session, subject_id: int, year: int, paid: pd.DataFrame, frikort: dict[int, Frikort], on: dt.date) -> FrikortProgress:
    return _summary(session, subject_id, year, int(paid.loc[paid["year"] == year, "charged"].sum()), frikort.get(year), on)


def _summary(session: Session, subject_id: int, year: int, counted: int, frikort: Frikort | None, on: dt.date) -> FrikortProgress:
    ceiling = _ceiling(_ceilings(), year)
    born = session.get(Citizen, subject_id).birth_date
    exempt = bool(rules.is_exempt(on.year - born.year - ((on.month, on.day) < (born.month, born.day)),
                                  specs.load("copayments")["exemptions"]["under_age"]))
    return FrikortProgress(year, ceiling, counted, max(ceiling - counted, 0), frikort, exempt)
