"""The deceased: about 7.9 deaths per 1,000 a year (reference-statistics §12), kept in the register
without an address, and nothing happens to them from the day of death on."""

from __future__ import annotations

import pandas as pd
import pytest

import helsekit
from helsekit.generator import specs

# When each event happened, per history table (columns that are deadlines or validity ends are not events).
EVENTS = {
    "gp_contacts": ["start", "booked_at"],
    "prescriptions": ["prescribed_on"],
    "dispensings": ["dispensed_on"],
    "referrals": ["sent_on", "received_on", "assessed_on", "start_of_care"],
    "hospital_appointments": ["start"],
    "copayments": ["date"],
    "frikort": ["reached_on"],
    "appointment_events": ["at"],
    "hospital_documents": ["written_at", "approved_at"],
    "access_log": ["accessed_at"],
    "messages": ["sent_at"],
    "travel_claims": ["trip_date", "submitted_on"],
}


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


def test_about_7_9_per_1000_die_each_year_of_the_window(data):
    per_year = data.deceased["death_date"].dt.year.value_counts()
    assert sorted(per_year.index) == list(range(2015, 2025))
    rate = per_year / len(data.citizens) * 1000
    assert rate.between(7.5, 8.3).all(), rate  # reference-statistics §12: 7.9 per 1,000 in 2024


def test_most_die_old_and_men_younger_than_women(data):
    dead = data.deceased
    assert dead["age"].mean() == pytest.approx(79, abs=3)  # near the life expectancies of §12 (81.6 / 84.8)
    assert dead.loc[dead["sex"] == "M", "age"].mean() < dead.loc[dead["sex"] == "F", "age"].mean()
    assert (dead["age"] >= 67).mean() > 0.7


def test_the_deceased_keep_a_synthetic_person_number_but_no_address_or_contact_details(data):
    dead = data.deceased
    assert dead["person_number"].str[2].isin(["8", "9"]).all()  # §1.8
    assert not dead["person_number"].isin(data.citizens["person_number"]).any()
    assert dead["household_id"].isna().all() and dead["phone"].isna().all() and dead["email"].isna().all()
    assert (dead["death_date"] > dead["birth_date"]).all()


@pytest.mark.parametrize("table", sorted(EVENTS))
def test_nothing_happens_before_birth_or_from_the_day_of_death(data, table):
    frame = getattr(data, table)
    if table == "frikort":
        frame = frame.assign(reached_on=pd.to_datetime(frame["reached_on"]))
    people = frame[["citizen_id"]].merge(data.register[["id", "birth_date", "death_date"]], left_on="citizen_id", right_on="id", how="left")
    assert people["id"].notna().all()
    dead = people["death_date"].notna().to_numpy()
    assert dead.any()
    for column in EVENTS[table]:
        when = frame[column].to_numpy()
        known = ~pd.isna(when)
        day = pd.to_datetime(when).normalize().to_numpy()
        assert (day[known] >= people["birth_date"].to_numpy()[known]).all(), column
        assert (day[known & dead] < people["death_date"].to_numpy()[known & dead]).all(), column


def test_the_deceased_have_no_booked_appointment_ahead(data):
    ahead = data.hospital_appointments[data.hospital_appointments["status"] == "booked"]
    assert not ahead["citizen_id"].isin(data.deceased["id"]).any()
