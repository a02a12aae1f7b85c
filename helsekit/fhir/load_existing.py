"""A provider feeding a pilot: booked or cancelled Appointments into a database that has citizens (see
:mod:`helsekit.fhir.importer`). Each becomes a booking, so Min helse shows it with the citizen's other
appointments; everything is written in one transaction, and nothing when any resource is refused."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from helsekit.domain.bookings import Booking, BookingKind, BookingStatus
from helsekit.domain.citizens import Citizen
from helsekit.domain.gp_lists import GpList, GpListMembership
from helsekit.domain.organisations import Organisation
from helsekit.domain.practitioners import Practitioner
from helsekit.fhir import identifiers as ids
from helsekit.fhir.importer import Feed, ImportResult
from helsekit.fhir.parse import local_time
from helsekit.storage.database import engine_for

#: Which participant an identifier system names.
_NAMED_BY = {ids.FNR: "Patient", ids.DNR: "Patient", ids.HPR: "Practitioner", ids.ORGANISATION_NUMBER: "Location", ids.RESH: "Location",
             ids.HER_ID: "Location"}
_COLUMN = {ids.ORGANISATION_NUMBER: Organisation.organisation_number, ids.RESH: Organisation.resh_id, ids.HER_ID: Organisation.her_id}
_STATUS = {"booked": BookingStatus.BOOKED, "cancelled": BookingStatus.CANCELLED}


def _actors(resource: dict) -> dict[str, dict]:
    """The Appointment's participants by kind (Patient, Practitioner, Location), from literal or logical references."""
    found = {}
    for entry in resource.get("participant", []):
        actor = entry.get("actor", {})
        kind = actor.get("reference", "").split("/")[0] or actor.get("type") or _NAMED_BY.get(actor.get("identifier", {}).get("system"))
        if kind in ("Organization", "HealthcareService"):
            kind = "Location"
        found.setdefault(kind, actor)
    return found


def _resolve(session: Session, actor: dict | None, model, by_identifier) -> object | None:
    if actor is None:
        return None
    if "reference" in actor:
        local = actor["reference"].split("/")[-1]
        return session.get(model, int(local)) if local.isdigit() else None  # another system's id names nobody here
    identifier = actor.get("identifier", {})
    column = by_identifier(identifier.get("system"))
    return None if column is None else session.exec(select(model).where(column == identifier.get("value"))).first()


def _gp_list(session: Session, citizen_id: int, office_id: int, day: dt.date) -> int | None:
    return session.exec(select(GpList.id).join(GpListMembership, GpListMembership.gp_list_id == GpList.id).where(
        GpListMembership.citizen_id == citizen_id, GpList.gp_office_id == office_id, GpListMembership.valid_from <= day,
        (GpListMembership.valid_to.is_(None)) | (GpListMembership.valid_to >= day))).first()


def _booking(session: Session, resource: dict, now: dt.datetime) -> Booking | str:
    """The booking an Appointment becomes, or the reason it is skipped."""
    if resource["status"] not in _STATUS:
        return f"status {resource['status']}: a provider feed adds booked or cancelled appointments; past ones are the history's"
    actors = _actors(resource)
    citizen = _resolve(session, actors.get("Patient"), Citizen,
                       lambda s: Citizen.person_number if s in (ids.FNR, ids.DNR) else None)
    if citizen is None:
        return "its Patient is not a citizen of this database"
    site = _resolve(session, actors.get("Location"), Organisation, _COLUMN.get)
    if site is None or site.kind not in ("hospital", "gp_office"):
        return "its Location is not a hospital or GP office of this database"
    practitioner = _resolve(session, actors.get("Practitioner"), Practitioner, lambda s: Practitioner.hpr_number if s == ids.HPR else None)
    start, end = local_time(resource.get("start")), local_time(resource.get("end"))
    if start is None or end is None or end <= start:
        return "it needs a start and a later end"
    kind = BookingKind.HOSPITAL if site.kind == "hospital" else BookingKind.GP
    calendar = site.id if kind == BookingKind.HOSPITAL else _gp_list(session, citizen.id, site.id, start.date())
    if calendar is None:
        return f"the citizen is on no GP list at {site.name} on {start.date()}"
    status = _STATUS[resource["status"]]
    if status == BookingStatus.BOOKED and session.exec(select(Booking.id).where(
            Booking.kind == kind, Booking.resource_id == calendar, Booking.start == start,
            Booking.status == BookingStatus.BOOKED, Booking.holds_slot)).first() is not None:
        return f"{start:%Y-%m-%d %H:%M} in that calendar is already booked"
    return Booking(citizen_id=citizen.id, booked_by=citizen.id, kind=kind, site_id=site.id, resource_id=calendar,
                   practitioner_id=practitioner.id if practitioner else None, start=start, end=end, status=status,
                   cancelled_at=now if status == BookingStatus.CANCELLED else None, created_at=now)


def load(feed: Feed, db: str, now: dt.datetime | None = None) -> ImportResult:
    """Write the feed's Appointments as bookings, in one transaction; report the rest as skipped."""
    from helsekit.services.access import reference_now

    result = ImportResult(db, "database with citizens")
    with Session(engine_for(db)) as session:
        now = now or reference_now(session)
        for resource in feed.resources:
            if resource["resourceType"] != "Appointment":
                result.skip(resource, f"into a database with citizens helsekit loads Appointments only, not {resource['resourceType']}")
                continue
            booking = _booking(session, resource, now)
            if isinstance(booking, str):
                result.skip(resource, booking)
                continue
            session.add(booking)
            session.flush()  # the next appointment's check sees this one
            result.loaded["Appointment"] += 1
        session.commit()
    return result
