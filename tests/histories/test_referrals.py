"""Referrals: statuses in allowed order, the 10-working-day assessment, waits and fristbrudd (§6, §7, §12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helsekit
from helsekit.domain.calendar import working_days
from helsekit.generator import specs

# Which status may follow which (domain-facts §6.1).
NEXT = {
    "Til vurdering": {"Vurdering pågår", "Vurdert"},
    "Vurdering pågår": {"Vurdert"},
    "Vurdert": {"Time tildelt", "Videresendt", "Avvist"},
    "Time tildelt": {"Behandling pågår"},
    "Behandling pågår": {"Behandling avsluttet"},
    "Behandling avsluttet": {"Avsluttet"},
}


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


def test_statuses_come_only_in_allowed_orders_and_dates(data):
    s = data.referral_statuses
    same = s["referral_id"].eq(s["referral_id"].shift(-1))
    pairs = pd.DataFrame({"now": s["status"], "next": s["status"].shift(-1), "at": s["at"], "next_at": s["at"].shift(-1)})[same]
    assert all(nxt in NEXT.get(now, set()) for now, nxt in zip(pairs["now"], pairs["next"]))
    assert (pairs["next_at"] >= pairs["at"]).all()
    assert (s.groupby("referral_id")["status"].first() == "Til vurdering").all()
    assert (s["at"] < data.reference_date).all()


def test_the_current_status_is_the_last_one_reached(data):
    last = data.referral_statuses.groupby("referral_id")["status"].last()
    assert (data.referrals.set_index("referral_id")["status"] == last).all()


def test_referrals_are_assessed_within_10_working_days_nearly_always(data):
    r = data.referrals
    calendar = working_days(2014, 2026)
    days = np.busday_count(r["received_on"].to_numpy().astype("datetime64[D]"), r["assessed_on"].to_numpy().astype("datetime64[D]"), busdaycal=calendar)
    assert (days >= 1).all()
    assert (days <= 10).mean() == pytest.approx(1 - specs.load("referrals")["assessment"]["late_share"], abs=0.01)  # §6.4


def test_only_a_right_to_care_gets_a_deadline_and_a_start_and_the_start_follows_assessment(data):
    r = data.referrals.merge(data.register[["id", "death_date"]], left_on="citizen_id", right_on="id")
    right = r["outcome"] == "rett_til_helsehjelp"
    assert r.loc[right, "legal_deadline"].notna().all()
    assert r.loc[~right, ["legal_deadline", "start_of_care"]].isna().all().all()
    no_start = right & r["start_of_care"].isna()
    assert (r.loc[no_start, "death_date"].notna()).all()  # only death comes before the start of care
    right = right & ~no_start
    assert (r.loc[right, "start_of_care"] > r.loc[right, "assessed_on"]).all()
    assert (r.loc[right, "legal_deadline"] >= r.loc[right, "assessed_on"]).all()


def test_fristbrudd_is_a_start_after_the_deadline_and_helfo_is_told(data):
    r = data.referrals[(data.referrals["outcome"] == "rett_til_helsehjelp") & data.referrals["start_of_care"].notna()]
    assert (r["fristbrudd"] == (r["start_of_care"] > r["legal_deadline"])).all()
    assert r.loc[r["fristbrudd"], "helfo_notified_on"].gt(r.loc[r["fristbrudd"], "legal_deadline"]).all()
    assert r.loc[~r["fristbrudd"], "helfo_notified_on"].isna().all()
    recent = r[r["received_on"].dt.year.isin([2022, 2023])]
    assert recent["fristbrudd"].mean() == pytest.approx(0.055, abs=0.015)  # reference-statistics §10


def test_waiting_times_by_sector_match_the_published_means(data):
    r = data.referrals[(data.referrals["outcome"] == "rett_til_helsehjelp") & data.referrals["pathway"].isna()]
    r = r[r["received_on"].dt.year == 2024]
    wait = (r["start_of_care"] - r["received_on"]).dt.days
    published = {"somatikk": 82, "psykisk_helsevern_voksne": 50, "psykisk_helsevern_barn_og_unge": 45, "tsb": 28}  # reference-statistics §10
    for sector, days in published.items():
        assert wait[r["sector"] == sector].mean() == pytest.approx(days, rel=0.15), sector


def test_young_people_in_mental_health_care_get_a_deadline_within_65_working_days(data):
    r = data.referrals.merge(data.register[["id", "birth_date"]], left_on="citizen_id", right_on="id")
    young = r[(r["sector"] != "somatikk") & (r["outcome"] == "rett_til_helsehjelp")
              & ((r["received_on"] - r["birth_date"]).dt.days < 23 * 365.25 - 2)]
    calendar = working_days(2014, 2026)
    days = np.busday_count(young["received_on"].to_numpy().astype("datetime64[D]"), young["legal_deadline"].to_numpy().astype("datetime64[D]"), busdaycal=calendar)
    assert (days <= 65).all()  # domain-facts §6.4


def test_most_cancer_pathways_start_within_the_standard_time(data):
    r = data.referrals.dropna(subset=["pathway"])
    standard = dict(zip(specs.load("referrals")["pathways"]["name"], specs.load("referrals")["pathways"]["standard_days"]))
    within = (r["start_of_care"] - r["received_on"]).dt.days <= r["pathway"].map(standard)
    assert len(r) > 30
    assert within.mean() == pytest.approx(0.72, abs=0.12)  # §12.1: at least 70 % is the target


def test_outpatient_appointments_follow_the_start_of_care_and_children_pay_nothing(data):
    a = data.hospital_appointments.merge(data.referrals[["referral_id", "start_of_care"]], on="referral_id")
    assert (a["start"].dt.normalize() >= a["start_of_care"]).all()
    assert (a.loc[a["status"] != "attended", "egenandel"] == 0).all()
    assert (a.loc[a["start"] >= data.reference_date, "status"] == "booked").all()
    born = data.register.set_index("id")["birth_date"]
    sixteen = born.loc[a["citizen_id"]].to_numpy() + np.timedelta64(16 * 365 + 4, "D")
    assert (a.loc[a["start"].to_numpy() < sixteen - np.timedelta64(8, "D"), "egenandel"] == 0).all()
