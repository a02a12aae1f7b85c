"""Frikort og egenandeler: paid egenandeler by year and source, the year's egenandelstak (§2.2), the
distance to it, the frikort and refunds (§2.5), children exempt (§2.4)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from helsekit.services import copayments
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

CEILING_2024 = 3165  # domain-facts §2.2
CEILING_2023 = 3040  # domain-facts §2.2


@pytest.fixture(scope="module")
def adults(data):
    profiles = data.helsenorge_profiles
    grown = data.citizens.loc[data.citizens["age"] >= 30, "id"]
    return profiles.loc[profiles["consent_level"].isin(["basis", "full"]) & profiles["citizen_id"].isin(grown), "citizen_id"]


def test_distance_to_the_ceiling_is_the_ceiling_less_what_counted_this_year(default_db, data, adults):
    now = dt.datetime(2024, 6, 30, 12)
    paid = data.copayments[data.copayments["citizen_id"].isin(adults) & (data.copayments["date"] >= "2024-01-01") & (data.copayments["date"] <= "2024-06-30")]
    reached = data.frikort.loc[(data.frikort["year"] == 2024) & (data.frikort["reached_on"] <= "2024-06-30"), "citizen_id"]
    totals = paid[~paid["citizen_id"].isin(reached)].groupby("citizen_id")["charged"].sum()
    subject = int(totals.index[totals > 1000][0])
    with Session(engine_for(default_db)) as session:
        seen = copayments.view(session, Actor(subject), now)
    assert seen.this_year.year == 2024 and seen.this_year.ceiling == CEILING_2024
    assert seen.this_year.counted == totals[subject]
    assert seen.this_year.left == CEILING_2024 - totals[subject]
    assert seen.this_year.frikort is None


def test_the_distance_is_never_below_zero_once_the_frikort_is_reached(default_db, data, adults):
    card = data.frikort[(data.frikort["year"] == 2024) & data.frikort["citizen_id"].isin(adults) & (data.frikort["refund"] > 0)].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = copayments.view(session, Actor(int(card.citizen_id)), dt.datetime(2024, 12, 31, 12))
    assert seen.this_year.left == 0 and seen.this_year.counted > CEILING_2024
    assert seen.this_year.frikort.reached_on == card.reached_on.date()


def test_a_frikort_is_not_shown_before_the_day_it_was_reached(default_db, data, adults):
    card = data.frikort[(data.frikort["year"] == 2024) & data.frikort["citizen_id"].isin(adults)].iloc[0]
    with Session(engine_for(default_db)) as session:
        before = copayments.view(session, Actor(int(card.citizen_id)), (card.reached_on - pd.Timedelta(days=1)).to_pydatetime())
        on_the_day = copayments.view(session, Actor(int(card.citizen_id)), card.reached_on.to_pydatetime())
    assert before.this_year.frikort is None and before.this_year.left > 0
    assert on_the_day.this_year.frikort is not None and on_the_day.this_year.left == 0


def test_the_refund_is_what_was_paid_above_the_ceiling(default_db, data, adults):
    # §2.5: every krone over the ceiling is refunded from 2022.
    card = data.frikort[(data.frikort["year"] == 2023) & data.frikort["citizen_id"].isin(adults) & (data.frikort["refund"] > 0)].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = copayments.view(session, Actor(int(card.citizen_id)), dt.datetime(2025, 1, 1, 12))
    year = next(y for y in seen.years if y.year == 2023)
    assert year.ceiling == CEILING_2023
    assert year.frikort.refund == year.charged - CEILING_2023


def test_paid_egenandeler_add_up_by_year_and_source(default_db, data, adults):
    subject = int(data.copayments.loc[data.copayments["citizen_id"].isin(adults), "citizen_id"].value_counts().index[0])
    with Session(engine_for(default_db)) as session:
        seen = copayments.view(session, Actor(subject), dt.datetime(2025, 1, 1, 12))
    mine = data.copayments[data.copayments["citizen_id"] == subject]
    expected = mine.groupby([mine["date"].dt.year, "source"])[["egenandel", "charged"]].sum()
    shown = {(y.year, s.source): (s.egenandel, s.charged) for y in seen.years for s in y.by_source}
    assert shown == {k: (int(v.egenandel), int(v.charged)) for k, v in zip(expected.index, expected.itertuples())}
    assert [y.year for y in seen.years] == sorted({y for y, _ in shown}, reverse=True)


def test_a_child_under_16_is_exempt(default_db, data):
    # §2.4: children under 16 pay no egenandel.
    access = data.parental_access
    pair = access[(access["child_age"] == 8) & (access["access"] == "full")].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = copayments.view(session, Actor(int(pair.parent_id), int(pair.child_id)), dt.datetime(2025, 1, 1, 12))
    assert seen.this_year.exempt and all(y.charged == 0 for y in seen.years)


def test_the_overview_progress_is_the_views(default_db, data, adults):
    subject = int(data.copayments.loc[data.copayments["citizen_id"].isin(adults), "citizen_id"].iloc[0])
    on = dt.date(2024, 9, 15)
    with Session(engine_for(default_db)) as session:
        seen = copayments.view(session, Actor(subject), dt.datetime.combine(on, dt.time(12)))
        progress = copayments.frikort_progress(session, subject, 2024, on)
    assert progress == seen.this_year
