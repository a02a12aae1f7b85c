"""A scenario planted through ``helsekit generate --scenario``: only the pilot's own rows change, from its start."""

from __future__ import annotations

import pandas as pd
import pytest

import helsekit
from helsekit.cli import main
from helsekit.generator import generate_database
from helsekit.pilots import discover
from helsekit.storage.database import read_meta

SCENARIO = "fastlegetime:phone_bookings_per_listed:-1"  # every phone booking at its offices moves to the portal


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> str:
    db = str(tmp_path_factory.mktemp("planted") / "helsekit.db")
    generate_database("tiny", 42, db, progress=False, scenario=SCENARIO)
    return db


def test_a_planted_scenario_changes_only_the_booking_channel_at_the_pilots_offices_from_its_start(planted, tiny_db):
    pilot = next(p for p in discover()[0] if p.id == "fastlegetime")
    ordinary, changed = helsekit.open(tiny_db).gp_contacts, helsekit.open(planted).gp_contacts
    assert list(ordinary["contact_id"]) == list(changed["contact_id"])  # the same rows: only an outcome moves
    offices = {o.id for o in helsekit.open(tiny_db).organisations.itertuples() if pilot.runs_at(o)}
    assert offices
    affected = ordinary["gp_office_id"].isin(offices) & (pd.to_datetime(ordinary["start"]) >= pd.Timestamp(pilot.started))
    affected &= ordinary["kind"] == "consultation"
    differs = ordinary["booking_channel"].ne(changed["booking_channel"])
    assert differs.any() and not differs[~affected].any()
    assert (changed.loc[affected, "booking_channel"] == "portal").all()
    assert ordinary.drop(columns="booking_channel").equals(changed.drop(columns="booking_channel"))


def test_the_planted_scenario_is_recorded_in_the_database_and_other_histories_stay_the_same(planted, tiny_db):
    assert read_meta(planted)["scenario"] == "fastlegetime:phone_bookings_per_listed:-1"
    assert "scenario" not in read_meta(tiny_db)
    assert helsekit.open(tiny_db).referrals.equals(helsekit.open(planted).referrals)


@pytest.mark.parametrize(("scenario", "field"), [
    ("fastlegetime:-0.3", "scenario"),
    ("atlantis:phone_bookings_per_listed:-0.3", "pilot"),
    ("helse-og-rettigheter:phone_bookings_per_listed:-0.3", "pilot"),  # running, but with no start date
    ("fastlegetime:happiness:-0.3", "metric"),
    ("fastlegetime:phone_bookings_per_listed:lots", "effect"),
    ("fastlegetime:phone_bookings_per_listed:-3", "effect"),
])
def test_a_bad_scenario_is_refused_with_exit_2_naming_the_part_before_anything_is_written(scenario, field, tmp_path, capsys):
    db = tmp_path / "never.db"
    assert main(["generate", "--profile", "tiny", "--db", str(db), "--quiet", "--scenario", scenario]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: scenario {field}" if field != "scenario" else "error: scenario")
    assert not db.exists()


def test_the_report_states_the_planted_truth_only_for_the_pilot_and_metric_it_was_planted_for(planted, tiny_db):
    from helsekit.evaluation.verdict import planted_truth

    assert "−100,0 %" in planted_truth(planted, "fastlegetime", "phone_bookings_per_listed")
    assert planted_truth(planted, "fastlegetime", "no_show_rate") is None
    assert planted_truth(planted, "e-konsultasjon", "phone_bookings_per_listed") is None
    assert planted_truth(tiny_db, "fastlegetime", "phone_bookings_per_listed") is None
