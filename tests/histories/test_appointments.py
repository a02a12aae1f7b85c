"""Appointment status histories: booked first, the final status last and matching the appointment,
nothing confirmed once cancelled, and a change always moves a time that was still ahead."""

from __future__ import annotations

import pandas as pd
import pytest

import helsekit

FINAL = {"attended", "no_show", "cancelled"}


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def events(data):
    return data.appointment_events


def test_every_physical_gp_appointment_and_hospital_appointment_has_a_history_beginning_with_booked(data, events):
    gp = data.gp_contacts[data.gp_contacts["kind"] == "consultation"]
    first = events.groupby(["appointment_kind", "appointment_id"])["status"].first()
    assert (first == "booked").all()
    assert set(first.loc["fastlege"].index) == set(gp["contact_id"])
    booked_before = data.hospital_appointments["start"] < data.reference_date
    assert set(data.hospital_appointments.loc[booked_before, "appointment_id"]) <= set(first.loc["sykehus"].index)


def test_the_last_status_is_the_appointments_own_and_comes_last_in_time(data, events):
    last = events.groupby(["appointment_kind", "appointment_id"]).last()
    gp = data.gp_contacts[data.gp_contacts["kind"] == "consultation"].set_index("contact_id")
    gp_last = last.loc["fastlege"]
    assert (gp_last["status"] == gp.loc[gp_last.index, "status"]).all()
    assert (gp_last.loc[gp_last["status"] != "cancelled", "at"] == gp.loc[gp_last.index[gp_last["status"] != "cancelled"], "start"]).all()
    hospital = data.hospital_appointments.set_index("appointment_id")
    h_last = last.loc["sykehus"]
    done = h_last["status"].isin(FINAL)
    assert (h_last.loc[done, "status"] == hospital.loc[h_last.index[done], "status"]).all()
    assert (hospital.loc[h_last.index[~done], "status"] == "booked").all()
    same = events["appointment_kind"].eq(events["appointment_kind"].shift()) & events["appointment_id"].eq(events["appointment_id"].shift())
    assert (events.loc[same, "at"].to_numpy() >= events["at"].shift()[same].to_numpy()).all()


def test_nothing_is_confirmed_after_a_cancellation_and_only_one_final_status(events):
    finals = events[events["status"].isin(FINAL)]
    assert finals.groupby(["appointment_kind", "appointment_id"]).size().max() == 1
    cancelled = events.loc[events["status"] == "cancelled", ["appointment_kind", "appointment_id"]]
    confirmed = events.loc[events["status"] == "confirmed", ["appointment_kind", "appointment_id"]]
    assert cancelled.merge(confirmed).empty


def test_a_change_moves_a_time_that_was_still_ahead(events):
    changed = events[events["status"] == "changed"]
    assert len(changed) > 0
    assert (changed["previous_start"] > changed["at"]).all()
    assert events.loc[events["status"] != "changed", "previous_start"].isna().all()


def test_gp_bookings_keep_their_channel_and_hospital_times_come_from_the_referral(data, events):
    booked = events[events["status"] == "booked"]
    gp = booked[booked["appointment_kind"] == "fastlege"].merge(data.gp_contacts, left_on="appointment_id", right_on="contact_id")
    assert (gp["channel"] == gp["booking_channel"]).all()
    assert (gp["at"] == gp["booked_at"]).all()
    assert (booked.loc[booked["appointment_kind"] == "sykehus", "channel"] == "referral").all()


def test_only_what_happened_before_the_reference_date_is_known(data, events):
    assert (events["at"] < data.reference_date).all()
    assert pd.api.types.is_datetime64_any_dtype(events["at"])
