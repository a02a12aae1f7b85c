"""Helsestasjon and skolehelsetjenesten follow the programme's ages (issue #9): every appointment is at or after
the age health_station.toml names for its contact, within the spec's delay, on a weekday; every child has each
contact due in the window exactly once; coming appointments are planned. Ages are recomputed here with
dateutil's calendar arithmetic, not with the generator's numpy code."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta

import helsekit
from helsekit.generator import specs

SPEC = specs.load("health_station")
WEEKEND_SHIFT = 2  # a Saturday or Sunday moves to Monday


def _age(age: str) -> relativedelta:
    words = age.split()
    return relativedelta(**{unit if unit.endswith("s") else unit + "s": int(n) for n, unit in zip(words[::2], words[1::2])})


def _due(births: pd.Series, age: str) -> pd.Series:
    """Each birth date plus ``age``, computed once per distinct date."""
    step = _age(age)
    return births.map({born: pd.Timestamp(born.date() + step) for born in births.unique()})


def _max_delay(programme: str) -> int:
    delay = SPEC["delay"]
    return (delay["health_station_max_days"] if programme == "helsestasjon" else delay["school_max_days"]) + WEEKEND_SHIFT


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def rows(data):
    people = data.register[["id", "birth_date", "death_date"]]
    return data.health_station_appointments.merge(people, left_on="citizen_id", right_on="id", how="left")


def test_every_appointment_is_at_or_after_its_contacts_age_within_the_delay_on_a_weekday(rows):
    assert len(rows) > 1000
    ages = {c["code"]: (c["age"], c["programme"]) for c in SPEC["contact"]}
    for code, group in rows.groupby("contact"):
        age, programme = ages[code]
        assert (group["programme"] == programme).all() and (group["age"] == age).all()
        due = _due(group["birth_date"], age)
        late = (group["starts_at"].dt.normalize() - due).dt.days
        assert late.min() >= 0, code
        assert late.max() <= _max_delay(programme), code
    assert (rows["starts_at"].dt.day_of_week < 5).all()


def test_every_living_child_has_each_contact_due_in_the_window_exactly_once(data, rows):
    reference = pd.Timestamp(data.reference_date)
    start = pd.Timestamp(dt.date(reference.year - specs.load("histories")["window"]["years"], 1, 1))
    living = data.citizens[["id", "birth_date"]]
    living = living[living["birth_date"] >= start - pd.DateOffset(years=14)]
    counted = rows.groupby(["citizen_id", "contact"]).size()
    assert counted.max() == 1
    checked = 0
    for contact in SPEC["contact"]:
        due = _due(living["birth_date"], contact["age"])
        # Surely in the window: due after its start, and due with the longest delay still before the reference date.
        sure = living.loc[(due >= start) & (due + pd.Timedelta(days=_max_delay(contact["programme"])) < reference), "id"]
        have = set(rows.loc[rows["contact"] == contact["code"], "citizen_id"])
        assert set(sure) <= have, contact["code"]
        checked += len(sure)
    assert checked > 1000


def test_appointments_from_the_reference_date_are_planned_within_the_horizon_and_earlier_ones_attended_or_not(data, rows):
    reference = pd.Timestamp(data.reference_date)
    coming = rows["starts_at"] >= reference
    assert coming.sum() > 100
    assert (rows.loc[coming, "status"] == "planlagt").all()
    assert (rows.loc[coming, "starts_at"] < reference + pd.Timedelta(days=SPEC["booking"]["horizon_days"])).all()
    assert rows.loc[~coming, "status"].isin(["gjennomført", "ikke_møtt"]).all()
    attended = (rows.loc[~coming, "status"] == "gjennomført").mean()
    assert abs(attended - SPEC["booking"]["attended_share"]) < 0.02
