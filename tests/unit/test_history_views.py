"""History views (helsekit.analytics.history): each test names the rule it checks, on the `tiny` database.

Expectations are computed independently, from the raw history DataFrames with plain Python dates and loops.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tomllib
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import helsekit
from helsekit import config
from helsekit.analytics import history

YEARS = [2019, 2023]  # one year with the 200 kr refund minimum (before 2022) and one without
BANDS = [("0–15", 0, 15), ("16–29", 16, 29), ("30–49", 30, 49), ("50–66", 50, 66), ("67–79", 67, 79), ("80+", 80, 999)]
CONTACT_WHAT = {("consultation", "attended"): "Konsultasjon hos fastlege", ("e_consultation", "attended"): "E-konsultasjon",
                ("consultation", "no_show"): "Uteblitt time", ("consultation", "cancelled"): "Avbestilt time"}


@pytest.fixture(scope="module")
def data(tiny_db):
    return helsekit.open(tiny_db)


@pytest.fixture(scope="module")
def timelines(data):
    return {int(cid): history.citizen_timeline(data, int(cid)) for cid in data.register["id"]}


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birth_dates(data) -> dict[int, dt.date]:
    return {int(cid): born.date() for cid, born in zip(data.register["id"], data.register["birth_date"])}


def death_dates(data) -> dict[int, dt.date]:
    dead = data.deceased
    return {int(cid): died.date() for cid, died in zip(dead["id"], dead["death_date"])}


def band_of(age: int) -> str:
    return next(name for name, low, high in BANDS if low <= age <= high)


def ceilings_from_the_spec() -> dict[int, int]:
    with (config.SPECS_DIR / "copayments.toml").open("rb") as f:
        ceiling = tomllib.load(f)["ceiling"]
    return dict(zip(ceiling["year"], ceiling["amount"]))


def test_timeline_is_in_time_order_and_covers_every_contact_and_dispensing_of_the_citizen(data, timelines):
    drug_of = dict(zip(data.prescriptions["prescription_id"], data.prescriptions["drug"]))
    for cid, timeline in timelines.items():
        assert list(timeline.columns) == ["when", "what", "detail", "egenandel"]
        days = timeline["when"].dt.normalize()
        assert days.is_monotonic_increasing, cid
        contacts = timeline[timeline["what"].isin(CONTACT_WHAT.values())]
        assert contacts["when"].is_monotonic_increasing, cid  # contacts keep their clock order
        raw = data.gp_contacts[data.gp_contacts["citizen_id"] == cid]
        expected = Counter(CONTACT_WHAT[(k, s)] for k, s in zip(raw["kind"], raw["status"]))
        rx = data.prescriptions[data.prescriptions["citizen_id"] == cid]
        disp = data.dispensings[data.dispensings["citizen_id"] == cid]
        expected["Resept skrevet"] += len(rx)
        expected["Resept utlevert på apotek"] += len(disp)
        expected["Resept seponert"] += int(rx["discontinued_on"].notna().sum())
        expected["Frikort"] += int((data.frikort["citizen_id"] == cid).sum())
        referrals = data.referrals.loc[data.referrals["citizen_id"] == cid, "referral_id"]
        for status in data.referral_statuses.loc[data.referral_statuses["referral_id"].isin(referrals), "status"]:
            expected[f"Henvisning: {status}"] += 1
        hospital = {"attended": "Time på sykehus", "no_show": "Uteblitt sykehustime", "booked": "Bestilt sykehustime"}
        for status in data.hospital_appointments.loc[data.hospital_appointments["citizen_id"] == cid, "status"]:
            expected[hospital[status]] += 1
        expected["Pasientreise"] += int((data.travel_claims["citizen_id"] == cid).sum())
        assert Counter(timeline["what"]) == +expected, cid
        assert sorted(contacts["when"]) == sorted(raw["start"])
        dispensed = timeline[timeline["what"] == "Resept utlevert på apotek"]
        assert sorted(dispensed["when"]) == sorted(disp["dispensed_on"])
        assert sorted(d.split(" (")[0] for d in dispensed["detail"]) == sorted(drug_of[p] for p in disp["prescription_id"])


def test_timeline_charges_exactly_what_the_copayments_charged_day_by_day(data, timelines):
    for cid, timeline in timelines.items():
        pays = data.copayments[data.copayments["citizen_id"] == cid]
        expected = {day.date(): total for day, total in pays.groupby("date")["charged"].sum().items() if total}
        charged = timeline.dropna(subset=["egenandel"])
        got = {day.date(): total for day, total in charged.groupby(charged["when"].dt.normalize())["egenandel"].sum().items() if total}
        assert got == expected, cid
        assert timeline["detail"].str.contains("dekket av frikort").sum() == int(pays["frikort"].sum()), cid


def test_timeline_marks_no_egenandel_on_missed_appointments_written_prescriptions_or_the_frikort(timelines):
    everything = pd.concat(timelines.values())
    missed = everything[everything["what"].isin(["Uteblitt time", "Avbestilt time"])]
    assert (missed["egenandel"] == 0).all()
    assert everything.loc[everything["what"].isin(["Resept skrevet", "Resept seponert", "Frikort"]), "egenandel"].isna().all()


def test_timeline_of_someone_without_history_is_empty_with_the_same_columns(data):
    timeline = history.citizen_timeline(data, -1)
    assert timeline.empty
    assert list(timeline.columns) == ["when", "what", "detail", "egenandel"]


@pytest.mark.parametrize("year", YEARS)
def test_frikort_statistics_count_every_citizen_once(data, year):
    stats = history.frikort_statistics(data, year)
    born, died = birth_dates(data), death_dates(data)
    present = [cid for cid, day in born.items() if day <= dt.date(year, 12, 31) and died.get(cid, dt.date.max) >= dt.date(year, 1, 1)]
    assert list(stats.index) == [name for name, _, _ in BANDS]
    assert stats["innbyggere"].sum() == len(present)
    expected = Counter(band_of(max(age_on(born[cid], dt.date(year, 7, 1)), 0)) for cid in present)
    assert stats["innbyggere"].to_dict() == {name: expected[name] for name, _, _ in BANDS}
    assert stats["med_frikort"].sum() == int((data.frikort["year"] == year).sum())


@pytest.mark.parametrize("year", YEARS)
def test_frikort_statistics_median_paid_share_and_refunds_follow_the_raw_payments(data, year):
    stats = history.frikort_statistics(data, year)
    born, died = birth_dates(data), death_dates(data)
    pays = data.copayments[data.copayments["date"].dt.year == year]
    paid = pays.groupby("citizen_id")["charged"].sum().to_dict()
    frikort = data.frikort[data.frikort["year"] == year]
    refund = dict(zip(frikort["citizen_id"], frikort["refund"]))
    for name, low, high in BANDS:
        members = [cid for cid, day in born.items()
                   if day <= dt.date(year, 12, 31) and died.get(cid, dt.date.max) >= dt.date(year, 1, 1)
                   and low <= max(age_on(day, dt.date(year, 7, 1)), 0) <= high]
        row = stats.loc[name]
        assert row["med_frikort"] == sum(cid in refund for cid in members)
        if members:
            assert row["andel_frikort"] == pytest.approx(row["med_frikort"] / len(members))
            assert row["median_betalt_kr"] == statistics.median(paid.get(cid, 0) for cid in members)
        assert row["refusjon_kr"] == sum(refund.get(cid, 0) for cid in members)


def test_nobody_reaches_the_frikort_before_turning_16(data):
    born = birth_dates(data)
    for cid, reached in zip(data.frikort["citizen_id"], data.frikort["reached_on"]):
        assert age_on(born[int(cid)], reached.date()) >= 16, cid


@pytest.mark.parametrize("year", YEARS)
def test_nobody_under_16_reaches_the_frikort_in_the_statistics_unless_they_turned_16_after_1_july(data, year):
    born = birth_dates(data)
    holders = data.frikort.loc[data.frikort["year"] == year, "citizen_id"]
    turned_16_late = sum(dt.date(year, 7, 1) < born[int(c)].replace(year=born[int(c)].year + 16) <= dt.date(year, 12, 31)
                         for c in holders if not (born[int(c)].month == 2 and born[int(c)].day == 29))
    assert history.frikort_statistics(data, year).loc["0–15", "med_frikort"] == turned_16_late


@pytest.mark.parametrize("year", YEARS)
def test_charged_never_exceeds_owed_by_source(data, year):
    table = history.egenandel_by_source(data, year)
    pays = data.copayments[data.copayments["date"].dt.year == year]
    assert list(table.index) == ["gp_contact", "blue_prescription", "outpatient", "travel"]
    assert (table["betalt_kr"] <= table["egenandel_kr"]).all()
    assert (table["dekket_av_frikort_kr"] == table["egenandel_kr"] - table["betalt_kr"]).all()
    for source, row in table.iterrows():
        rows = pays[pays["source"] == source]
        assert (row["betalinger"], row["egenandel_kr"], row["betalt_kr"]) == (len(rows), rows["egenandel"].sum(), rows["charged"].sum())


def test_egenandel_by_source_has_both_sources_even_in_a_year_without_payments(data):
    table = history.egenandel_by_source(data, 1990)
    assert list(table.index) == ["gp_contact", "blue_prescription", "outpatient", "travel"]
    assert (table[["betalinger", "egenandel_kr", "betalt_kr"]] == 0).all().all()


def test_the_egenandelstak_is_the_one_in_the_spec_for_every_listed_year():
    ceilings = history.egenandelstak()
    for year, amount in ceilings_from_the_spec().items():
        assert ceilings[year] == amount


def test_with_a_frikort_from_2022_a_citizen_pays_exactly_the_egenandelstak_and_never_more(data):
    ceilings = history.egenandelstak()
    for cid in data.frikort["citizen_id"].unique():
        table = history.yearly_egenandeler(data, int(cid))
        for year, row in table.iterrows():
            assert row["betalt_kr"] <= row["egenandel_kr"]
            assert row["egenandelstak_kr"] == ceilings[year]
            if pd.notna(row["frikort_fra"]) and year >= 2022:
                assert row["netto_betalt_kr"] == row["egenandelstak_kr"], (cid, year)
            assert row["netto_betalt_kr"] < row["egenandelstak_kr"] + (200 if year < 2022 else 1), (cid, year)


def test_yearly_egenandeler_add_up_to_the_citizens_payments(data):
    cid = int(data.frikort["citizen_id"].iloc[0])
    pays = data.copayments[data.copayments["citizen_id"] == cid]
    table = history.yearly_egenandeler(data, cid)
    assert table["egenandel_kr"].sum() == pays["egenandel"].sum()
    assert table["betalt_kr"].sum() == pays["charged"].sum()
    frikort = data.frikort[data.frikort["citizen_id"] == cid]
    assert table["refusjon_kr"].sum() == frikort["refund"].sum()
    assert table["frikort_fra"].notna().sum() == len(frikort)


def test_prescriptions_list_the_active_ones_first_each_once_with_their_dispensings(data):
    cid = int(data.prescriptions["citizen_id"].value_counts().idxmax())
    listed = history.citizen_prescriptions(data, cid)
    raw = data.prescriptions[data.prescriptions["citizen_id"] == cid]
    assert len(listed) == len(raw)
    active = (listed["status"] == "active").to_numpy()
    assert not np.any(active[1:] & ~active[:-1])  # no active prescription after an inactive one
    disp = data.dispensings[data.dispensings["citizen_id"] == cid]
    assert listed["utleveringer"].sum() == len(disp)


@pytest.mark.parametrize("year", YEARS)
def test_the_interesting_citizen_is_the_first_adult_who_reached_the_frikort_and_has_prescriptions(data, year):
    born, with_rx = birth_dates(data), set(data.prescriptions["citizen_id"])
    holders = data.frikort.loc[data.frikort["year"] == year, "citizen_id"]
    qualifying = [int(c) for c in holders if age_on(born[int(c)], dt.date(year, 7, 1)) >= 18 and c in with_rx]
    assert qualifying, "the tiny database has adult frikort holders with prescriptions"
    assert history.interesting_citizen(data, year) == min(qualifying)


def test_without_any_frikort_the_interesting_citizen_is_the_one_with_most_events(data):
    events = Counter()
    for frame in (data.gp_contacts, data.prescriptions, data.dispensings):
        events.update(int(c) for c in frame["citizen_id"])
    most = max(events.values())
    assert events[history.interesting_citizen(data, 1990)] == most
