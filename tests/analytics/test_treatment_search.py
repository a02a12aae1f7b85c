"""Velg behandlingssted per treatment (§7.2): every referral is for a listed treatment and received by a
hospital that offers it; the search lists exactly the offering sites with waits recomputed from the raw
referrals (§7.3), no data shown as no data, small numbers hidden, filters, sorting, the sites' indicators,
stored figures reused, and clear errors listing the valid choices."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from sqlmodel import Session

import helsekit
from helsekit.analytics import indicators, treatment_waits
from helsekit.errors import InvalidInput
from helsekit.generator import specs
from helsekit.services import treatment_sites
from helsekit.storage.database import engine_for

YEAR = 365  # treatment_sites.toml [waiting] period_days
MIN_CASES = 10  # treatment_sites.toml [waiting] min_cases


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def today(data) -> dt.date:
    return pd.Timestamp(data.reference_date).date()


@pytest.fixture(scope="module")
def started(data, today):
    """Referrals whose care started in the 365 days up to ``today``, with their wait, from the raw rows."""
    r = data.referrals
    day = pd.Timestamp(today)
    r = r[(r["start_of_care"] > day - pd.Timedelta(days=YEAR)) & (r["start_of_care"] <= day)]
    return r.assign(wait=(r["start_of_care"] - r["received_on"]).dt.days)


@pytest.fixture(scope="module")
def offering(data) -> dict[str, set[int]]:
    """Per level of treatments.toml, the hospitals that offer it, worked out from the organisation table:
    every hospital; the hospital in its HF's kommune; the hospital in its RHF's kommune."""
    orgs = data.organisations.set_index("id")
    hospitals = orgs[orgs["kind"] == "hospital"]
    trust = hospitals["parent_id"].astype(int)
    rhf = trust.map(orgs["parent_id"]).astype(int)
    at_trust_seat = hospitals["kommune_number"] == trust.map(orgs["kommune_number"])
    at_rhf_seat = hospitals["kommune_number"] == rhf.map(orgs["kommune_number"])
    return {"alle": set(hospitals.index), "hf": set(hospitals.index[at_trust_seat]), "region": set(hospitals.index[at_rhf_seat])}


def _search(db: str, treatment: str, today: dt.date, **filters) -> treatment_sites.TreatmentSearch:
    with Session(engine_for(db)) as session:
        return treatment_sites.search(session, treatment, today, **filters)


def test_the_treatment_list_gives_every_sector_shares_adding_up_to_one_and_every_treatment_a_level():
    rows = specs.load("treatments")["treatment"]
    assert len({t["id"] for t in rows}) == len(rows)
    for sector in specs.load("referrals")["sectors"]["name"]:
        assert sum(t["share"] for t in rows if t["sector"] == sector) == pytest.approx(1.0), sector
    assert all(t["offered_at"] in ("alle", "hf", "region") and t["name"] and t["wait_factor"] > 0 for t in rows)
    assert {t.get("pathway") for t in rows} - {None} == set(specs.load("referrals")["pathways"]["name"])


def test_every_referral_is_for_a_listed_treatment_of_its_own_sector(data):
    listed = {t["id"]: t["sector"] for t in specs.load("treatments")["treatment"]}
    r = data.referrals
    assert r["treatment"].notna().all()
    assert (r["treatment"].map(listed) == r["sector"]).all()


def test_each_referral_is_received_by_a_hospital_that_offers_its_treatment_in_the_citizens_region(data, offering):
    level = {t["id"]: t["offered_at"] for t in specs.load("treatments")["treatment"]}
    r = data.referrals.dropna(subset=["hospital_id"])
    for treatment, rows in r.groupby("treatment"):
        assert set(rows["hospital_id"].astype(int)) <= offering[level[treatment]], treatment
    assert len(offering["region"]) == 4  # one regional hospital per RHF (reference-statistics §8: 4 RHF)


def test_cancer_pathway_referrals_are_for_their_pathways_treatment(data):
    pathway = data.referrals.dropna(subset=["pathway"])
    assert len(pathway) > 30
    assert (pathway["treatment"] == pathway["pathway"]).all()  # treatments.toml names them after the pathway


def test_treatment_shares_within_each_sector_follow_the_spec(data):
    r = data.referrals[data.referrals["pathway"].isna() & (data.referrals["sector"] == "somatikk")]
    got = r["treatment"].value_counts(normalize=True)
    for t in specs.load("treatments")["treatment"]:
        if t["sector"] == "somatikk" and t["share"] > 0:
            assert got.get(t["id"], 0) == pytest.approx(t["share"], abs=0.02), t["id"]


def test_longer_waiting_treatments_wait_longer(data):
    # treatments.toml: wait_factor hofteprotese 1.6 against mr_undersokelse 0.5 within somatikk.
    r = data.referrals[data.referrals["start_of_care"].notna() & data.referrals["pathway"].isna()]
    wait = (r["start_of_care"] - r["received_on"]).dt.days.groupby(r["treatment"]).mean()
    assert wait["hofteprotese"] / wait["mr_undersokelse"] == pytest.approx(1.6 / 0.5, rel=0.2)


def test_the_search_lists_exactly_the_hospitals_offering_the_treatment(default_db, today, offering):
    for treatment, level in (("koloskopi", "alle"), ("hofteprotese", "hf"), ("fedmekirurgi", "region")):
        found = _search(default_db, treatment, today)
        assert {r.hospital_id for r in found.rows} == offering[level], treatment
        assert found.treatment_name and found.sector == "somatikk"


def test_expected_and_median_waits_are_recomputed_from_the_raw_referrals_of_that_treatment_and_site(default_db, today, started):
    # §7.3: received → start of care; §7.2: the expected wait estimates the maximum (the 90th percentile,
    # rounded up to whole weeks); the median in weeks to one decimal; fristbrudd among cases with a deadline.
    rows = started[started["treatment"] == "hofteprotese"]
    busiest = int(rows["hospital_id"].value_counts().index[0])
    mine = rows[rows["hospital_id"] == busiest]
    found = {r.hospital_id: r for r in _search(default_db, "hofteprotese", today).rows}[busiest].figures
    waits = sorted(mine["wait"])
    position = 0.9 * (len(waits) - 1)  # linear interpolation between the two closest ranks
    low = math.floor(position)
    p90 = waits[low] + (position - low) * (waits[min(low + 1, len(waits) - 1)] - waits[low])
    assert found.started == len(mine) >= MIN_CASES
    assert found.expected_weeks == math.ceil(p90 / 7)
    assert found.median_weeks == round(mine["wait"].median() / 7, 1)
    with_deadline = mine[mine["legal_deadline"].notna()]
    assert found.fristbrudd_share == pytest.approx(with_deadline["fristbrudd"].astype(bool).sum() / len(with_deadline))


def test_small_sites_show_no_figures_and_sites_without_cases_show_no_data_not_zero(default_db, today, started):
    counts = started.groupby(["treatment", "hospital_id"]).size()
    seen_small = seen_empty = False
    for treatment in ("autismeutredning", "bup_poliklinikk", "brystkreft"):
        for r in _search(default_db, treatment, today).rows:
            n = int(counts.get((treatment, r.hospital_id), 0))
            assert r.figures.started == n
            if n == 0:
                seen_empty = True
                assert r.figures == treatment_sites.NO_DATA and r.figures.expected_weeks is None
            elif n < MIN_CASES:
                seen_small = True
                assert r.figures.suppressed and r.figures.expected_weeks is None and r.figures.median_weeks is None
    assert seen_small and seen_empty


def test_each_site_carries_its_indicators_as_compute_gives_them_for_the_same_period(default_db, today):
    found = _search(default_db, "koloskopi", today, indicator_ids=["fristbrudd_somatikk"])
    first = today - dt.timedelta(days=YEAR - 1)
    assert (found.period_from, found.period_to) == (first, today)
    table = indicators.compute(default_db, "fristbrudd_somatikk", "site", (first.isoformat(), today.isoformat())).set_index("unit_id")
    for r in found.rows:
        (cell,) = r.indicators
        expected = table.loc[str(r.hospital_id)]
        assert cell.denominator == expected["denominator"]
        assert (cell.value is None) == pd.isna(expected["value"])
        if cell.value is not None:
            assert cell.value == pytest.approx(expected["value"]) and cell.goal_level == expected["goal_level"]


def test_a_missing_goal_level_or_reason_is_none_never_nan(default_db, today):
    cells = [cell for r in _search(default_db, "koloskopi", today).rows for cell in r.indicators]
    assert any(c.reason is None for c in cells) and any(c.goal_level is None for c in cells)
    for cell in cells:
        assert cell.goal_level is None or isinstance(cell.goal_level, str)
        assert cell.reason is None or isinstance(cell.reason, str)


def test_region_and_fylke_filters_keep_only_sites_there(default_db, today):
    everything = _search(default_db, "koloskopi", today)
    region = everything.rows[0].region
    assert {r.region for r in _search(default_db, "koloskopi", today, region=region).rows} == {region}
    fylke = everything.rows[-1].fylke
    kept = _search(default_db, "koloskopi", today, fylke=fylke).rows
    assert kept and {r.fylke for r in kept} == {fylke}
    assert len(kept) == sum(r.fylke == fylke for r in everything.rows)


def test_sorting_by_wait_distance_or_name_puts_sites_without_figures_last(default_db, today):
    by_wait = _search(default_db, "bup_poliklinikk", today, home_kommune="0301").rows
    weeks = [r.figures.expected_weeks for r in by_wait]
    shown = [w for w in weeks if w is not None]
    assert shown == sorted(shown) and weeks[: len(shown)] == shown
    by_distance = [r.distance_km for r in _search(default_db, "bup_poliklinikk", today, home_kommune="0301", sort="avstand").rows]
    assert by_distance == sorted(by_distance) and by_distance[0] == 0  # Oslo has a hospital in its own kommune
    names = [r.name for r in _search(default_db, "bup_poliklinikk", today, sort="navn").rows]
    assert names == sorted(names)


def test_travel_egenandel_is_the_higher_rate_only_outside_the_home_region(default_db, today):
    found = _search(default_db, "fedmekirurgi", today, home_kommune="0301")
    assert found.home_region == "Sør-Øst"
    assert {(r.region == "Sør-Øst", r.travel_egenandel) for r in found.rows} == {(True, 171), (False, 400)}  # §7.4


@pytest.mark.parametrize(("field", "filters", "listed"), [
    ("treatment", {"treatment": "hjertetransplantasjon"}, "fedmekirurgi"),
    ("home_kommune", {"home_kommune": "9999"}, "0301"),
    ("region", {"region": "Helse Sørlandet"}, "Sør-Øst"),
    ("fylke", {"fylke": "Akershus fylke"}, "Oslo"),
    ("indicators", {"indicator_ids": ["andel_e_konsultasjoner"]}, "fristbrudd_somatikk"),
    ("sort", {"sort": "kvalitet"}, "ventetid"),
])
def test_an_unknown_choice_is_refused_naming_the_field_and_listing_the_valid_ones(default_db, today, field, filters, listed):
    arguments = {"treatment": "koloskopi", **filters}
    with pytest.raises(InvalidInput) as error:
        _search(default_db, arguments.pop("treatment"), today, **arguments)
    assert error.value.field == field
    assert listed in str(error.value) and listed in error.value.message_nb


def test_figures_are_stored_beside_the_archive_and_read_back_without_reading_the_referrals(default_db, today, monkeypatch):
    first = today - dt.timedelta(days=YEAR - 1)
    computed = treatment_waits.site_waits(default_db, first, today).copy()
    assert list(treatment_waits.derived_path(default_db).glob("waits_by_treatment-*.parquet"))
    treatment_waits._site_waits.cache_clear()  # a new kernel: nothing in memory

    def no_reading(*_):
        raise AssertionError("the referrals were read again")

    monkeypatch.setattr(treatment_waits, "_started", no_reading)
    pd.testing.assert_frame_equal(treatment_waits.site_waits(default_db, first, today), computed)


def test_a_database_generated_before_referrals_named_a_treatment_gets_a_clear_error(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from helsekit.errors import DatabaseError
    from helsekit.storage import archive

    db = str(tmp_path / "old.db")
    folder = archive.archive_path(db) / "referrals"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"referral_id": [1], "hospital_id": [3]}), folder / "part-00000.parquet")
    with pytest.raises(DatabaseError) as error:
        treatment_waits.site_waits(db, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert "generate" in str(error.value)


def test_a_citizens_search_is_seen_from_their_home_kommune_and_needs_the_henvisninger_service(default_db, data, today):
    # §3.5 / §6.2: Henvisninger needs Full tilgang and age 16+; the search adds distance from home (§7.4).
    from helsekit.services.actors import Actor
    from helsekit.services.policy import AccessDenied

    people = data.citizens.merge(data.helsenorge_profiles, left_on="id", right_on="citizen_id")
    adults = people[(people["age"] >= 18) & people["death_date"].isna()]
    full = adults[adults["consent_level"] == "full"].iloc[0]
    basis = adults[adults["consent_level"] == "basis"].iloc[0]
    now = dt.datetime.combine(today, dt.time(12))
    with Session(engine_for(default_db)) as session:
        found = treatment_sites.search_for_citizen(session, Actor(int(full["id"]), int(full["id"])), "koloskopi", now)
        assert found.home_kommune == full["kommune_number"]
        assert all(r.distance_km is not None and r.travel_egenandel in (171, 400) for r in found.rows)
        with pytest.raises(AccessDenied):
            treatment_sites.search_for_citizen(session, Actor(int(basis["id"]), int(basis["id"])), "koloskopi", now)
