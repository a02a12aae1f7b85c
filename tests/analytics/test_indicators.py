"""Quality indicators (issue #7): recomputed by hand from the raw events, small numbers hidden, units
without cases shown as "ingen data", bad input refused with the valid choices."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import helsekit
from helsekit.analytics import indicators
from helsekit.analytics.intervals import wilson
from helsekit.errors import InvalidInput

WIDE = ("2015-01-01", "2024-12-31")
DIMENSIONS = {"virkningsfulle", "trygge og sikre", "brukerinvolverende", "samordnede og preget av kontinuitet",
              "ressurseffektive", "tilgjengelige og rettferdig fordelte"}  # §8.1


@pytest.fixture(scope="module")
def raw(tiny_db):
    return helsekit.open(tiny_db)


def test_somatic_fristbrudd_per_hospital_matches_a_count_by_hand_of_care_started_after_the_deadline(tiny_db, raw):
    r = raw.referrals
    cases = r[(r["sector"] == "somatikk") & r["legal_deadline"].notna() & (r["start_of_care"] >= "2015-01-01")
              & (r["start_of_care"] <= "2024-12-31")]
    late = (cases["start_of_care"] > cases["legal_deadline"]).groupby(cases["hospital_id"]).sum()
    counted = cases.groupby("hospital_id").size()
    hospitals = raw.organisations.loc[raw.organisations["kind"] == "hospital", "id"]
    got = indicators.compute(tiny_db, "fristbrudd_somatikk", "site", WIDE).set_index("unit_id")
    assert sorted(got.index) == sorted(str(h) for h in hospitals)
    shown = 0
    for hospital in hospitals:
        row, n, k = got.loc[str(hospital)], int(counted.get(hospital, 0)), int(late.get(hospital, 0))
        assert row["denominator"] == n
        if n >= 10:
            shown += 1
            assert row["numerator"] == k and row["value"] == k / n
            assert (row["low"], row["high"]) == pytest.approx(wilson(k, n), abs=1e-12)
        else:
            assert pd.isna(row["numerator"]) and pd.isna(row["value"])
    assert shown >= 2


def test_median_waiting_time_per_hf_matches_the_median_by_hand_of_received_to_start_of_care(tiny_db, raw):
    r = raw.referrals
    started = r[(r["start_of_care"] >= "2020-01-01") & (r["start_of_care"] <= "2024-12-31")]
    parent = raw.organisations.set_index("id")["parent_id"]
    hf = started["hospital_id"].map(parent)
    days = (started["start_of_care"] - started["received_on"]).dt.days
    by_hand = days.groupby(hf).agg(["median", "size"])
    got = indicators.compute(tiny_db, "ventetid_start_helsehjelp", "hf", ("2020-01-01", "2024-12-31")).set_index("unit_id")
    shown = 0
    for trust, (median, n) in by_hand.iterrows():
        row = got.loc[str(trust)]
        assert row["denominator"] == n
        if n >= 10:
            shown += 1
            assert row["value"] == median
    assert shown >= 2
    assert got["numerator"].isna().all() and got["low"].isna().all()


def test_every_cell_under_the_threshold_hides_value_numerator_and_interval_and_says_why(tiny_db):
    got = indicators.compute(tiny_db, "fristbrudd_psykisk_helse_voksne", "site", WIDE)
    small = got[(got["denominator"] > 0) & (got["denominator"] < indicators.min_denominator())]
    assert len(small) > 0
    assert small["suppressed"].all()
    assert small[["numerator", "value", "low", "high"]].isna().all().all()
    assert small["reason"].str.contains(str(indicators.min_denominator())).all()
    assert small["goal_level"].isna().all()
    shown = got[got["denominator"] >= indicators.min_denominator()]
    assert not shown["suppressed"].any() and shown["value"].notna().all()


def test_a_hospital_without_cases_shows_no_data_not_zero(tiny_db, raw):
    r = raw.referrals
    with_pathway = set(r.loc[r["pathway"].notna(), "hospital_id"])
    without = [h for h in raw.organisations.loc[raw.organisations["kind"] == "hospital", "id"] if h not in with_pathway]
    assert without
    got = indicators.compute(tiny_db, "pakkeforlop_innen_standard_forlopstid", "site", WIDE).set_index("unit_id")
    rows = got.loc[[str(h) for h in without]]
    assert (rows["denominator"] == 0).all()
    assert (rows["reason"] == "ingen data").all()
    assert rows[["value", "numerator", "low", "high"]].isna().all().all()
    assert not rows["suppressed"].any()


def test_e_consultation_share_per_fylke_counts_attended_contacts_of_the_offices_in_it(tiny_db, raw):
    c = raw.gp_contacts
    c = c[(c["status"] == "attended") & (c["start"] >= "2024-01-01") & (c["start"] < "2025-01-01")]
    kommune = raw.organisations.set_index("id")["kommune_number"]
    fylke = c["gp_office_id"].map(kommune).map(raw.kommuner.set_index("number")["fylke_number"])
    online = (c["kind"] == "e_consultation").groupby(fylke).sum()
    got = indicators.compute(tiny_db, "andel_e_konsultasjoner", "fylke", "2024").set_index("unit_id")
    assert len(online) > 0
    for number, k in online.items():
        n = int((fylke == number).sum())
        assert got.loc[number, "denominator"] == n
        assert got.loc[number, "value"] == k / n


def test_a_tertial_label_is_its_four_months_and_a_half_year_its_six():
    assert indicators.period_bounds("2024-T2") == (dt.date(2024, 5, 1), dt.date(2024, 8, 31))
    assert indicators.period_bounds("2024-T3") == (dt.date(2024, 9, 1), dt.date(2024, 12, 31))
    assert indicators.period_bounds("2023-H1") == (dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    assert indicators.period_bounds("2024") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize("indicator_id, breakdown, period, field, listed", [
    ("ventetid", "site", "2024", "indicator_id", "fristbrudd_somatikk"),
    ("fristbrudd_somatikk", "bydel", "2024", "breakdown", "kommune"),
    ("andel_e_konsultasjoner", "hf", "2024", "breakdown", "fylke"),  # GP offices have no HF
    ("fristbrudd_somatikk", "site", "2024-T4", "period", "2024-T3"),
    ("fristbrudd_somatikk", "site", ("2024-12-31", "2024-01-01"), "period", "2024-H1"),
])
def test_an_unknown_indicator_breakdown_or_period_is_refused_listing_the_valid_choices(tiny_db, indicator_id, breakdown, period, field, listed):
    with pytest.raises(InvalidInput) as refused:
        indicators.compute(tiny_db, indicator_id, breakdown, period)
    assert refused.value.field == field
    assert listed in refused.value.message_en and listed in refused.value.message_nb


def test_every_indicator_in_the_catalogue_has_every_field_and_a_section_source():
    found = indicators.catalogue()
    assert len(found) >= 6
    for indicator in found.values():
        for name in ("name", "category", "numerator", "denominator", "table", "unit", "remarks"):
            assert getattr(indicator, name).strip(), (indicator.id, name)
        assert "§" in indicator.source, indicator.id
        assert indicator.dimension in DIMENSIONS, indicator.id
        assert indicator.kind in ("share", "median") and indicator.direction in ("higher", "lower")
        assert indicator.period in ("tertial", "half_year", "year")
        assert indicator.columns and set(indicator.breakdowns) <= set(indicators.BREAKDOWNS)
        better, worse = (indicator.goal_high, indicator.goal_low)
        assert better >= worse if indicator.direction == "higher" else better <= worse, indicator.id


def test_goal_level_follows_the_direction_of_the_indicator(tiny_db):
    got = indicators.compute(tiny_db, "vurdert_innen_10_virkedager", "national", WIDE).iloc[0]
    spec = indicators.catalogue()["vurdert_innen_10_virkedager"]
    expected = "høy" if got["value"] >= spec.goal_high else ("lav" if got["value"] < spec.goal_low else "moderat")
    assert got["goal_level"] == expected


def test_list_relation_share_counts_citizens_listed_for_two_years_on_the_last_day_per_gp_office(tiny_db, raw):
    m = raw.gp_list_memberships
    last = pd.Timestamp("2024-12-31")
    on_list = m[(m["valid_from"] <= last) & (m["valid_to"].isna() | (m["valid_to"] >= last))]
    office = on_list["gp_list_id"].map(raw.gp_lists.set_index("id")["gp_office_id"])
    long = (on_list["valid_from"] <= pd.Timestamp("2022-12-31")).groupby(office).sum()
    got = indicators.compute(tiny_db, "fastlegerelasjon_minst_to_aar", "site", "2024").set_index("unit_id")
    assert len(long) > 0
    for gp_office, k in long.items():
        n = int((office == gp_office).sum())
        assert got.loc[str(gp_office), "denominator"] == n
        assert got.loc[str(gp_office), "numerator"] == k and got.loc[str(gp_office), "value"] == k / n
