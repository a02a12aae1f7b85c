"""The Min helse overview: one call, each tile only where the policy lets the actor see that service,
what was just booked among the next appointments, and pilots only at the subject's own sites."""

from __future__ import annotations


import pytest
from sqlmodel import Session

from helsekit.pilots import Pilot
from helsekit.services import access, appointments, overview, policy
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for


def _adult_with_consent(data, level="full"):
    profiles = data.helsenorge_profiles
    return int(profiles[profiles["consent_level"] == level]["citizen_id"].iloc[0])


def test_a_parent_of_a_13_year_old_sees_no_referral_tile_and_is_told_which_tiles_are_hidden(data, default_db):
    access_ = data.parental_access
    pair = access_[(access_["child_age"] == 13) & (access_["access"] == "begrenset")].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = overview.overview(session, Actor(int(pair.parent_id), int(pair.child_id)), access.reference_now(session), registry=[])
    assert seen.basis == "parent" and seen.referrals is None
    assert {"referrals", "kjernejournal", "hospital_record"} <= set(seen.hidden)
    assert seen.prescriptions_to_renew is not None and seen.frikort is not None  # begrenset, not nothing (§3.2)


def test_an_adult_without_a_helsenorge_consent_gets_no_overview(data, default_db):
    with Session(engine_for(default_db)) as session:
        with pytest.raises(policy.AccessDenied) as refused:
            overview.overview(session, Actor(_adult_with_consent(data, "ingen")), access.reference_now(session), registry=[])
    assert refused.value.field == "§3.5"


def test_a_slot_booked_on_min_helse_is_among_the_next_appointments(data, db):
    citizen = _adult_with_consent(data)
    with Session(engine_for(db)) as session:
        now = access.reference_now(session)
        slot = appointments.free_slots(session, Actor(citizen), now)[0]
        booked = appointments.book(session, Actor(citizen), slot.start, now)
        seen = overview.overview(session, Actor(citizen), now, registry=[])
    assert booked.ref in [a.ref for a in seen.next_appointments]
    assert all(a.start > now for a in seen.next_appointments)
    assert len(seen.next_appointments) <= overview.NEXT_APPOINTMENTS


def test_a_pilot_is_offered_only_when_one_of_the_subjects_own_sites_runs_it(data, default_db):
    citizen = _adult_with_consent(data)
    with Session(engine_for(default_db)) as session:
        now = access.reference_now(session)
        office = next(iter(overview.own_sites(session, citizen, now.date())))
        here = Pilot("her", "Pilot her", "team", "", "pilot", "x.ipynb", site_ids=(office,))
        elsewhere = Pilot("der", "Pilot der", "team", "", "pilot", "x.ipynb", site_ids=(office + 100_000,))
        seen = overview.overview(session, Actor(citizen), now, registry=[here, elsewhere])
    assert [(p.pilot_id, p.site_id) for p in seen.pilots] == [("her", office)]
