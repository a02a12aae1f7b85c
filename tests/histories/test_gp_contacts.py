"""Fastlege contacts over ten years: consistent with the citizens and calibrated to SSB (issue #3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helsekit
from helsekit.domain.calendar import public_holidays
from helsekit.generator import specs


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def contacts(data):
    return data.gp_contacts.merge(data.register[["id", "birth_date"]], left_on="citizen_id", right_on="id")


def test_no_contact_before_birth_or_after_the_reference_date(data, contacts):
    assert (contacts["start"].dt.normalize() >= contacts["birth_date"]).all()
    assert (contacts["start"] < data.reference_date).all()
    assert (contacts["start"] >= data.reference_date - pd.DateOffset(years=10)).all()


def test_booking_comes_before_the_appointment(contacts):
    assert (contacts["booked_at"] <= contacts["start"]).all()


def test_consultations_are_on_working_days_within_opening_hours(contacts):
    physical = contacts[contacts["kind"] == "consultation"]
    assert (physical["start"].dt.day_of_week < 5).all()
    holidays = {pd.Timestamp(d) for y in range(2015, 2025) for d in public_holidays(y)}
    assert not physical["start"].dt.normalize().isin(holidays).any()
    hour = physical["start"].dt.hour
    assert (hour >= 8).all() and (hour < 20).all()
    assert (physical["evening"] == (hour >= 16)).all()


def test_gp_consultation_rates_by_age_group_are_within_10_percent_of_ssb(data):
    """SSB's 2023 table by age group, against the last five years pooled (each year's count divided by
    the spec's trend factor for that year): the 90+ group of `default` has only about 330 people, so a
    single year would test sampling noise (one year's standard error there is about 5 %)."""
    rates = specs.load("gp_contacts")["rates"]
    register = data.register.set_index("id")
    lower = np.asarray(rates["age_lower"])
    per_group, with_any = [], []
    for year in range(2020, 2025):
        attended = data.gp_contacts[(data.gp_contacts["status"] == "attended") & (data.gp_contacts["start"].dt.year == year)]
        whole_year = (register["birth_date"] < pd.Timestamp(f"{year}-01-01")) & ~(register["death_date"] < pd.Timestamp(f"{year + 1}-01-01"))
        alive = register.loc[whole_year, "birth_date"]
        age = (year - alive.dt.year) - ((alive.dt.month > 7) | ((alive.dt.month == 7) & (alive.dt.day > 1)))
        group = np.searchsorted(lower, age.to_numpy(), side="right") - 1
        count = attended["citizen_id"].value_counts().reindex(alive.index).fillna(0).to_numpy()
        trend = np.interp(year, rates["trend"]["year"], rates["trend"]["factor"])
        per_group.append(pd.DataFrame({"group": group, "count": count / trend, "any": count > 0}))
    pooled = pd.concat(per_group).groupby("group")
    for g, (expected_mean, expected_share) in enumerate(zip(rates["mean_per_person"], rates["share_with_any"])):
        assert pooled["count"].mean()[g] == pytest.approx(expected_mean, rel=0.10), f"age group from {lower[g]}"
        assert pooled["any"].mean()[g] == pytest.approx(expected_share, rel=0.10), f"age group from {lower[g]}"


def test_about_one_in_five_consultations_in_2023_is_an_e_consultation(data):
    c = data.gp_contacts
    attended = c[(c["status"] == "attended") & (c["start"].dt.year == 2023)]
    assert (attended["kind"] == "e_consultation").mean() == pytest.approx(0.20, abs=0.02)  # reference-statistics §10


def _age_on(frame, when):
    born = frame["birth_date"]
    return (frame[when].dt.year - born.dt.year) - (
        (frame[when].dt.month < born.dt.month) | ((frame[when].dt.month == born.dt.month) & (frame[when].dt.day < born.dt.day))
    )


def test_children_under_16_owe_no_egenandel_and_adults_do(data, contacts):
    attended = contacts[contacts["status"] == "attended"]
    age = _age_on(attended, "start")
    assert (attended.loc[age < 16, "egenandel"] == 0).all()  # domain-facts §2.4
    assert (attended.loc[age >= 16, "egenandel"] > 0).all()
    paid = data.copayments.merge(data.register[["id", "birth_date"]], left_on="citizen_id", right_on="id")
    assert (_age_on(paid, "date") >= 16).all()


def test_the_egenandel_is_the_rate_in_force_on_the_day(data):
    c = data.gp_contacts
    adult_day = c[(c["status"] == "attended") & (c["egenandel"] > 0) & ~c["evening"]]
    in_2024 = adult_day[adult_day["start"] >= "2024-01-01"]
    before_july_2019 = adult_day[adult_day["start"] < "2019-07-01"]
    assert set(in_2024["egenandel"]) == {170}  # domain-facts §2.6 (2023–24)
    assert set(before_july_2019["egenandel"]) == {155}  # the 2019 rate, taken back (copayments.toml)


def test_missed_and_cancelled_appointments_cost_nothing(data):
    c = data.gp_contacts
    assert (c.loc[c["status"] != "attended", "egenandel"] == 0).all()


def test_every_frikort_is_at_the_first_payment_that_reaches_that_years_ceiling(data):
    from helsekit.domain.copayments import yearly_ceilings

    spec = specs.load("copayments")["ceiling"]
    ceilings = yearly_ceilings(spec["year"], spec["amount"])
    paid = data.copayments.assign(year=data.copayments["date"].dt.year)
    paid["total"] = paid.groupby(["citizen_id", "year"])["egenandel"].cumsum()
    paid["ceiling"] = paid["year"].map(ceilings)
    first = paid[paid["total"] >= paid["ceiling"]].groupby(["citizen_id", "year"])["date"].first()
    frikort = data.frikort.set_index(["citizen_id", "year"])["reached_on"]
    assert first.sort_index().equals(frikort.sort_index())
    after = paid.merge(data.frikort, on=["citizen_id", "year"])
    assert (after.loc[after["date"] > after["reached_on"], "charged"] == 0).all()
