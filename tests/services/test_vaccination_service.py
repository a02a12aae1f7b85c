"""Vaksiner and Prøvesvar on Min helse: a parent sees a child's vaccinations until the child turns 16 (§3.2),
a young person of 13–15 sees their own (§3.4), test results are not for parents of 12–15; every read lands in
the subject's log of use and a refused read writes nothing; the influenza reminder goes to the target group
without this season's dose, in the season only."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from helsekit.services import access_log, kjernejournal, overview, policy, test_results, vaccinations
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

NOON = dt.time(12, 0)


def _sixteenth_birthday(born: pd.Timestamp) -> dt.date:
    day = born.date()
    return day.replace(year=day.year + 16) if (day.month, day.day) != (2, 29) else dt.date(day.year + 16, 3, 1)




@pytest.fixture(scope="module")
def turned_16(data):
    """A parent living with a child who turned 16 in the year before the reference date (foreldreansvar)."""
    pairs = data.parental_access
    pairs = pairs[(pairs["child_age"] == 16) & pairs["foreldreansvar"] & pairs["parent_at_childs_address"]]
    born = data.citizens.set_index("id").loc[pairs["child_id"], "birth_date"]
    pair = pairs.iloc[0]
    return int(pair.parent_id), int(pair.child_id), _sixteenth_birthday(born.iloc[0])


def test_a_parent_sees_a_15_year_olds_vaccinations_and_not_from_the_16th_birthday(db, data, turned_16):
    parent, child, birthday = turned_16
    doses = data.vaccinations[data.vaccinations["citizen_id"] == child]
    the_day_before = dt.datetime.combine(birthday - dt.timedelta(days=1), NOON)
    with Session(engine_for(db)) as session:
        seen = vaccinations.view(session, Actor(parent, child), the_day_before)
        assert {v.vaccination_id for v in seen.vaccinations} == set(doses.loc[doses["given_on"] <= pd.Timestamp(the_day_before.date()), "vaccination_id"])
        with pytest.raises(policy.AccessDenied) as refused:
            vaccinations.view(session, Actor(parent, child), dt.datetime.combine(birthday, NOON))
    assert refused.value.field == "§3.2" and "16" in refused.value.message_nb


def test_every_read_lands_in_the_subjects_log_and_a_refused_read_writes_nothing(db, data, turned_16):
    parent, child, birthday = turned_16
    before = dt.datetime.combine(birthday - dt.timedelta(days=1), NOON)
    with Session(engine_for(db)) as session:
        vaccinations.view(session, Actor(parent, child), before)
        with pytest.raises(policy.AccessDenied):
            test_results.view(session, Actor(parent, child), before)  # not for parents of 12–15
        with pytest.raises(policy.AccessDenied):
            vaccinations.view(session, Actor(parent, child), dt.datetime.combine(birthday, NOON))
        reads = kjernejournal.reads(session, child)
    assert [(r.actor_id, r.record, r.basis, r.read_at) for r in reads] == [(parent, "vaksiner", "parent", before)]


def test_a_citizens_own_reads_of_vaccinations_and_test_results_are_both_in_the_log_of_use(db, data):
    profiles = data.helsenorge_profiles
    adults = data.citizens.loc[(data.citizens["age"] >= 40) & (data.citizens["address_protection"] == "none"), "id"]
    me = int(profiles.loc[profiles["consent_level"].isin(["basis", "full"]) & profiles["citizen_id"].isin(adults), "citizen_id"].iloc[0])
    now = dt.datetime(2025, 1, 1, 12)
    with Session(engine_for(db)) as session:
        vaccinations.view(session, Actor(me), now)
        test_results.view(session, Actor(me), now)
        log = access_log.view(session, Actor(me), now)
    mine = [(e.record, e.basis) for e in log.entries if e.source == access_log.MIN_HELSE]
    assert sorted(mine) == [("prøvesvar", "self"), ("vaksiner", "self")]


def test_a_young_person_of_14_sees_their_own_vaccinations_but_not_their_test_results(db, data):
    young = int(data.citizens.loc[(data.citizens["age"] == 14) & (data.citizens["address_protection"] == "none"), "id"].iloc[0])
    now = dt.datetime(2025, 1, 1, 12)
    with Session(engine_for(db)) as session:
        assert vaccinations.view(session, Actor(young), now).subject_id == young
        with pytest.raises(policy.AccessDenied) as refused:
            test_results.view(session, Actor(young), now)
    assert refused.value.field == "§3.4"


def _flu_doses_since(data, day: str) -> set[int]:
    v = data.vaccinations
    return set(v.loc[(v["vaccine"] == "influenza") & (v["given_on"] >= pd.Timestamp(day)), "citizen_id"])


def test_the_influenza_reminder_goes_to_people_of_65_or_more_without_this_seasons_dose_and_only_in_the_season(db, data):
    old = data.citizens[(data.citizens["age"] >= 70) & (data.citizens["address_protection"] == "none")]
    vaccinated = _flu_doses_since(data, "2024-10-01")
    unvaccinated = int(old.loc[~old["id"].isin(vaccinated), "id"].iloc[0])
    done = int(old.loc[old["id"].isin(vaccinated), "id"].iloc[0])
    with Session(engine_for(db)) as session:
        reminder = vaccinations.influenza_reminder(session, unvaccinated, dt.date(2025, 1, 1))
        assert reminder == vaccinations.InfluenzaReminder(2024, "age_65_or_over", dt.date(2024, 10, 1))
        assert vaccinations.influenza_reminder(session, done, dt.date(2025, 1, 1)) is None
        assert vaccinations.influenza_reminder(session, unvaccinated, dt.date(2024, 6, 1)) is None  # outside the season
        assert vaccinations.influenza_reminder(session, unvaccinated, dt.date(2025, 3, 1)) is None  # the season's reminders end 1 March


def test_no_reminder_for_an_adult_under_65_without_a_risk_prescription(db, data):
    risky = set(data.prescriptions.loc[data.prescriptions["atc_code"].isin(["A10AE04", "A10BA02", "R03AK06", "B01AF02", "C03CA01", "L04AB04"]),
                                       "citizen_id"])
    adult = int(data.citizens.loc[data.citizens["age"].between(30, 50) & ~data.citizens["id"].isin(risky), "id"].iloc[0])
    with Session(engine_for(db)) as session:
        assert vaccinations.influenza_reminder(session, adult, dt.date(2024, 11, 1)) is None


def test_test_results_are_shown_once_reported_and_those_in_process_without_a_value(db, data):
    results = data.test_results
    profiles = data.helsenorge_profiles
    allowed = set(profiles.loc[profiles["consent_level"].isin(["basis", "full"]), "citizen_id"])
    subject = int(results.loc[results["citizen_id"].isin(allowed) & results["citizen_id"].isin(data.citizens["id"]), "citizen_id"].iloc[0])
    rows = results[results["citizen_id"] == subject]
    taken = rows["taken_at"].iloc[len(rows) // 2]
    now = (taken + pd.Timedelta(minutes=1)).to_pydatetime()  # just after a sample: its result is not reported yet
    with Session(engine_for(db)) as session:
        seen = test_results.view(session, Actor(subject), now)
    assert {r.result_id for r in seen.results} == set(rows.loc[rows["taken_at"] <= taken, "result_id"])
    waiting = [r for r in seen.results if r.status == "15"]
    expected_waiting = rows[(rows["taken_at"] <= taken) & ~(rows["resulted_at"] <= taken + pd.Timedelta(minutes=1))]
    assert {r.result_id for r in waiting} == set(expected_waiting["result_id"]) and all(r.value is None for r in waiting)
    assert len(waiting) >= 1


def test_the_overview_counts_results_reported_in_the_last_30_days_and_hides_them_from_a_parent_of_a_13_year_old(db, data):
    results = data.test_results
    profiles = data.helsenorge_profiles
    allowed = set(profiles.loc[profiles["consent_level"].isin(["basis", "full"]), "citizen_id"]) & set(data.citizens["id"])
    subject = int(results.loc[results["citizen_id"].isin(allowed), "citizen_id"].iloc[-1])
    reported = results.loc[results["citizen_id"] == subject, "resulted_at"].dropna()
    now = (reported.iloc[-1] + pd.Timedelta(days=3)).to_pydatetime()
    expected = int(((reported > pd.Timestamp(now) - pd.Timedelta(days=30)) & (reported <= pd.Timestamp(now))).sum())
    pairs = data.parental_access
    pair = pairs[(pairs["child_age"] == 13) & (pairs["access"] == "begrenset")].iloc[0]
    with Session(engine_for(db)) as session:
        assert overview.overview(session, Actor(subject), now, registry=[]).new_test_results == expected >= 1
        seen = overview.overview(session, Actor(int(pair.parent_id), int(pair.child_id)), dt.datetime(2025, 1, 1, 12), registry=[])
    assert seen.new_test_results is None and "test_results" in seen.hidden and "vaccinations" not in seen.hidden
