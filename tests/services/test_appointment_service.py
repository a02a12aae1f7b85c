"""Timebestilling on Min helse: the archive's appointments and what is done on the portal, booking only
free slots of one's own fastlege, moving and cancelling until 24 hours before, confirming, asking, and
an iCalendar export that reads back."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from sqlmodel import Session, func, select

from helsekit.domain.bookings import Booking
from helsekit.domain.inbox import PortalMessage, Topic
from helsekit.errors import DeadlinePassed, InvalidInput, NotFound, SlotTaken
from helsekit.services import appointments
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage.database import engine_for

NOW = dt.datetime(2025, 1, 1, 12, 0)  # the default profile's reference date, at noon (a public holiday)


@pytest.fixture(scope="module")
def adults(data):
    """Citizens who may book for themselves (16+, consent Basis or Full, no confidential address) with
    their GP list of the reference date, on lists with a fastlege."""
    citizens = data.citizens.set_index("id")
    profiles = data.helsenorge_profiles.set_index("citizen_id")
    members = data.gp_list_memberships[data.gp_list_memberships["valid_to"].isna()]
    members = members.merge(data.gp_lists[["id", "practitioner_id", "gp_office_id"]], left_on="gp_list_id", right_on="id", suffixes=("", "_list"))
    members = members[members["practitioner_id"].notna()]
    ok = [c for c in members["citizen_id"] if c in profiles.index and profiles.at[c, "consent_level"] in ("basis", "full")
          and citizens.at[c, "age"] >= 16 and citizens.at[c, "address_protection"] == "none"]
    return members[members["citizen_id"].isin(ok)].set_index("citizen_id")[["gp_list_id", "practitioner_id", "gp_office_id"]]


def _neighbours(adults, count=2):
    """``count`` adults on the same GP list."""
    gp_list = adults["gp_list_id"].value_counts().index[0]
    return [int(c) for c in adults.index[adults["gp_list_id"] == gp_list][:count]]


def _archive_confirmed(data):
    events = data.appointment_events
    return set(events[(events["appointment_kind"] == "sykehus") & (events["status"] == "confirmed")]["appointment_id"])


def _hospital_patient(data, adults, confirmed=False):
    """An adult with a hospital appointment more than two days ahead (confirmed in the archive or not), and that appointment."""
    ahead = data.hospital_appointments
    ahead = ahead[(ahead["status"] == "booked") & (ahead["start"] > NOW + dt.timedelta(days=2)) & ahead["citizen_id"].isin(adults.index)
                  & (ahead["appointment_id"].isin(_archive_confirmed(data)) == confirmed)]
    row = ahead.sort_values("start").iloc[0]
    return int(row.citizen_id), row


def _bookings(session, **where):
    query = select(func.count()).select_from(Booking)
    for column, value in where.items():
        query = query.where(getattr(Booking, column) == value)
    return session.exec(query).one()


def test_the_list_has_the_archives_hospital_appointments_ahead_and_gp_consultations_behind(db, data, adults):
    citizen, _ = _hospital_patient(data, adults)
    hospital = data.hospital_appointments[data.hospital_appointments["citizen_id"] == citizen]
    gp = data.gp_contacts[(data.gp_contacts["citizen_id"] == citizen) & (data.gp_contacts["kind"] == "consultation")]
    with Session(engine_for(db)) as session:
        seen = appointments.list_appointments(session, Actor(citizen), NOW)
    assert [a.ref for a in seen.future] == [f"sykehus-{i}" for i in hospital[hospital["start"] > NOW].sort_values("start")["appointment_id"]]
    assert {a.ref for a in seen.past} == {f"sykehus-{i}" for i in hospital[hospital["start"] <= NOW]["appointment_id"]} | {f"fastlege-{i}" for i in gp["contact_id"]}
    assert all(a.status == "booked" for a in seen.future) and all(a.site_name for a in seen.future)
    assert [a.start for a in seen.past] == sorted((a.start for a in seen.past), reverse=True)


def test_free_slots_are_20_minute_slots_from_8_to_16_on_working_days_with_ones_own_fastlege(db, adults):
    citizen = _neighbours(adults, 1)[0]
    with Session(engine_for(db)) as session:
        slots = appointments.free_slots(session, Actor(citizen), NOW, days=14)
    # 1–14 January 2025: 1 January is a public holiday, 4–5 and 11–12 are weekends: 9 working days of 24 slots.
    assert len(slots) == 9 * 24
    assert {s.start.date() for s in slots} == {dt.date(2025, 1, d) for d in (2, 3, 6, 7, 8, 9, 10, 13, 14)}
    assert min(s.start.time() for s in slots) == dt.time(8, 0) and max(s.start.time() for s in slots) == dt.time(15, 40)
    assert all(s.start.minute % 20 == 0 and s.end - s.start == dt.timedelta(minutes=20) for s in slots)
    assert {s.practitioner_id for s in slots} == {adults.at[citizen, "practitioner_id"]}
    assert {s.site_id for s in slots} == {adults.at[citizen, "gp_office_id"]}


def test_a_slot_cannot_be_booked_twice(db, adults):
    first, second = _neighbours(adults)
    with Session(engine_for(db)) as session:
        slot = appointments.free_slots(session, Actor(first), NOW)[30]
        booked = appointments.book(session, Actor(first), slot.start, NOW)
        assert booked.ref.startswith("time-") and booked.status == "booked" and booked.practitioner_id == slot.practitioner_id
        with pytest.raises(SlotTaken) as taken:
            appointments.book(session, Actor(second), slot.start, NOW)
        assert taken.value.field == "start" and taken.value.message_nb.startswith("Timen er allerede tatt")
        assert slot.start not in {s.start for s in appointments.free_slots(session, Actor(second), NOW)}
        assert _bookings(session) == 1
        assert [a.ref for a in appointments.list_appointments(session, Actor(first), NOW).future] == [booked.ref]


def test_a_cancelled_slot_can_be_booked_again(db, adults):
    first, second = _neighbours(adults)
    with Session(engine_for(db)) as session:
        slot = appointments.free_slots(session, Actor(first), NOW)[100]
        booked = appointments.book(session, Actor(first), slot.start, NOW)
        assert appointments.cancel(session, Actor(first), booked.ref, NOW).status == "cancelled"
        assert appointments.book(session, Actor(second), slot.start, NOW).start == slot.start
        mine = appointments.list_appointments(session, Actor(first), NOW)
        assert booked.ref in {a.ref for a in mine.past} and booked.ref not in {a.ref for a in mine.future}


@pytest.mark.parametrize("start", [
    dt.datetime(2025, 1, 1, 9, 0),  # already past
    dt.datetime(2025, 1, 1, 13, 0),  # 1 January: a public holiday
    dt.datetime(2025, 1, 4, 10, 0),  # a Saturday
    dt.datetime(2025, 1, 7, 8, 10),  # between two slots
    dt.datetime(2025, 1, 7, 7, 40),  # before opening
    dt.datetime(2025, 1, 7, 16, 0),  # after closing
    dt.datetime(2025, 3, 3, 10, 0),  # beyond the four weeks the calendar is open
    "2025-01-07 10:00",  # not a datetime
])
def test_booking_anything_but_a_future_slot_of_the_open_calendar_is_refused_naming_start(db, adults, start):
    citizen = _neighbours(adults, 1)[0]
    with Session(engine_for(db)) as session:
        with pytest.raises(InvalidInput) as refused:
            appointments.book(session, Actor(citizen), start, NOW)
        assert refused.value.field == "start" and refused.value.message_nb
        assert _bookings(session) == 0


def test_only_ones_own_fastlege_can_be_booked(db, adults):
    citizen = _neighbours(adults, 1)[0]
    other = int(adults.loc[adults["gp_list_id"] != adults.at[citizen, "gp_list_id"], "practitioner_id"].iloc[0])
    with Session(engine_for(db)) as session:
        with pytest.raises(InvalidInput) as refused:
            appointments.book(session, Actor(citizen), dt.datetime(2025, 1, 7, 10, 0), NOW, practitioner_id=other)
        assert refused.value.field == "practitioner_id"
        own = int(adults.at[citizen, "practitioner_id"])
        assert appointments.book(session, Actor(citizen), dt.datetime(2025, 1, 7, 10, 0), NOW, practitioner_id=own).practitioner_id == own


def test_an_appointment_less_than_24_hours_ahead_can_be_neither_cancelled_nor_moved(db, adults):
    citizen = _neighbours(adults, 1)[0]
    with Session(engine_for(db)) as session:
        booked = appointments.book(session, Actor(citizen), dt.datetime(2025, 1, 3, 10, 0), NOW)
        late = dt.datetime(2025, 1, 2, 11, 0)  # 23 hours before
        with pytest.raises(DeadlinePassed) as refused:
            appointments.cancel(session, Actor(citizen), booked, late)
        assert refused.value.field == "cancellation_deadline" and "24 timer" in refused.value.message_nb
        with pytest.raises(DeadlinePassed):
            appointments.change(session, Actor(citizen), booked, dt.datetime(2025, 1, 8, 10, 0), late)
        assert appointments.cancel(session, Actor(citizen), booked, dt.datetime(2025, 1, 2, 9, 0)).status == "cancelled"  # 25 hours before


def test_a_hospital_appointment_moves_to_a_free_slot_of_the_same_hospital_and_loses_its_confirmation(db, data, adults):
    citizen, row = _hospital_patient(data, adults)
    ref = f"sykehus-{row.appointment_id}"
    with Session(engine_for(db)) as session:
        assert appointments.confirm(session, Actor(citizen), ref, NOW).confirmed
        target = appointments.free_slots(session, Actor(citizen), NOW, days=10, appointment=ref)[-1]
        assert target.site_id == row.hospital_id and target.end - target.start == dt.timedelta(minutes=30)
        moved = appointments.change(session, Actor(citizen), ref, target.start, NOW)
        assert (moved.ref, moved.start, moved.site_id, moved.confirmed) == (ref, target.start, row.hospital_id, False)
        listed = {a.ref: a for a in appointments.list_appointments(session, Actor(citizen), NOW).future}
        assert listed[ref].start == target.start
        assert target.start not in {s.start for s in appointments.free_slots(session, Actor(citizen), NOW, days=10, appointment=ref)}
        assert _bookings(session, citizen_id=citizen) == 1  # the one row the confirmation made, now moved


def test_there_are_no_times_to_move_a_past_appointment_to(db, data, adults):
    citizen, _ = _hospital_patient(data, adults)
    past = data.gp_contacts[(data.gp_contacts["citizen_id"] == citizen) & (data.gp_contacts["kind"] == "consultation")]["contact_id"].iloc[0]
    with Session(engine_for(db)) as session:
        with pytest.raises(InvalidInput) as refused:
            appointments.free_slots(session, Actor(citizen), NOW, appointment=f"fastlege-{past}")
        assert refused.value.field == "appointment"


def test_confirming_twice_keeps_the_first_confirmation(db, data, adults):
    citizen, row = _hospital_patient(data, adults)
    ref = f"sykehus-{row.appointment_id}"
    with Session(engine_for(db)) as session:
        appointments.confirm(session, Actor(citizen), ref, NOW)
        appointments.confirm(session, Actor(citizen), ref, NOW + dt.timedelta(hours=1))
        assert session.exec(select(Booking.confirmed_at).where(Booking.citizen_id == citizen)).all() == [NOW]


def test_an_appointment_confirmed_in_the_archive_is_shown_confirmed_and_confirming_it_writes_nothing(db, data, adults):
    citizen, row = _hospital_patient(data, adults, confirmed=True)
    ref = f"sykehus-{row.appointment_id}"
    with Session(engine_for(db)) as session:
        assert {a.ref: a.confirmed for a in appointments.list_appointments(session, Actor(citizen), NOW).future}[ref]
        assert appointments.confirm(session, Actor(citizen), ref, NOW).confirmed
        assert _bookings(session) == 0


def test_a_cancelled_archive_appointment_cannot_be_confirmed(db, data, adults):
    citizen, row = _hospital_patient(data, adults)
    ref = f"sykehus-{row.appointment_id}"
    with Session(engine_for(db)) as session:
        appointments.cancel(session, Actor(citizen), ref, NOW)
        with pytest.raises(InvalidInput) as refused:
            appointments.confirm(session, Actor(citizen), ref, NOW)
        assert refused.value.field == "appointment"


def test_a_question_about_an_appointment_goes_to_the_hospital_in_a_new_thread(db, data, adults):
    citizen, row = _hospital_patient(data, adults)
    with Session(engine_for(db)) as session:
        asked = appointments.ask(session, Actor(citizen), f"sykehus-{row.appointment_id}", "  Kan jeg ta med ledsager?  ", NOW)
        message = session.get(PortalMessage, asked.message_id)
        assert (message.topic, message.organisation_id, message.citizen_id, message.thread_id) == (Topic.APPOINTMENT_QUESTION, row.hospital_id, citizen, message.id)
        assert (message.body, message.appointment_kind, message.appointment_id, message.written_by) == ("Kan jeg ta med ledsager?", "sykehus", row.appointment_id, citizen)
        with pytest.raises(InvalidInput) as empty:
            appointments.ask(session, Actor(citizen), f"sykehus-{row.appointment_id}", "   ", NOW)
        assert empty.value.field == "text"


def test_someone_elses_appointment_is_not_found_and_nothing_is_written(db, data, adults):
    citizen, row = _hospital_patient(data, adults)
    stranger = next(c for c in _neighbours(adults, 5) if c != citizen)
    with Session(engine_for(db)) as session:
        with pytest.raises(NotFound):
            appointments.cancel(session, Actor(stranger), f"sykehus-{row.appointment_id}", NOW)
        assert _bookings(session) == 0


def test_a_13_year_old_cannot_book_and_nothing_is_written(db, data):
    young = data.citizens[data.citizens["age"] == 13]["id"]
    listed = set(data.gp_list_memberships[data.gp_list_memberships["valid_to"].isna()]["citizen_id"])
    citizen = int(next(c for c in young if c in listed))
    with Session(engine_for(db)) as session:
        with pytest.raises(AccessDenied) as refused:
            appointments.book(session, Actor(citizen), dt.datetime(2025, 1, 7, 10, 0), NOW)
        assert refused.value.field == "§3.4"
        assert _bookings(session) == 0


def test_the_ics_export_reads_back_with_one_event_per_appointment_in_oslo_time(db, data, adults):
    citizen, _ = _hospital_patient(data, adults)
    with Session(engine_for(db)) as session:
        booked = appointments.book(session, Actor(citizen), dt.datetime(2025, 1, 9, 14, 20), NOW)
        seen = appointments.list_appointments(session, Actor(citizen), NOW)
    chosen = seen.future + seen.past[:2]
    calendar = icalendar.Calendar.from_ical(appointments.to_ics(chosen))
    assert str(calendar["VERSION"]) == "2.0" and "helsekit" in str(calendar["PRODID"])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    events = calendar.walk("VEVENT")
    assert len(events) == len(chosen) and len({str(e["UID"]) for e in events}) == len(chosen)
    by_start = {e.decoded("DTSTART").replace(tzinfo=None): e for e in events}
    assert set(by_start) == {a.start for a in chosen}
    gp = by_start[booked.start]
    assert str(gp.decoded("DTSTART").tzinfo) == "Europe/Oslo"
    assert gp.decoded("DTEND") - gp.decoded("DTSTART") == dt.timedelta(minutes=20)
    assert booked.site_name in str(gp["LOCATION"]) and booked.practitioner_name in str(gp["DESCRIPTION"])
    assert all("Syntetiske data" in str(e["SUMMARY"]) and "Syntetiske data" in str(e["DESCRIPTION"]) for e in events)
    single = icalendar.Calendar.from_ical(appointments.to_ics(booked)).walk("VEVENT")
    assert [e.decoded("DTSTART").replace(tzinfo=None) for e in single] == [booked.start]
