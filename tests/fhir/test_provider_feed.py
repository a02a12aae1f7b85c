"""A provider's Bundle of appointments, naming people and sites by identifier, becomes bookings Min helse shows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import Session, select

from helsekit.domain.bookings import Booking
from helsekit.domain.citizens import Citizen
from helsekit.domain.consents import HelsenorgeProfile
from helsekit.domain.organisations import Organisation
from helsekit.fhir import identifiers as ids
from helsekit.fhir.importer import import_fhir
from helsekit.services import overview
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.storage.sandbox import sandbox


def _appointment(number, person_number, resh, start, status="booked"):
    return {"resourceType": "Appointment", "id": f"p{number}", "status": status, "start": start,
            "end": start.replace("T10:00", "T10:30"),
            "participant": [{"actor": {"type": "Patient", "identifier": {"system": ids.FNR, "value": person_number}}, "status": "accepted"},
                            {"actor": {"identifier": {"system": ids.RESH, "value": resh}}, "status": "accepted"}]}


@pytest.fixture()
def fed(tiny_db, tmp_path):
    """A sandbox of tiny, a citizen with consent to Helsenorge, a hospital, and a bundle of two appointments there."""
    work = sandbox(tiny_db, tmp_path / "sandbox")
    with Session(engine_for(work)) as session:
        subject = session.exec(select(Citizen).join(HelsenorgeProfile, HelsenorgeProfile.citizen_id == Citizen.id).where(
            HelsenorgeProfile.consent_level == "full", Citizen.death_date.is_(None))).first()
        hospital = session.exec(select(Organisation).where(Organisation.kind == "hospital", Organisation.resh_id.is_not(None))).first()
    entries = [_appointment(1, subject.person_number, hospital.resh_id, "2025-01-20T10:00:00+01:00"),  # winter: UTC+1
               _appointment(2, subject.person_number, hospital.resh_id, "2025-06-16T10:00:00+02:00"),  # summer: UTC+2
               {"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "blodtrykk"}}]
    bundle = tmp_path / "feed.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": e} for e in entries]}))
    return work, subject, hospital, bundle


def test_provider_appointments_appear_among_the_citizens_next_appointments(fed):
    work, subject, hospital, bundle = fed
    result = import_fhir(bundle, work)
    assert result.loaded["Appointment"] == 2
    with Session(engine_for(work)) as session:
        view = overview.overview(session, Actor(subject.id), dt.datetime(2025, 1, 1, 12), registry=[])
    shown = {(a.start, a.site_id) for a in view.next_appointments}
    assert {(dt.datetime(2025, 1, 20, 10), hospital.id), (dt.datetime(2025, 6, 16, 10), hospital.id)} <= shown


def test_what_is_not_loaded_is_reported_with_the_reason(fed):
    work, _, _, bundle = fed
    result = import_fhir(bundle, work)
    assert result.skipped == [("Observation/o1", "into a database with citizens helsekit loads Appointments only, not Observation")]


def test_importing_the_same_feed_twice_books_each_time_once(fed):
    work, subject, _, bundle = fed
    import_fhir(bundle, work)
    again = import_fhir(bundle, work)
    assert again.loaded["Appointment"] == 0
    assert [reason for _, reason in again.skipped[:2]] == ["2025-01-20 10:00 in that calendar is already booked",
                                                           "2025-06-16 10:00 in that calendar is already booked"]
    with Session(engine_for(work)) as session:
        assert len(session.exec(select(Booking).where(Booking.citizen_id == subject.id)).all()) == 2


def test_an_appointment_for_a_patient_known_only_by_another_systems_id_is_skipped(fed):
    work, _, hospital, bundle = fed
    feed = json.loads(bundle.read_text())
    feed["entry"][0]["resource"]["participant"][0]["actor"] = {"reference": "Patient/dips-4711"}
    bundle.write_text(json.dumps(feed))
    result = import_fhir(bundle, work)
    assert result.loaded["Appointment"] == 1
    assert result.skipped[0] == ("Appointment/p1", "its Patient is not a citizen of this database")
