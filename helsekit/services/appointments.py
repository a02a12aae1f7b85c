"""Appointments on Min helse (issue #4, point 1): the fastlege's and the hospital's, future and past;
book a free slot with one's own fastlege; move, cancel (until the site's deadline), confirm and ask
about an appointment; export to iCalendar.

Appointments before the reference date come from the history archive (``gp_contacts`` consultations,
``hospital_appointments`` and their ``appointment_events``); what is done here is written to the live
table :class:`~helsekit.domain.bookings.Booking`, which overrides the archive for an appointment
moved, cancelled or confirmed on Min helse. Times are local (Europe/Oslo), without a time zone.
Slot grids, deadlines and what "confirm" means are modelling choices in ``synthetic_data/specs/bookings.toml``.

An appointment is named by its ``ref``: ``fastlege-<contact_id>`` or ``sykehus-<appointment_id>`` for
one from the archive (also after it is moved), ``time-<booking id>`` for one booked on Min helse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Iterable
from zoneinfo import ZoneInfo

import icalendar
import numpy as np
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from helsekit.domain import calendar
from helsekit.domain.bookings import ONE_PER_ARCHIVE_APPOINTMENT, ONE_PER_SLOT, Booking, BookingKind, BookingStatus
from helsekit.domain.gp_lists import GpList, GpListMembership
from helsekit.domain.inbox import PortalMessage, Sender, Topic
from helsekit.domain.organisations import Organisation
from helsekit.domain.practitioners import Practitioner
from helsekit.errors import DeadlinePassed, InvalidInput, NotFound, RuleBroken, SlotTaken
from helsekit.generator import specs
from helsekit.services import access, histories, policy
from helsekit.services.actors import Actor

SPEC = "bookings"
PORTAL_REF = "time"


@dataclass(frozen=True)
class Appointment:
    """One appointment as the citizen sees it.

    ``status`` is booked, cancelled, attended or no_show (helsekit does not know whether a time booked
    on Min helse was kept: it stays booked once past). ``calendar_id`` is the GP list (fastlege) or the
    hospital (sykehus) whose slots it takes; ``booking_id`` the live row, where one exists. The site
    and calendar are None for a past consultation while the citizen was on no GP list.
    """

    ref: str
    kind: str
    citizen_id: int
    start: dt.datetime
    end: dt.datetime
    status: str
    confirmed: bool
    site_id: int | None
    calendar_id: int | None
    practitioner_id: int | None = None
    referral_id: int | None = None
    booking_id: int | None = None
    site_name: str = ""
    site_address: str = ""
    practitioner_name: str | None = None


@dataclass(frozen=True)
class Appointments:
    """``future``: booked and not yet begun, soonest first; ``past``: the rest (held, missed, cancelled), newest first."""

    future: list[Appointment]
    past: list[Appointment]


@dataclass(frozen=True)
class Slot:
    """A free time in a calendar (the GP list of ``practitioner_id``, or a hospital)."""

    kind: str
    start: dt.datetime
    end: dt.datetime
    site_id: int
    calendar_id: int
    practitioner_id: int | None


@dataclass(frozen=True)
class Question:
    """A question about an appointment, sent as the first message of a new inbox thread."""

    message_id: int
    thread_id: int
    organisation_id: int
    appointment_ref: str
    sent_at: dt.datetime


# --- Slot grids: the archive's own, on working days. --------------------------------------------

def _grid(kind: str) -> tuple[int, int, int]:
    """(first hour, closing hour, slot minutes) of a kind's calendar: the numbers the archive was generated on."""
    spec = specs.load("gp_contacts")["booking"] if kind == BookingKind.GP else specs.load("referrals")["hospital_appointments"]
    return spec["day_hours"][0], spec["day_hours"][1], spec["slot_minutes"]


def _rules(kind: str) -> dict:
    return specs.load(SPEC)[kind]


def _working_day(day: dt.date) -> bool:
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=calendar.working_days(day.year, day.year)))


def _day_slots(kind: str, day: dt.date) -> list[dt.datetime]:
    opens, closes, minutes = _grid(kind)
    if not _working_day(day):
        return []
    first = dt.datetime.combine(day, dt.time(opens))
    return [first + dt.timedelta(minutes=m) for m in range(0, (closes - opens) * 60, minutes)]


def _slot_length(kind: str) -> dt.timedelta:
    return dt.timedelta(minutes=_grid(kind)[2])


def _check_slot(kind: str, start: object, now: dt.datetime) -> dt.datetime:
    """``start`` as a slot of ``kind``'s grid within the booking horizon, or InvalidInput naming ``start``."""
    if not isinstance(start, dt.datetime) or start.tzinfo is not None:
        raise InvalidInput(f"start {start!r} must be a local date and time (Europe/Oslo) without a time zone",
                           "Tidspunktet må være en lokal dato og tid.", "start")
    if start <= now:
        raise InvalidInput(f"start {start:%Y-%m-%d %H:%M} is not in the future", "Du kan bare velge en time frem i tid.", "start")
    horizon = _rules(kind)["horizon_days"]
    if start.date() > now.date() + dt.timedelta(days=horizon):
        raise InvalidInput(f"start {start:%Y-%m-%d} is more than {horizon} days ahead, beyond the open calendar",
                           f"Du kan bare velge en time inntil {horizon} dager frem i tid.", "start")
    if not _working_day(start.date()):
        raise InvalidInput(f"start {start:%Y-%m-%d} is not a working day", "Det er ikke mulig å bestille time på en helgedag eller helligdag.", "start")
    if start not in _day_slots(kind, start.date()):
        opens, closes, minutes = _grid(kind)
        raise InvalidInput(f"start {start:%H:%M} is not a slot: slots are {minutes} minutes from {opens:02d}:00 until {closes:02d}:00",
                           f"Timene er på {minutes} minutter mellom kl. {opens:02d}.00 og {closes:02d}.00.", "start")
    return start


def _taken(session: Session, kind: str, calendar_id: int, first: dt.datetime, last: dt.datetime) -> set[dt.datetime]:
    rows = session.exec(select(Booking.start).where(
        Booking.kind == kind, Booking.resource_id == calendar_id, Booking.status == BookingStatus.BOOKED,
        Booking.holds_slot.is_(True), Booking.start >= first, Booking.start <= last)).all()
    return set(rows)


def _stamp(now: dt.datetime) -> dt.datetime:
    return now.replace(microsecond=0, tzinfo=None)


# --- The subject's appointments: archive, then the live table over it. ----------------------------

def _current_gp_list(session: Session, citizen_id: int, on: dt.date) -> GpList:
    """The GP list the citizen is on on ``on`` (§9); NotFound when none."""
    gp_list = session.exec(select(GpList).join(GpListMembership, GpListMembership.gp_list_id == GpList.id).where(
        GpListMembership.citizen_id == citizen_id, GpListMembership.valid_from <= on,
        or_(GpListMembership.valid_to.is_(None), GpListMembership.valid_to >= on))).first()
    if gp_list is None:
        raise NotFound(f"citizen {citizen_id} is on no GP list on {on}: there is no fastlege to book with",
                       "Personen står ikke på noen fastlegeliste, så det er ingen fastlege å bestille time hos.", "gp_list")
    return gp_list


_HOSPITAL_COLUMNS = ["appointment_id", "referral_id", "hospital_id", "start", "status"]
_GP_COLUMNS = ["contact_id", "start", "kind", "status", "gp_list_id", "gp_office_id", "practitioner_id"]


def _archive(session: Session, citizen_id: int, ahead_of: dt.datetime | None = None) -> dict[str, Appointment]:
    """The archive's appointments of the citizen. With ``ahead_of``: only hospital appointments still booked
    after that time (every fastlege consultation in the archive lies before the reference date)."""
    hospital = histories.table(session, "hospital_appointments", citizen_id, _HOSPITAL_COLUMNS)
    contacts = None
    if ahead_of is not None:
        hospital = hospital.filter((histories.column(hospital, "status") == BookingStatus.BOOKED)
                                   & (histories.column(hospital, "start") > np.datetime64(ahead_of)))
    else:
        contacts = histories.table(session, "gp_contacts", citizen_id, _GP_COLUMNS)
        contacts = contacts.filter(histories.column(contacts, "kind") == "consultation")
    if hospital.num_rows == 0 and (contacts is None or contacts.num_rows == 0):
        return {}
    events = histories.table(session, "appointment_events", citizen_id, ["appointment_kind", "appointment_id", "status"])
    events = events.filter(histories.column(events, "status") == "confirmed")
    confirmed = {f"{kind}-{number}" for kind, number in zip(histories.column(events, "appointment_kind"), histories.column(events, "appointment_id"))}
    found: dict[str, Appointment] = {}
    for r in contacts.to_pylist() if contacts is not None else []:
        ref, start = f"{BookingKind.GP}-{r['contact_id']}", r["start"]
        found[ref] = Appointment(ref, BookingKind.GP, citizen_id, start, start + _slot_length(BookingKind.GP), r["status"], ref in confirmed,
                                 r["gp_office_id"], r["gp_list_id"], r["practitioner_id"])
    for r in hospital.to_pylist():
        ref, start = f"{BookingKind.HOSPITAL}-{r['appointment_id']}", r["start"]
        found[ref] = Appointment(ref, BookingKind.HOSPITAL, citizen_id, start, start + _slot_length(BookingKind.HOSPITAL), r["status"], ref in confirmed,
                                 r["hospital_id"], r["hospital_id"], referral_id=r["referral_id"])
    return found


def _ref_of(row: Booking) -> str:
    return f"{row.kind}-{row.replaces_appointment_id}" if row.replaces_appointment_id is not None else f"{PORTAL_REF}-{row.id}"


def _apply(row: Booking, archived: Appointment | None) -> Appointment:
    """The appointment as the live row leaves it (over its archive version, if any)."""
    live = dict(start=row.start, end=row.end, status=row.status, confirmed=row.confirmed_at is not None, booking_id=row.id)
    if archived is not None:
        return dataclasses.replace(archived, **live)
    return Appointment(_ref_of(row), row.kind, row.citizen_id, site_id=row.site_id, calendar_id=row.resource_id,
                       practitioner_id=row.practitioner_id, **live)


def _named(session: Session, appointment: Appointment) -> Appointment:
    if appointment.site_id is None:
        return appointment
    site = session.get(Organisation, appointment.site_id)
    doctor = session.get(Practitioner, appointment.practitioner_id) if appointment.practitioner_id is not None else None
    return dataclasses.replace(appointment, site_name=site.name, site_address=site.street_address,
                               practitioner_name=f"{doctor.given_name} {doctor.family_name}" if doctor else None)


def _all(session: Session, citizen_id: int) -> dict[str, Appointment]:
    found = _archive(session, citizen_id)
    for row in session.exec(select(Booking).where(Booking.citizen_id == citizen_id)).all():
        ref = _ref_of(row)
        found[ref] = _apply(row, found.get(ref))
    return found


def _parse_ref(appointment: Appointment | str) -> str:
    ref = appointment.ref if isinstance(appointment, Appointment) else str(appointment)
    prefix, _, number = ref.partition("-")
    if prefix not in (*BookingKind.ALL, PORTAL_REF) or not number.isdigit():
        raise InvalidInput(f"appointment {ref!r} is not an appointment reference (fastlege-…, sykehus-… or time-…)",
                           "Ukjent time.", "appointment")
    return ref


def _find(session: Session, citizen_id: int, appointment: Appointment | str) -> Appointment:
    ref = _parse_ref(appointment)
    found = _all(session, citizen_id).get(ref)
    if found is None:
        raise NotFound(f"appointment {ref} is not one of this person's appointments", "Fant ikke timen blant personens timer.", "appointment")
    return found


def list_appointments(session: Session, actor: Actor, now: dt.datetime) -> Appointments:
    """The subject's fastlege and hospital appointments on ``now``: the archive's, with what was done on Min helse."""
    access.check(session, actor, policy.Service.APPOINTMENTS, policy.Action.VIEW, now)
    every = [_named(session, a) for a in _all(session, actor.subject).values()]
    ahead = [a.status == BookingStatus.BOOKED and a.start > now for a in every]
    future = sorted((a for a, f in zip(every, ahead) if f), key=lambda a: a.start)
    past = sorted((a for a, f in zip(every, ahead) if not f), key=lambda a: a.start, reverse=True)
    return Appointments(future, past)


def upcoming(session: Session, subject_id: int, now: dt.datetime, limit: int | None = None) -> list[Appointment]:
    """The subject's booked appointments after ``now``, soonest first (the first ``limit``), for the Min helse
    overview. No access check: the caller must already have checked the policy for ``subject_id``."""
    found = _archive(session, subject_id, ahead_of=now)
    live = session.exec(select(Booking).where(Booking.citizen_id == subject_id)).all()
    if any(row.replaces_appointment_id is not None and _ref_of(row) not in found for row in live):
        found = _all(session, subject_id)  # a moved appointment the archive has before ``now``: take everything
    else:
        for row in live:
            found[_ref_of(row)] = _apply(row, found.get(_ref_of(row)))
    soon = sorted((a for a in found.values() if a.status == BookingStatus.BOOKED and a.start > now), key=lambda a: a.start)
    return [_named(session, a) for a in soon[:limit]]


def free_slots(session: Session, actor: Actor, now: dt.datetime, days: int = 14, appointment: Appointment | str | None = None) -> list[Slot]:
    """Free slots in the next ``days`` days: with the subject's fastlege on ``now`` (§9), or, given an
    ``appointment``, in its calendar (the times it can be moved to)."""
    access.check(session, actor, policy.Service.APPOINTMENTS, policy.Action.VIEW, now)
    if appointment is None:
        gp_list = _current_gp_list(session, actor.subject, now.date())
        kind, site_id, calendar_id, practitioner_id = BookingKind.GP, gp_list.gp_office_id, gp_list.id, gp_list.practitioner_id
    else:
        found = _find(session, actor.subject, appointment)
        if found.status != BookingStatus.BOOKED or found.start <= now:
            raise InvalidInput(f"appointment {found.ref} is {found.status} and began {found.start:%Y-%m-%d %H:%M}: it cannot be moved",
                               "Denne timen kan ikke flyttes.", "appointment")
        kind, site_id, calendar_id, practitioner_id = found.kind, found.site_id, found.calendar_id, found.practitioner_id
    horizon = _rules(kind)["horizon_days"]
    if not isinstance(days, int) or not 1 <= days <= horizon:
        raise InvalidInput(f"days {days!r} must be a whole number from 1 to {horizon}", f"Velg mellom 1 og {horizon} dager.", "days")
    starts = [s for d in range(days) for s in _day_slots(kind, now.date() + dt.timedelta(days=d)) if s > now]
    taken = _taken(session, kind, calendar_id, starts[0], starts[-1]) if starts else set()
    length = _slot_length(kind)
    return [Slot(kind, s, s + length, site_id, calendar_id, practitioner_id) for s in starts if s not in taken]


# --- Acting on an appointment. -------------------------------------------------------------------

def _write(session: Session, row: Booking) -> int:
    """Add or update ``row`` and flush; the database's unique indexes decide a race. Call inside a unit of work."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:
        text = str(error.orig)
        if ONE_PER_SLOT in text or "booking.start" in text:
            raise SlotTaken(f"start {row.start:%Y-%m-%d %H:%M} is already taken: choose another free slot",
                            f"Timen er allerede tatt ({row.start:%d.%m.%Y kl. %H.%M}): velg en annen ledig time.", "start") from None
        if ONE_PER_ARCHIVE_APPOINTMENT in text or "booking.replaces_appointment_id" in text:
            raise RuleBroken("the appointment was changed by someone else at the same moment: load it again and retry",
                             "Timen ble endret av noen andre i samme øyeblikk: last siden på nytt og prøv igjen.", "appointment") from None
        raise
    return row.id


def _row_for(session: Session, actor: Actor, appointment: Appointment, now: dt.datetime) -> Booking:
    """The live row of ``appointment``: its own, or a new one overriding the archive appointment."""
    if appointment.booking_id is not None:
        row = session.get(Booking, appointment.booking_id)
        row.booked_by = actor.person_id
        return row
    return Booking(citizen_id=appointment.citizen_id, booked_by=actor.person_id, kind=appointment.kind, site_id=appointment.site_id,
                   resource_id=appointment.calendar_id, practitioner_id=appointment.practitioner_id, start=appointment.start,
                   end=appointment.end, holds_slot=False, replaces_appointment_id=int(appointment.ref.partition("-")[2]),
                   created_at=_stamp(now))


def _still_booked(appointment: Appointment, now: dt.datetime, deadline: bool) -> None:
    if appointment.status != BookingStatus.BOOKED:
        raise InvalidInput(f"appointment {appointment.ref} is {appointment.status}, not booked", "Timen er ikke lenger bestilt.", "appointment")
    if appointment.start <= now:
        raise DeadlinePassed(f"appointment {appointment.ref} began at {appointment.start:%Y-%m-%d %H:%M}",
                             "Timen har allerede startet.", "start")
    hours = _rules(appointment.kind)["cancel_deadline_hours"]
    if deadline and appointment.start - now < dt.timedelta(hours=hours):
        raise DeadlinePassed(f"appointment {appointment.ref} can be cancelled or moved on Min helse until {hours} hours before it starts; call the office",
                             f"Timen kan bare avbestilles eller endres på Helsenorge inntil {hours} timer før; ring for å avbestille.",
                             "cancellation_deadline")


def _after(session: Session, actor: Actor, ref: str) -> Appointment:
    return _named(session, _find(session, actor.subject, ref))


def book(session: Session, actor: Actor, start: dt.datetime, now: dt.datetime, practitioner_id: int | None = None) -> Appointment:
    """Book the slot at ``start`` with the subject's own fastlege (the GP list they are on on ``now``).

    Raises InvalidInput naming ``start`` (not a future slot of the open calendar) or ``practitioner_id``
    (not the subject's fastlege), NotFound when the subject has no GP list, and SlotTaken when the slot
    is held by another booking, also one made a moment earlier by someone else (the database decides).
    """
    access.check(session, actor, policy.Service.APPOINTMENTS, policy.Action.ACT, now)
    gp_list = _current_gp_list(session, actor.subject, now.date())
    if practitioner_id is not None and practitioner_id != gp_list.practitioner_id:
        raise InvalidInput(f"practitioner_id {practitioner_id} is not the person's fastlege: only one's own fastlege can be booked",
                           "Du kan bare bestille time hos din egen fastlege.", "practitioner_id")
    _check_slot(BookingKind.GP, start, now)
    with access.unit_of_work(session):
        booking_id = _write(session, Booking(
            citizen_id=actor.subject, booked_by=actor.person_id, kind=BookingKind.GP, site_id=gp_list.gp_office_id, resource_id=gp_list.id,
            practitioner_id=gp_list.practitioner_id, start=start, end=start + _slot_length(BookingKind.GP), created_at=_stamp(now)))
    return _named(session, _apply(session.get(Booking, booking_id), None))


def change(session: Session, actor: Actor, appointment: Appointment | str, start: dt.datetime, now: dt.datetime) -> Appointment:
    """Move an appointment to the free slot at ``start`` in the same calendar (the same GP list or
    hospital), until the cancellation deadline; the confirmation, given for the old time, is cleared."""
    access.check(session, actor, policy.Service.APPOINTMENTS, policy.Action.ACT, now)
    found = _find(session, actor.subject, appointment)
    _still_booked(found, now, deadline=True)
    _check_slot(found.kind, start, now)
    if start == found.start:
        raise InvalidInput(f"start {start:%Y-%m-%d %H:%M} is the appointment's time already", "Timen har allerede dette tidspunktet.", "start")
    with access.unit_of_work(session):
        row = _row_for(session, actor, found, now)
        row.previous_start, row.start, row.end = found.start, start, start + _slot_length(found.kind)
        row.holds_slot, row.confirmed_at, row.changed_at = True, None, _stamp(now)
        _write(session, row)
    return _after(session, actor, found.ref)


def cancel(session: Session, actor: Actor, appointment: Appointment | str, now: dt.datetime) -> Appointment:
    """Cancel a booked appointment, until the site's cancellation deadline (bookings.toml); a slot it
    held is free again at once."""
    access.check(session, actor, policy.Service.APPOINTMENTS, policy.Action.ACT, now)
    found = _find(session, actor.subject, appointment)
    _still_booked(found, now, deadline=True)
    with access.unit_of_work(session):
        row = _row_for(session, actor, found, now)
        row.status, row.cancelled_at = BookingStatus.CANCELLED, _stamp(now)
        _write(session, row)
    return _after(session, actor, found.ref)


def confirm(session: Session, actor: Actor, appointment: Appointment | str, now: dt.datetime) -> Appointment:
    """Confirm that the subject will attend (bekrefte oppmøte), any time before it starts; a second
    confirmation changes nothing."""
    access.check(session, actor, policy.Service.APPOINTMENTS, policy.Action.ACT, now)
    found = _find(session, actor.subject, appointment)
    _still_booked(found, now, deadline=False)
    if found.confirmed:
        return _named(session, found)
    with access.unit_of_work(session):
        row = _row_for(session, actor, found, now)
        row.confirmed_at = _stamp(now)
        _write(session, row)
    return _after(session, actor, found.ref)


def ask(session: Session, actor: Actor, appointment: Appointment | str, text: str, now: dt.datetime) -> Question:
    """Send a question about an appointment to the GP office or hospital: a new inbox thread
    (topic :attr:`~helsekit.domain.inbox.Topic.APPOINTMENT_QUESTION`)."""
    access.check(session, actor, policy.Service.APPOINTMENTS, policy.Action.ACT, now)
    found = _find(session, actor.subject, appointment)
    limit = specs.load(SPEC)["question"]["max_characters"]
    body = text.strip() if isinstance(text, str) else ""
    if not body or len(body) > limit:
        raise InvalidInput(f"text must hold a question of 1 to {limit} characters", f"Skriv et spørsmål på inntil {limit} tegn.", "text")
    with access.unit_of_work(session):
        message = PortalMessage(thread_id=0, citizen_id=actor.subject, organisation_id=found.site_id, topic=Topic.APPOINTMENT_QUESTION,
                                sender=Sender.CITIZEN, written_by=actor.person_id, body=body, sent_at=_stamp(now),
                                appointment_kind=found.kind, appointment_id=int(found.ref.partition("-")[2]))
        session.add(message)
        session.flush()
        message.thread_id = message.id
        question = Question(message.id, message.id, found.site_id, found.ref, message.sent_at)
    return question


# --- iCalendar export. ----------------------------------------------------------------------------

_SUMMARY = {BookingKind.GP: "Time hos fastlege", BookingKind.HOSPITAL: "Time på sykehus (poliklinikk)"}


def to_ics(appointments: Appointment | Iterable[Appointment], stamp: dt.datetime | None = None) -> bytes:
    """One or more appointments as an iCalendar 2.0 file (one VEVENT each, local times in Europe/Oslo).

    ``stamp`` (UTC) is the DTSTAMP, the moment the file is made; now by default.
    """
    spec = specs.load(SPEC)["calendar_export"]
    zone = ZoneInfo(spec["timezone"])
    stamp = stamp or dt.datetime.now(dt.timezone.utc)
    cal = icalendar.Calendar()
    cal.add("prodid", spec["prodid"])
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    chosen = [appointments] if isinstance(appointments, Appointment) else list(appointments)
    for a in chosen:
        event = icalendar.Event()
        event.add("uid", f"{a.ref}.{a.citizen_id}@helsekit.test")
        event.add("dtstamp", stamp)
        event.add("dtstart", a.start.replace(tzinfo=zone))
        event.add("dtend", a.end.replace(tzinfo=zone))
        event.add("summary", f"{_SUMMARY[a.kind]} (Syntetiske data)")
        who = f" Fastlege: {a.practitioner_name}." if a.practitioner_name else ""
        event.add("description", f"Syntetiske data fra helsekit, ikke en ekte time. {_SUMMARY[a.kind]}: {a.site_name}.{who}")
        event.add("location", ", ".join(p for p in (a.site_name, a.site_address) if p))
        event.add("status", "CANCELLED" if a.status == BookingStatus.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    if chosen:  # the zone's rules only for the years the events span
        cal.add_missing_timezones(first_date=min(a.start for a in chosen).date().replace(month=1, day=1),
                                  last_date=max(a.end for a in chosen).date().replace(month=12, day=31))
    return cal.to_ical()
