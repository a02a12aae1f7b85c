"""Velg behandlingssted: figures computed from the synthetic referrals (§7.2, §7.3, §6.5), small numbers hidden,
clear errors listing the valid choices, distance and travel egenandel (§7.4), and a wish to move one's own
referral (§7.1) written once, or not at all when a rule says no."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from helsekit.domain.organisations import OrganisationKind
from helsekit.domain.site_changes import SiteChangeRequest
from helsekit.errors import InvalidInput, NotFound, RuleBroken
from helsekit.services import treatment_sites
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage.database import engine_for

SECTOR = "somatikk"
YEAR = 365  # the spec's period: care started in the 365 days up to the day asked about
MIN_CASES = 10


def _noon(day) -> dt.datetime:
    return dt.datetime.combine(pd.Timestamp(day).date(), dt.time(12))


@pytest.fixture(scope="module")
def started(data):
    """The referrals whose care started in the year up to the reference date, recomputed here from the raw rows."""
    r = data.referrals
    day = pd.Timestamp(data.reference_date)
    r = r[(r["start_of_care"] > day - pd.Timedelta(days=YEAR)) & (r["start_of_care"] <= day)]
    return r.assign(wait=(r["start_of_care"] - r["received_on"]).dt.days)


def _wish_count(db: str) -> int:
    with Session(engine_for(db)) as session:
        return len(session.exec(select(SiteChangeRequest)).all())


def _chooser(data, db: str) -> tuple[int, object]:
    """A citizen 16+ acting for themself with a referral whose site can still be chosen, and that referral."""
    with Session(engine_for(db)) as session:
        now = _noon(data.reference_date)
        full = data.helsenorge_profiles.loc[data.helsenorge_profiles["consent_level"] == "full", "citizen_id"]
        candidates = data.referrals[data.referrals["citizen_id"].isin(full) & data.referrals["start_of_care"].isna()]
        for citizen_id in candidates["citizen_id"].unique()[:200]:
            found = treatment_sites.choosable_referrals(session, Actor(int(citizen_id), int(citizen_id)), now)
            if found:
                return int(citizen_id), found[0]
    raise AssertionError("the default database has no referral whose treatment site can be chosen")


def test_waiting_times_and_fristbrudd_are_recomputed_from_the_raw_referrals(default_db, data, started):
    # §7.3: received → start of care; §7.2: the expected wait estimates the maximum (the spec's 90th
    # percentile, in whole weeks); §6.5: fristbrudd among the started cases with a legal deadline.
    rows = started[started["sector"] == SECTOR]
    busiest = rows["hospital_id"].value_counts().index[0]
    mine = rows[rows["hospital_id"] == busiest]
    with Session(engine_for(default_db)) as session:
        got = treatment_sites.figures(session, SECTOR, pd.Timestamp(data.reference_date).date())[int(busiest)]
    with_deadline = mine[mine["legal_deadline"].notna()]
    assert got.started == len(mine)
    assert got.expected_weeks == math.ceil(mine["wait"].quantile(0.9) / 7)
    assert got.median_weeks == round(mine["wait"].median() / 7, 1)
    assert got.deadline_cases == len(with_deadline)
    assert got.fristbrudd_share == pytest.approx(with_deadline["fristbrudd"].astype(bool).mean())
    assert got.fristbrudd_low <= got.fristbrudd_share <= got.fristbrudd_high


def test_a_site_with_fewer_than_ten_started_cases_shows_no_figures_and_one_with_none_has_no_data(default_db, data, started):
    counts = started.groupby(["sector", "hospital_id"]).size()
    with Session(engine_for(default_db)) as session:
        for sector in treatment_sites.sectors():
            found = treatment_sites.compare(session, sector, pd.Timestamp(data.reference_date).date())
            assert {r.hospital_id for r in found.rows} == set(data.organisations.loc[data.organisations["kind"] == OrganisationKind.HOSPITAL, "id"])
            for r in found.rows:
                n = int(counts.get((sector, r.hospital_id), 0))
                assert r.figures.started == n
                hidden = (r.figures.expected_weeks, r.figures.median_weeks, r.figures.fristbrudd_share, r.figures.deadline_cases)
                assert r.figures.suppressed == (n < MIN_CASES)
                assert (hidden == (None,) * 4) == (n < MIN_CASES), (sector, r.hospital_id, n)
    assert any(counts < MIN_CASES), "the test needs some small cells to be worth anything"


def test_the_wilson_interval_matches_the_textbook_values():
    # Newcombe (1998), Table I: 0/10 → 0.0000–0.2775; 81/263 → 0.2553–0.3662 (95 %).
    assert treatment_sites.wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-5)
    assert treatment_sites.wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)


@pytest.mark.parametrize(("field", "arguments"), [
    ("sector", {"sector": "hjertekirurgi"}),
    ("sort", {"sort": "kvalitet"}),
    ("home_kommune", {"home_kommune": "9999"}),
    ("region", {"region": "Atlantis"}),
    ("fylke", {"fylke": "Akershus og Østfold"}),
])
def test_an_unknown_choice_is_refused_naming_the_field_and_listing_the_valid_ones(default_db, data, field, arguments):
    query = {"sector": SECTOR, **arguments}
    with Session(engine_for(default_db)) as session, pytest.raises(InvalidInput) as refused:
        treatment_sites.compare(session, today=pd.Timestamp(data.reference_date).date(), **query)
    assert refused.value.field == field
    assert "choose one of:" in refused.value.message_en and "velg en av:" in refused.value.message_nb


def test_sites_sort_by_expected_wait_with_the_sites_without_figures_last_and_filter_by_region(default_db, data):
    with Session(engine_for(default_db)) as session:
        found = treatment_sites.compare(session, SECTOR, pd.Timestamp(data.reference_date).date())
        region = found.rows[0].region
        only = treatment_sites.compare(session, SECTOR, pd.Timestamp(data.reference_date).date(), region=region)
    weeks = [r.figures.expected_weeks for r in found.rows]
    shown = [w for w in weeks if w is not None]
    assert shown == sorted(shown) and weeks == shown + [None] * (len(weeks) - len(shown))
    assert only.rows and all(r.region == region for r in only.rows)
    assert {r.hospital_id for r in only.rows} == {r.hospital_id for r in found.rows if r.region == region}


def test_distance_is_between_kommune_centres_and_travel_outside_ones_region_costs_400_kr(default_db, data):
    with Session(engine_for(default_db)) as session:
        found = treatment_sites.compare(session, SECTOR, pd.Timestamp(data.reference_date).date(), home_kommune="0301", sort="avstand")
    oslo = [r for r in found.rows if r.kommune == "Oslo"]
    bergen = [r for r in found.rows if r.kommune == "Bergen"]
    assert oslo and all(r.distance_km == 0 for r in oslo)
    assert bergen and all(280 <= r.distance_km <= 330 for r in bergen)  # Oslo–Bergen is about 305 km as the crow flies
    assert all(r.travel_egenandel == (171 if r.region == found.home_region else 400) for r in found.rows)  # §7.4
    assert {r.travel_egenandel for r in found.rows} == {171, 400}
    distances = [r.distance_km for r in found.rows]
    assert distances == sorted(distances)


def test_a_wish_to_move_a_referral_is_written_once_and_a_second_is_refused(db, data):
    citizen, referral = _chooser(data, db)
    actor, now = Actor(citizen, citizen), _noon(data.reference_date)
    hospitals = data.organisations.loc[data.organisations["kind"] == OrganisationKind.HOSPITAL, "id"]
    other = int(hospitals[hospitals != referral.hospital_id].iloc[0])
    with Session(engine_for(db)) as session:
        sent = treatment_sites.request_change(session, actor, referral.referral_id, other, now)
        assert (sent.from_hospital_id, sent.to_hospital_id, sent.status) == (referral.hospital_id, other, "sendt")
        with pytest.raises(RuleBroken) as refused:
            treatment_sites.request_change(session, actor, referral.referral_id, other, now)
        assert refused.value.field == "referral_id"
        assert [c.id for c in treatment_sites.changes(session, actor, now)] == [sent.id]
        marked = treatment_sites.for_referral(session, actor, referral.referral_id, now)
        assert [r.hospital_id for r in marked.rows if r.current] == [referral.hospital_id]
    assert _wish_count(db) == 1


def test_a_wish_for_the_same_hospital_another_kind_of_site_or_someone_elses_referral_writes_nothing(db, data):
    citizen, referral = _chooser(data, db)
    actor, now = Actor(citizen, citizen), _noon(data.reference_date)
    office = int(data.organisations.loc[data.organisations["kind"] == OrganisationKind.GP_OFFICE, "id"].iloc[0])
    stranger = data.referrals.loc[data.referrals["citizen_id"] != citizen, "referral_id"].iloc[0]
    with Session(engine_for(db)) as session:
        with pytest.raises(RuleBroken, match="already has"):
            treatment_sites.request_change(session, actor, referral.referral_id, referral.hospital_id, now)
        with pytest.raises(InvalidInput) as not_a_hospital:
            treatment_sites.request_change(session, actor, referral.referral_id, office, now)
        assert not_a_hospital.value.field == "hospital_id"
        with pytest.raises(NotFound):
            treatment_sites.request_change(session, actor, int(stranger), referral.hospital_id, now)
    assert _wish_count(db) == 0


def test_a_holder_whose_giver_has_only_basis_consent_cannot_send_a_wish(db, data):
    # §3.5: Henvisninger needs Full tilgang, and a fullmakt never gives more than the giver has (§3.1).
    f, day = data.fullmakter, data.reference_date
    basis = data.helsenorge_profiles.loc[data.helsenorge_profiles["consent_level"] == "basis", "citizen_id"]
    ok = (f["valid_from"] <= day) & (f["valid_to"].isna() | (f["valid_to"] >= day)) & f["giver_id"].isin(basis)
    row = f[ok].iloc[0]
    hospital = int(data.organisations.loc[data.organisations["kind"] == OrganisationKind.HOSPITAL, "id"].iloc[0])
    giver_referral = data.referrals.loc[data.referrals["citizen_id"] == row.giver_id, "referral_id"]
    with Session(engine_for(db)) as session, pytest.raises(AccessDenied):
        treatment_sites.request_change(session, Actor(int(row.holder_id), int(row.giver_id)),
                                       int(giver_referral.iloc[0]) if len(giver_referral) else 1, hospital, _noon(day))
    assert _wish_count(db) == 0


def test_the_database_keeps_one_open_wish_per_referral(db, data):
    citizen, referral = _chooser(data, db)
    row = dict(citizen_id=citizen, referral_id=referral.referral_id, from_hospital_id=referral.hospital_id,
               to_hospital_id=referral.hospital_id, sector=referral.sector, requested_by=citizen,
               requested_at=_noon(data.reference_date))
    engine = engine_for(db)
    with Session(engine) as session:
        session.add(SiteChangeRequest(**row))
        session.commit()
    with Session(engine) as session, pytest.raises(IntegrityError):
        session.add(SiteChangeRequest(**row))
        session.commit()
    with engine.connect() as connection:  # a decided wish no longer blocks a new one
        connection.execute(sa.text("update site_change_request set status = 'avslått'"))
        connection.commit()
    with Session(engine) as session:
        session.add(SiteChangeRequest(**row))
        session.commit()
    assert _wish_count(db) == 2
