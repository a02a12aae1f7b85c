"""The running total of a year's egenandeler (for the frikort panel's curve): day by day, up to now,
ending where the view's total for the year ends; refused like the view."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

import helsekit
from helsekit.errors import InvalidInput
from helsekit.services import copayments, policy
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

CEILING_2024 = 3165  # domain-facts §2.2


@pytest.fixture(scope="module")
def tiny(tiny_db):
    return helsekit.open(tiny_db)


@pytest.fixture(scope="module")
def allowed(tiny) -> pd.Series:
    """Adults whose Helsenorge consent (basis or full) lets them see their own egenandeler (§3.5)."""
    profiles = tiny.helsenorge_profiles
    grown = tiny.citizens.loc[tiny.citizens["age"] >= 20, "id"]
    return profiles.loc[profiles["consent_level"].isin(["basis", "full"]) & profiles["citizen_id"].isin(grown), "citizen_id"]


@pytest.fixture(scope="module")
def payer(tiny, allowed) -> int:
    """The adult allowed to look who paid most egenandeler in 2024."""
    paid = tiny.copayments[(tiny.copayments["date"].dt.year == 2024) & tiny.copayments["citizen_id"].isin(allowed)]
    return int(paid["citizen_id"].value_counts().index[0])


def expected(tiny, subject: int, year: int, until: str) -> list[tuple[dt.date, int]]:
    rows = tiny.copayments[(tiny.copayments["citizen_id"] == subject) & (tiny.copayments["date"].dt.year == year)
                           & (tiny.copayments["date"] <= until)]
    daily = rows.groupby("date")["charged"].sum().cumsum()
    return [(day.date(), int(total)) for day, total in daily.items()]


def test_each_day_with_payments_adds_its_egenandeler_to_the_years_total_so_far(tiny_db, tiny, payer):
    now = dt.datetime(2025, 1, 1, 12)
    with Session(engine_for(tiny_db)) as session:
        points = copayments.running_total(session, Actor(payer), 2024, now)
        view = copayments.view(session, Actor(payer), now)
    assert [(p.on, p.total) for p in points] == expected(tiny, payer, 2024, "2024-12-31")
    assert points[-1].total == next(y.charged for y in view.years if y.year == 2024)


def test_payments_after_now_are_not_counted(tiny_db, tiny, payer):
    now = dt.datetime(2024, 6, 30, 12)
    with Session(engine_for(tiny_db)) as session:
        points = copayments.running_total(session, Actor(payer), 2024, now)
    assert [(p.on, p.total) for p in points] == expected(tiny, payer, 2024, "2024-06-30")
    assert all(p.on <= now.date() for p in points)


def test_a_stranger_is_refused_like_the_view(tiny_db, tiny, payer):
    other = int(tiny.citizens.loc[tiny.citizens["id"] != payer, "id"].iloc[0])
    with Session(engine_for(tiny_db)) as session, pytest.raises(policy.AccessDenied):
        copayments.running_total(session, Actor(payer, other), 2024, dt.datetime(2025, 1, 1, 12))


@pytest.mark.parametrize("year", [1999, "2024", True, 2024.0])
def test_a_year_without_a_ceiling_or_not_a_whole_number_is_refused_in_bokmal(tiny_db, payer, year):
    with Session(engine_for(tiny_db)) as session, pytest.raises(InvalidInput) as refused:
        copayments.running_total(session, Actor(payer), year, dt.datetime(2025, 1, 1, 12))
    assert refused.value.message_nb.startswith(("Egenandelstaket for", "Året må være"))


def test_the_total_reaches_the_ceiling_on_the_day_of_the_frikort_and_not_before(tiny_db, tiny, allowed):
    # §2.5: the frikort is issued at the payment that reaches the ceiling.
    card = tiny.frikort[(tiny.frikort["year"] == 2024) & tiny.frikort["citizen_id"].isin(allowed)].iloc[0]
    with Session(engine_for(tiny_db)) as session:
        points = copayments.running_total(session, Actor(int(card.citizen_id)), 2024, dt.datetime(2025, 1, 1, 12))
    reached = pd.Timestamp(card.reached_on).date()
    assert next(p.total for p in points if p.on == reached) >= CEILING_2024
    assert all(p.total < CEILING_2024 for p in points if p.on < reached)
