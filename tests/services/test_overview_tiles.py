"""The overview's tiles are read the short way (numpy on one citizen's Arrow rows, skipping what cannot
matter); each must say what the full service view says, for every citizen tried."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from helsekit.services import access, appointments, copayments, messages, referrals
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for


@pytest.fixture(scope="module")
def adults(data):
    """Citizens of 16 or more with Full consent: they may see every tile themselves."""
    profiles = data.helsenorge_profiles
    return set(profiles.loc[profiles["consent_level"] == "full", "citizen_id"])


def _some(ids, adults, n=60):
    return [int(i) for i in pd.unique(pd.Series(list(ids))) if i in adults][:n]


def test_the_referral_tile_lists_exactly_the_active_tab(data, adults, default_db):
    with Session(engine_for(default_db)) as session:
        now = access.reference_now(session)
        for citizen in _some(data.referrals["citizen_id"], adults):
            tab = referrals.view(session, Actor(citizen), now).active
            tile = referrals.statuses_for_overview(session, citizen, now.date())
            assert [(t.referral_id, t.status, t.status_on, t.legal_deadline) for t in tile] == \
                   [(r.referral_id, r.status, r.status_on, r.legal_deadline) for r in tab]


def test_the_appointment_tile_is_the_first_future_appointments(data, adults, default_db):
    ahead = data.hospital_appointments[data.hospital_appointments["status"] == "booked"]["citizen_id"]
    with Session(engine_for(default_db)) as session:
        now = access.reference_now(session)
        for citizen in _some(ahead, adults):
            future = appointments.list_appointments(session, Actor(citizen), now).future
            assert appointments.upcoming(session, citizen, now, 3) == future[:3]


def test_the_unread_count_is_the_unread_messages_of_the_inbox(data, adults, default_db):
    recent = data.messages[(data.messages["sender"] == "legekontor")
                           & (data.messages["sent_at"] >= data.reference_date - pd.Timedelta(days=20))]["citizen_id"]
    with Session(engine_for(default_db)) as session:
        now = access.reference_now(session)
        counts = []
        for citizen in _some(recent, adults):
            counts.append(messages.unread_count(session, citizen, now))
            assert counts[-1] == sum(m.unread for m in messages.inbox(session, Actor(citizen), now))
    assert any(counts) and not all(counts)  # both kinds were tried


def test_a_frikort_is_shown_exactly_for_the_years_it_was_reached(data, adults, default_db):
    cards = data.frikort[data.frikort["year"] == 2023]
    with_card = _some(cards["citizen_id"], adults, 30)
    without = _some(data.copayments.loc[~data.copayments["citizen_id"].isin(cards["citizen_id"]), "citizen_id"], adults, 30)
    with Session(engine_for(default_db)) as session:
        for citizen in with_card:
            shown = copayments.frikort_progress(session, citizen, 2023)
            row = cards[cards["citizen_id"] == citizen].iloc[0]
            assert shown.frikort is not None and shown.frikort.reached_on == row["reached_on"].date() and shown.left == 0
        for citizen in without:
            assert copayments.frikort_progress(session, citizen, 2023, dt.date(2023, 12, 31)).frikort is None
