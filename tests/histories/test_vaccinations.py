"""Vaccinations follow the programme's ages (issue #9): every childhood dose is given at or after the age the
schedule of vaccinations.toml names, within the spec's delay, only to the cohorts and sex the programme covers;
influenza doses go to the target group in the autumn. Ages are recomputed here with the standard library's
dates (calendar months), not with the generator's numpy code."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
import pytest

import helsekit
from helsekit.generator import specs

SPEC = specs.load("vaccinations")


def _add_age(born: dt.date, age: str) -> dt.date:
    """``born`` plus an age like "12 years 6 months" or "6 weeks", month by month on the calendar."""
    words = age.split()
    months = sum(int(n) * (12 if unit.startswith("year") else 1) for n, unit in zip(words[::2], words[1::2]) if not unit.startswith("week"))
    weeks = sum(int(n) for n, unit in zip(words[::2], words[1::2]) if unit.startswith("week"))
    year, month = divmod(born.month - 1 + months, 12)
    year += born.year
    day = min(born.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day) + dt.timedelta(weeks=weeks)


def _entries(vaccine: str, sex: str) -> list[dict]:
    return [e for e in SPEC["childhood"] if e["vaccine"] == vaccine and e.get("sex", sex) == sex]


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def doses(data):
    people = data.register[["id", "birth_date", "death_date", "sex"]]
    return data.vaccinations.merge(people, left_on="citizen_id", right_on="id", how="left")


def test_every_childhood_dose_is_given_at_the_programmes_age_within_the_allowed_delay(doses):
    delay = SPEC["delay"]
    child = doses[doses["programme"] == "barnevaksinasjonsprogrammet"]
    assert len(child) > 1000
    checked = 0
    for entry in SPEC["childhood"]:
        born = child["birth_date"]
        mine = (child["vaccine"] == entry["vaccine"]) & (born >= pd.Timestamp(entry.get("born_from", "1900-01-01")))
        mine &= (born < pd.Timestamp(entry.get("born_before", "2100-01-01"))) & (child["sex"] == entry.get("sex", child["sex"]))
        first_due = born[mine].map(lambda b: _add_age(b.date(), entry["ages"][0]))
        assert (first_due >= dt.date.fromisoformat(entry["given_from"])).all()  # only courses begun in the programme
        for number, age in enumerate(entry["ages"], start=1):
            rows = child[mine & (child["dose"] == number)]
            due = rows["birth_date"].map(lambda b: _add_age(b.date(), age))
            late = (rows["given_on"].dt.date - due).map(lambda d: d.days)
            school = number >= entry.get("school_from_dose", 99)
            cap = delay["rotavirus_max_days"] if entry["vaccine"] == "rotavirus" else delay["school_max_days" if school else "infant_max_days"]
            assert late.between(0, cap).all(), (entry["vaccine"], number, late.min(), late.max())
            assert (rows["given_at"] == ("skolehelsetjenesten" if school else "helsestasjon")).all()
            checked += len(rows)
    assert checked == len(child)  # every dose belongs to one entry of the schedule


def test_childhood_doses_only_for_children_in_the_register_and_hpv_for_boys_only_from_2018(doses):
    child = doses[doses["programme"] == "barnevaksinasjonsprogrammet"]
    assert (child["birth_date"] >= pd.Timestamp(SPEC["register"]["born_from"])).all()
    boys_hpv = child[(child["vaccine"] == "hpv") & (child["sex"] == "M")]
    assert len(boys_hpv) and (boys_hpv["given_on"] >= pd.Timestamp("2018-09-01")).all()
    assert not ((child["vaccine"] == "rotavirus") & (child["given_on"] < pd.Timestamp("2014-10-01"))).any()
    six_in_one = child[child["vaccine"] == "dtp_ipv_hib_hepb"]
    assert (six_in_one["birth_date"] >= pd.Timestamp("2016-11-01")).all()


def test_doses_of_a_course_come_in_order_and_a_later_dose_never_without_the_earlier(doses):
    child = doses[doses["programme"] == "barnevaksinasjonsprogrammet"].sort_values(["citizen_id", "vaccine", "dose"])
    course = child.groupby(["citizen_id", "vaccine"], sort=False)
    assert (child["dose"] == course.cumcount() + 1).all()  # 1, 2, 3 … with no gap
    assert (course["given_on"].diff().dropna() > pd.Timedelta(0)).all()  # each dose after the one before


def test_no_dose_is_given_before_birth_after_death_or_after_the_reference_date(data, doses):
    assert (doses["given_on"] >= doses["birth_date"]).all()
    died = doses["death_date"].notna()
    assert (doses.loc[died, "given_on"] < doses.loc[died, "death_date"]).all()
    assert (doses["given_on"] < data.reference_date).all()


def test_coverage_of_the_first_mmr_dose_matches_the_spec_among_children_old_enough(data, doses):
    people = data.citizens
    ref = data.reference_date.date()
    eligible = people[(people["birth_date"] >= pd.Timestamp("1996-01-01"))
                      & people["birth_date"].map(lambda b: _add_age(b.date(), "15 months") + dt.timedelta(days=60) < ref)]
    had = eligible["id"].isin(doses.loc[(doses["vaccine"] == "mmr") & (doses["dose"] == 1), "citizen_id"])
    assert len(eligible) > 5000
    (mmr,) = _entries("mmr", "F")
    assert abs(had.mean() - mmr["coverage"][0]) < 0.015


def test_influenza_doses_are_given_in_the_autumn_to_the_target_group(data, doses):
    flu = doses[doses["programme"] == "influensavaksinasjon"]
    assert len(flu) > 1000 and (flu["given_on"].dt.month >= 10).all()
    assert flu.groupby(["citizen_id", flu["given_on"].dt.year]).size().max() == 1  # one dose a season
    oct_first = pd.to_datetime(flu["given_on"].dt.year.astype(str) + "-10-01")
    age = oct_first.dt.year - flu["birth_date"].dt.year - (flu["birth_date"].dt.month >= 10) * (
        (flu["birth_date"].dt.month > 10) | (flu["birth_date"].dt.day > 1))
    young = flu[age < 65]
    risk = data.prescriptions[data.prescriptions["atc_code"].isin(specs.load("messages")["influenza"]["risk_atc"])]
    assert young["citizen_id"].isin(risk["citizen_id"]).all()  # under 65 only with a risk drug
    assert (age >= 65).mean() > 0.5
    assert flu["gp_office_id"].notna().mean() > 0.95
