"""Pasientreiser: who may claim, the rate per km, the egenandel, the 6-month deadline and the 100 kr minimum (§11, §2.3).

Each rule is checked against data the claims do not carry themselves: the appointments, birth dates
and deaths from the register, the sites' kommuner, and the rates of domain-facts §11 as written there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helsekit
from helsekit.generator import specs


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def claims(data):
    people = data.register[["id", "birth_date", "death_date", "kommune_number"]]
    return data.travel_claims.merge(people, left_on="citizen_id", right_on="id", how="left")


def _age_on(born: pd.Series, day: pd.Series) -> pd.Series:
    return day.dt.year - born.dt.year - ((day.dt.month < born.dt.month) | ((day.dt.month == born.dt.month) & (day.dt.day < born.dt.day)))


def test_there_are_claims_of_every_status(claims):
    assert set(claims["status"]) == {"utbetalt", "avvist_for_sent", "under_minstebeløp"}
    assert (claims["status"] == "utbetalt").mean() > 0.5


def test_claims_are_for_attended_outpatient_appointments_of_the_same_citizen(data, claims):
    appointments = data.hospital_appointments.set_index("appointment_id")
    assert claims["appointment_id"].is_unique  # one claim per trip
    assert claims["appointment_id"].isin(appointments.index).all()
    visited = appointments.loc[claims["appointment_id"]]
    assert (visited["status"] == "attended").all()
    assert (visited["citizen_id"].to_numpy() == claims["citizen_id"].to_numpy()).all()
    assert (visited["start"].dt.normalize().to_numpy() == claims["trip_date"].to_numpy()).all()


def test_no_claim_for_trips_of_10_km_or_less(data, claims):
    assert (claims["km_one_way"] > 10).all()  # domain-facts §11.1: over 10 km each way
    # Citizens living in their hospital's own kommune live 5 km away (the generator's distance model): no claims.
    hospital_kommune = data.organisations.set_index("id")["kommune_number"]
    appointments = data.hospital_appointments.merge(data.citizens[["id", "kommune_number"]], left_on="citizen_id", right_on="id")
    local = appointments[appointments["hospital_id"].map(hospital_kommune) == appointments["kommune_number"]]
    assert len(local) > 1000
    assert not claims["appointment_id"].isin(local["appointment_id"]).any()
    # A citizen's distance is the same on every claim (one home, one local hospital).
    assert (claims.groupby("citizen_id")["km_one_way"].nunique() == 1).all()


def test_a_share_of_eligible_trips_is_claimed(data, claims):
    """Most eligible trips (attended, over 10 km) are claimed, not all (a modelling choice)."""
    km = claims.groupby("citizen_id")["km_one_way"].first()
    appointments = data.hospital_appointments
    eligible = appointments[(appointments["status"] == "attended") & appointments["citizen_id"].isin(km.index)]
    eligible = eligible[eligible["start"] < data.reference_date - pd.DateOffset(months=3)]
    claimed = eligible["appointment_id"].isin(claims["appointment_id"]).mean()
    assert 0.4 < claimed < 0.95


def test_the_round_trip_is_paid_at_the_rate_per_km_in_force_on_the_day(claims):
    year = claims["trip_date"].dt.year
    # The sourced rates of domain-facts §11.1 (2018: 2.40, 2019: 2.50, from 1 Jan 2024: 3.00).
    assert set(claims.loc[year == 2018, "rate_per_km"]) == {2.40}
    assert set(claims.loc[year == 2019, "rate_per_km"]) == {2.50}
    assert set(claims.loc[year == 2024, "rate_per_km"]) == {3.00}
    # Every other date: the rate the spec lists for it (travel.toml; a rate holds until the next one).
    rates = specs.load("travel")["rate_per_km"]
    valid_from = pd.to_datetime(rates["valid_from"])
    expected = np.asarray(rates["rate"])[np.searchsorted(valid_from, claims["trip_date"], side="right") - 1]
    assert (claims["rate_per_km"].to_numpy() == expected).all()
    assert claims["amount"].to_numpy() == pytest.approx(2 * claims["km_one_way"].to_numpy() * expected, abs=0.006)


def test_children_under_16_pay_no_travel_egenandel(claims):
    age = _age_on(claims["birth_date"], claims["trip_date"])
    assert (age < 16).sum() > 100
    assert (claims.loc[age < 16, "egenandel"] == 0).all()  # domain-facts §11.2 b


def test_from_16_the_egenandel_is_two_one_way_trips_at_the_rate_of_the_day(claims):
    adult = claims[_age_on(claims["birth_date"], claims["trip_date"]) >= 16]
    year = adult["trip_date"].dt.year
    # domain-facts §11.2: 135 kr per one-way trip (2015), 146 (2016), 171 (from 1 Jan 2024); 2017–23 keep 146 (copayments.toml).
    assert set(adult.loc[year == 2015, "egenandel"]) == {2 * 135}
    assert set(adult.loc[year.between(2016, 2023), "egenandel"]) == {2 * 146}
    assert set(adult.loc[year == 2024, "egenandel"]) == {2 * 171}


def test_claims_after_six_months_are_rejected(data, claims):
    deadline = claims["trip_date"] + pd.DateOffset(months=6)  # domain-facts §11.3
    late = claims["submitted_on"] > deadline
    assert late.sum() > 100
    assert (claims.loc[late, "status"] == "avvist_for_sent").all()
    assert (claims.loc[~late, "status"] != "avvist_for_sent").all()
    assert (claims.loc[late, "payout"] == 0).all()
    assert late.mean() == pytest.approx(specs.load("travel")["submission"]["late_share"], abs=0.01)
    assert (claims["submitted_on"] >= claims["trip_date"]).all()


def test_payouts_under_100_kr_are_not_paid(data, claims):
    charged = data.copayments[data.copayments["source"] == "travel"].set_index("source_id")["charged"]
    on_time = claims[claims["status"] != "avvist_for_sent"]
    deducted = on_time["claim_id"].map(charged).fillna(on_time["egenandel"])  # a claim not paid deducts its full egenandel
    due = on_time["amount"] - deducted
    assert ((due < 100) == (on_time["status"] == "under_minstebeløp")).all()  # domain-facts §11.3
    assert (on_time.loc[on_time["status"] == "under_minstebeløp", "payout"] == 0).all()
    paid = on_time[on_time["status"] == "utbetalt"]
    assert (paid["payout"] >= 100).all()


def test_travel_egenandel_counts_towards_the_ceiling(data, claims):
    travel = data.copayments[data.copayments["source"] == "travel"]
    paid = claims[(claims["status"] == "utbetalt") & (claims["egenandel"] > 0)]
    assert sorted(travel["source_id"]) == sorted(paid["claim_id"])  # every paid claim's egenandel, and nothing else (§2.3)
    joined = paid.merge(travel, left_on="claim_id", right_on="source_id", suffixes=("", "_paid"))
    assert (joined["egenandel"] == joined["egenandel_paid"]).all()
    assert (joined["trip_date"] == joined["date"]).all()
    # The payout is the amount less what was charged: nothing deducted once a frikort covers the trip (§11.2).
    assert joined["payout"].to_numpy() == pytest.approx((joined["amount"] - joined["charged"]).to_numpy(), abs=0.006)
    assert (joined["charged"] == 0).sum() > 100
    children = claims[(claims["status"] == "utbetalt") & (claims["egenandel"] == 0)]
    assert children["payout"].to_numpy() == pytest.approx(children["amount"].to_numpy(), abs=0.006)


def test_nothing_before_birth_on_or_after_death_or_on_or_after_the_reference_date(data, claims):
    assert (claims["trip_date"] >= claims["birth_date"]).all()
    died = claims["death_date"].notna()
    assert died.sum() > 0
    assert (claims.loc[died, "submitted_on"] < claims.loc[died, "death_date"]).all()
    assert (claims["submitted_on"] < data.reference_date).all()
    assert (claims["trip_date"] >= data.reference_date - pd.DateOffset(years=10)).all()


def test_claim_ids_follow_the_citizen_and_claims_are_in_citizen_and_date_order(claims):
    assert claims["claim_id"].is_unique
    assert (claims["claim_id"] // 10_000 == claims["citizen_id"]).all()
    key = claims[["citizen_id", "trip_date"]]
    assert key.equals(key.sort_values(["citizen_id", "trip_date"], kind="stable"))
