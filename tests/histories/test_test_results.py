"""Test results (prøvesvar): samples come from attended GP consultations and outpatient appointments, only
the catalogue's tests with its units and ranges, kodeverk 8245 status codes, flags against the range, and an
eGFR that is the CKD-EPI 2009 value of the same sample's kreatinin (recomputed here from the published
equation, one row at a time)."""

from __future__ import annotations

import pandas as pd
import pytest

import helsekit
from helsekit.generator import specs

SPEC = specs.load("test_results")
CATALOGUE = {t["code"]: t for t in SPEC["test"]}


@pytest.fixture(scope="module")
def data(tiny_db):
    return helsekit.open(tiny_db)


@pytest.fixture(scope="module")
def results(data):
    people = data.register[["id", "birth_date", "sex"]]
    return data.test_results.merge(people, left_on="citizen_id", right_on="id", how="left")


def _age(born: pd.Timestamp, day: pd.Timestamp) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def test_gp_samples_come_from_attended_consultations_and_hospital_samples_from_attended_appointments(data, results):
    gp = data.gp_contacts.set_index("contact_id")
    from_gp = results[results["ordered_by"] == "fastlege"]
    contacts = gp.loc[from_gp["contact_id"].astype("int64")]
    assert (contacts["kind"] == "consultation").all() and (contacts["status"] == "attended").all()
    assert (contacts["citizen_id"].to_numpy() == from_gp["citizen_id"].to_numpy()).all()
    assert (contacts["start"].to_numpy() == from_gp["taken_at"].to_numpy()).all()
    hospital = data.hospital_appointments.set_index("appointment_id")
    from_hospital = results[results["ordered_by"] == "sykehus"]
    appointments = hospital.loc[from_hospital["appointment_id"].astype("int64")]
    assert len(from_hospital) and (appointments["status"] == "attended").all()
    assert (appointments["citizen_id"].to_numpy() == from_hospital["citizen_id"].to_numpy()).all()


def test_every_result_is_a_catalogue_test_with_its_unit_and_the_range_of_the_patients_sex(results):
    assert set(results["test"]) == set(CATALOGUE)
    for row in results.itertuples():
        test = CATALOGUE[row.test]
        assert row.unit == test["unit"] and row.name == test["name"]
        low, high = test["reference"][0 if row.sex == "F" else 1]
        assert (pd.isna(row.reference_low) and low == -1) or row.reference_low == low
        assert (pd.isna(row.reference_high) and high == -1) or row.reference_high == high
        assert _age(row.birth_date, row.taken_at) >= test["from_age"]


def test_status_codes_are_from_kodeverk_8245_and_only_results_in_process_lack_a_value(data, results):
    assert set(results["status"]) <= {"1", "2", "3", "15"}
    names = {"1": "Revidert", "2": "Foreløpig", "3": "Endelig", "15": "I prosess"}  # HL7Norway no-kodeverk-8245
    assert (results["status"].map(names) == results["status_name"]).all()
    in_process = results["status"] == "15"
    assert results.loc[in_process, "value"].isna().all() and results.loc[~in_process, "value"].notna().all()
    assert (results.loc[~in_process, "resulted_at"] < data.reference_date).all()
    assert (results.loc[~in_process, "resulted_at"] > results.loc[~in_process, "taken_at"]).all()


def test_the_flag_says_whether_the_value_is_below_or_above_the_reference_range(results):
    done = results[results["value"].notna()]
    below = done["reference_low"].notna() & (done["value"] < done["reference_low"])
    above = done["reference_high"].notna() & (done["value"] > done["reference_high"])
    expected = pd.Series(None, index=done.index, dtype=object).mask(below, "L").mask(above, "H")
    assert (done["flag"].fillna("-") == expected.fillna("-")).all()
    assert (done["flag"] == "H").any() and done["flag"].isna().mean() > 0.5


def test_egfr_is_the_ckd_epi_2009_value_of_the_same_samples_kreatinin(results):
    key = ["citizen_id", "taken_at"]
    kreatinin = results[results["test"] == "kreatinin"].set_index(key)
    egfr = results[results["test"] == "egfr"].set_index(key)
    assert len(egfr) == len(kreatinin) > 0
    for (citizen, taken), row in egfr.dropna(subset=["value"]).iterrows():
        scr = kreatinin.loc[(citizen, taken), "value"] / 88.4
        female = row["sex"] == "F"
        kappa, alpha = (0.7, -0.329) if female else (0.9, -0.411)
        expected = 141 * min(scr / kappa, 1) ** alpha * max(scr / kappa, 1) ** -1.209 * 0.993 ** _age(row["birth_date"], taken)
        expected *= 1.018 if female else 1
        assert abs(row["value"] - expected) <= 0.5


def test_result_ids_are_unique_and_results_are_stored_by_citizen_and_time(results):
    assert results["result_id"].is_unique
    assert (results["result_id"] // 10_000 == results["citizen_id"]).all()
    assert results[["citizen_id", "taken_at"]].apply(tuple, axis=1).is_monotonic_increasing
