"""E-resept histories: dispensings only within a prescription's life, shapes as published (issue #3, §10)."""

from __future__ import annotations

import pandas as pd
import pytest

import helsekit


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def dispensed(data):
    return data.dispensings.merge(
        data.prescriptions[["prescription_id", "prescribed_on", "valid_until", "reit", "discontinued_on", "kind"]], on="prescription_id"
    )


def test_no_dispensing_before_the_prescription_or_after_it_expired_was_stopped_or_ran_out_of_reit(data, dispensed):
    assert (dispensed["dispensed_on"] >= dispensed["prescribed_on"]).all()
    assert (dispensed["dispensed_on"] <= dispensed["valid_until"]).all()
    stopped = dispensed.dropna(subset=["discontinued_on"])
    assert (stopped["dispensed_on"] <= stopped["discontinued_on"]).all()
    per_prescription = dispensed.groupby("prescription_id").size()
    allowed = data.prescriptions.set_index("prescription_id")["reit"] + 1
    assert (per_prescription <= allowed.loc[per_prescription.index]).all()
    assert (dispensed["dispensed_on"] < data.reference_date).all()


def test_a_prescription_is_valid_for_one_year(data):
    rx = data.prescriptions
    expected = rx["prescribed_on"] + pd.DateOffset(years=1) - pd.Timedelta(days=1)
    leap_day = (rx["prescribed_on"].dt.month == 2) & (rx["prescribed_on"].dt.day == 29)
    expected[leap_day] = rx.loc[leap_day, "prescribed_on"] + pd.DateOffset(years=1)  # 29 Feb: through 28 Feb
    assert (rx["valid_until"] == expected).all()  # §10.1


def test_nobody_gets_a_prescription_before_they_are_born(data):
    born = data.register.set_index("id")["birth_date"]
    assert (data.prescriptions["prescribed_on"].to_numpy() >= born.loc[data.prescriptions["citizen_id"]].to_numpy()).all()


def test_only_blue_prescriptions_cost_an_egenandel_and_never_above_the_cap(dispensed):
    assert (dispensed.loc[dispensed["kind"] != "blå", "egenandel"] == 0).all()
    blue = dispensed[dispensed["kind"] == "blå"]
    assert (blue.loc[blue["dispensed_on"] < "2026-01-01", "egenandel"] <= 520).all()  # §2.7
    assert (blue["egenandel"] <= blue["price"]).all()


def test_status_on_the_reference_date_follows_from_the_prescription(data):
    rx = data.prescriptions
    used = data.dispensings.groupby("prescription_id").size().reindex(rx["prescription_id"]).fillna(0).to_numpy()
    expected = pd.Series("active", index=rx.index)
    expected[rx["valid_until"] < data.reference_date] = "expired"
    expected[rx["citizen_id"].isin(data.deceased["id"]).to_numpy()] = "expired"  # a dead person's e-resepter are not active
    expected[used >= rx["reit"] + 1] = "dispensed"
    expected[rx["discontinued_on"].notna()] = "discontinued"
    assert (rx["status"] == expected).all()


def test_about_seven_in_ten_collect_a_prescription_in_a_year_and_women_more_than_men(data):
    year = data.dispensings[data.dispensings["dispensed_on"].dt.year == 2023]
    collected = data.citizens["id"].isin(year["citizen_id"])
    assert collected.mean() == pytest.approx(0.70, abs=0.04)  # reference-statistics §9 (2018)
    women, men = collected[data.citizens["sex"] == "F"].mean(), collected[data.citizens["sex"] == "M"].mean()
    assert women > men
    assert collected[data.citizens["age"] >= 71].mean() > 0.85  # 92–95 % at 70+


def test_dispensings_per_inhabitant_are_within_10_percent_of_the_national_volume(data):
    per_inhabitant = (data.dispensings["dispensed_on"].dt.year == 2024).sum() / len(data.citizens)
    assert per_inhabitant == pytest.approx(70.6e6 / 5_594_340, rel=0.10)  # reference-statistics §9 (2024)


def test_about_one_in_four_adults_reaches_the_frikort_and_far_more_of_the_elderly(data):
    reached = data.frikort[data.frikort["year"] == 2023]["citizen_id"]
    adults = data.citizens[data.citizens["age"] >= 18]
    share = adults["id"].isin(reached).mean()
    assert share == pytest.approx(0.25, abs=0.05)  # domain-facts §2.5; reference-statistics §11 (27 % of adults, 2014)
    elderly = adults[adults["age"] >= 70]
    assert elderly["id"].isin(reached).mean() > 1.5 * share
    assert not data.citizens.loc[data.citizens["age"] < 15, "id"].isin(reached).any()


def test_two_episodes_of_one_chronic_drug_never_overlap(data):
    rx = data.prescriptions[data.prescriptions["kind"] == "blå"].sort_values(["citizen_id", "atc_code", "prescribed_on"])
    same = rx["citizen_id"].eq(rx["citizen_id"].shift()) & rx["atc_code"].eq(rx["atc_code"].shift())
    previous_end = rx["discontinued_on"].shift().fillna(rx["valid_until"].shift())
    assert (rx.loc[same, "prescribed_on"] > previous_end[same] - pd.Timedelta(days=30)).all()
    d = data.dispensings.merge(rx[["prescription_id", "atc_code"]], on="prescription_id")
    assert not d.duplicated(["citizen_id", "atc_code", "dispensed_on"]).any()


def test_drugs_go_only_to_the_sex_and_ages_the_catalogue_allows(data):
    from helsekit.generator import specs

    catalogue = specs.load("prescriptions")["catalogue"]
    rules = pd.DataFrame({"atc_code": catalogue["atc"], "only_sex": catalogue["only_sex"], "min_age": catalogue["min_age"]})
    rx = data.prescriptions.merge(rules, on="atc_code").merge(data.register[["id", "sex", "birth_date"]], left_on="citizen_id", right_on="id")
    assert ((rx["only_sex"] == "") | (rx["only_sex"] == rx["sex"])).all()
    on, born = rx["prescribed_on"], rx["birth_date"]
    age = on.dt.year - born.dt.year - ((on.dt.month < born.dt.month) | ((on.dt.month == born.dt.month) & (on.dt.day < born.dt.day)))
    assert (age >= rx["min_age"]).all()


def test_every_copayment_points_at_the_contact_dispensing_or_appointment_it_pays_for(data):
    paid = data.copayments
    sources = {
        "gp_contact": data.gp_contacts.rename(columns={"contact_id": "key"}),
        "blue_prescription": data.dispensings.rename(columns={"dispensing_id": "key"}),
        "outpatient": data.hospital_appointments.rename(columns={"appointment_id": "key"}),
        "travel": data.travel_claims.rename(columns={"claim_id": "key"}),
    }
    matched = 0
    for source, table in sources.items():
        joined = paid[paid["source"] == source].merge(table[["key", "egenandel"]], left_on="source_id", right_on="key")
        assert (joined["egenandel_x"] == joined["egenandel_y"]).all()
        matched += len(joined)
    assert matched == len(paid)
