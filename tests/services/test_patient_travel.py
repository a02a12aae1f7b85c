"""Pasientreiser on Min helse: the round trip at 3.00 kr/km less 2 × 171 kr (§11.1, §11.2), none under 16
or with a frikort, within 6 months, over 10 km, under 100 kr not paid (§11.3), one claim per trip."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session, func, select

from helsekit.domain.travel_claims import TravelClaim
from helsekit.errors import DeadlinePassed, NotFound, RuleBroken
from helsekit.services import patient_travel
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

NOW = dt.datetime(2025, 1, 1, 12, 0)
RATE_2024, ONE_WAY_2024 = 3.00, 171  # §11.1, §11.2


@pytest.fixture(scope="module")
def trips(data):
    """Attended hospital appointments not claimed in the archive, with the patient's age, consent level,
    one-way km (from the archive's claims of the same citizen; absent if none) and any frikort that year."""
    appointments = data.hospital_appointments
    attended = appointments[(appointments["status"] == "attended") & ~appointments["appointment_id"].isin(data.travel_claims["appointment_id"])]
    km = data.travel_claims.groupby("citizen_id")["km_one_way"].first().rename("km")
    consent = data.helsenorge_profiles.set_index("citizen_id")["consent_level"]
    citizens = data.citizens.set_index("id")
    out = attended.join(km, on="citizen_id").assign(
        trip=attended["start"].dt.normalize(), age=attended["citizen_id"].map(citizens["age"]),
        protection=attended["citizen_id"].map(citizens["address_protection"]), consent=attended["citizen_id"].map(consent))
    frikort = data.frikort[data.frikort["year"] == 2024].set_index("citizen_id")["reached_on"]
    return out.assign(frikort_from=out["citizen_id"].map(frikort))


def _own(trips, since="2024-07-02", **where):
    chosen = trips[(trips["trip"] >= pd.Timestamp(since)) & (trips["age"] >= 18) & trips["consent"].isin(["basis", "full"]) & (trips["protection"] == "none")]
    for column, keep in where.items():
        chosen = chosen[keep(chosen[column])]
    return chosen.iloc[0]


def _claims(session):
    return session.exec(select(func.count()).select_from(TravelClaim)).one()


def test_a_claim_pays_the_round_trip_at_the_rate_less_two_one_way_egenandeler(db, trips):
    trip = _own(trips, km=lambda k: k > 80, frikort_from=lambda f: f.isna())
    with Session(engine_for(db)) as session:
        claim = patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), NOW)
        stored = session.get(TravelClaim, claim.id)
    amount = round(2 * trip.km * RATE_2024, 2)
    assert (claim.km_one_way, claim.amount, claim.egenandel, claim.frikort) == (trip.km, amount, 2 * ONE_WAY_2024, False)
    assert (claim.payout, claim.status) == (pytest.approx(amount - 2 * ONE_WAY_2024), "utbetalt")
    assert (stored.appointment_id, stored.payout, stored.submitted_by) == (trip.appointment_id, claim.payout, trip.citizen_id)


def test_with_a_frikort_no_egenandel_is_deducted(db, trips):
    trip = _own(trips, km=lambda k: k > 10, frikort_from=lambda f: pd.to_datetime(f) < trips.loc[f.index, "trip"])
    with Session(engine_for(db)) as session:
        claim = patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), NOW)
    assert claim.frikort and claim.payout == pytest.approx(2 * trip.km * RATE_2024)


def test_a_child_under_16_pays_no_egenandel(db, trips, data):
    access = data.parental_access
    parents = access[access["access"] == "full"].drop_duplicates("child_id").set_index("child_id")["parent_id"]
    child = trips[(trips["trip"] >= pd.Timestamp("2024-07-02")) & (trips["km"] > 10) & trips["citizen_id"].isin(parents.index)].iloc[0]
    with Session(engine_for(db)) as session:
        claim = patient_travel.submit_claim(session, Actor(int(parents[child.citizen_id]), int(child.citizen_id)), int(child.appointment_id), NOW)
    assert claim.egenandel == 0 and claim.payout == pytest.approx(2 * child.km * RATE_2024)


def test_a_payout_under_100_kr_is_recorded_but_not_paid(db, trips):
    # 2 × km × 3.00 − 342 < 100 for 10 < km < 73.6
    trip = _own(trips, km=lambda k: (k > 10) & (k < 73), frikort_from=lambda f: f.isna())
    with Session(engine_for(db)) as session:
        claim = patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), NOW)
        assert (claim.status, claim.payout) == ("under_minstebeløp", 0.0)
        assert _claims(session) == 1


def test_a_claim_more_than_six_months_after_the_trip_is_refused(db, trips):
    trip = _own(trips, since="2024-01-01", km=lambda k: k > 10, trip=lambda t: t < pd.Timestamp("2024-06-30"))
    with Session(engine_for(db)) as session:
        with pytest.raises(DeadlinePassed) as refused:
            patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), NOW)
        assert refused.value.field == "§11.3" and _claims(session) == 0


def test_a_claim_on_the_last_day_of_the_six_months_is_accepted_and_the_next_day_refused(db, trips):
    trip = _own(trips, since="2024-07-01", km=lambda k: k > 10, trip=lambda t: (t < pd.Timestamp("2024-08-01")) & (t.dt.day <= 28))
    day = trip.trip.date()
    last = dt.datetime(2025, 1, day.day, 23)
    with Session(engine_for(db)) as session:
        with pytest.raises(DeadlinePassed):
            patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), last + dt.timedelta(days=1))
        claim = patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), last)
    assert claim.trip_date == day


def test_a_trip_of_10_km_or_less_is_refused(db, trips, data):
    # Citizens who live in their hospital's kommune travel 5 km (travel.toml [eligibility]).
    organisations = data.organisations.set_index("id")["kommune_number"]
    citizens = data.citizens.set_index("id")["kommune_number"]
    near = trips[trips["hospital_id"].map(organisations) == trips["citizen_id"].map(citizens)]
    trip = _own(near, km=lambda k: k.isna())
    with Session(engine_for(db)) as session:
        with pytest.raises(RuleBroken) as refused:
            patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), NOW)
        assert refused.value.field == "§11.1" and _claims(session) == 0


def test_a_second_claim_for_the_same_appointment_is_refused(db, trips):
    trip = _own(trips, km=lambda k: k > 10)
    with Session(engine_for(db)) as session:
        patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), NOW)
        with pytest.raises(RuleBroken) as refused:
            patient_travel.submit_claim(session, Actor(int(trip.citizen_id)), int(trip.appointment_id), NOW)
        assert refused.value.field == "appointment_id" and _claims(session) == 1


def test_a_trip_already_claimed_in_the_archive_is_refused(db, data):
    claims = data.travel_claims
    recent = claims[claims["trip_date"] >= pd.Timestamp("2024-07-02")]
    consent = data.helsenorge_profiles.set_index("citizen_id")["consent_level"]
    claim = recent[recent["citizen_id"].map(consent).isin(["basis", "full"])].iloc[0]
    with Session(engine_for(db)) as session:
        with pytest.raises(RuleBroken) as refused:
            patient_travel.submit_claim(session, Actor(int(claim.citizen_id)), int(claim.appointment_id), NOW)
        assert refused.value.field == "appointment_id" and _claims(session) == 0


def test_only_the_persons_own_attended_appointment_can_be_claimed(db, trips):
    mine = _own(trips, km=lambda k: k > 10)
    other = trips[trips["citizen_id"] != mine.citizen_id].iloc[0]
    with Session(engine_for(db)) as session:
        with pytest.raises(NotFound):
            patient_travel.submit_claim(session, Actor(int(mine.citizen_id)), int(other.appointment_id), NOW)
        assert _claims(session) == 0
