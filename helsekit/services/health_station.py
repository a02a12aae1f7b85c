"""Helsestasjon and skolehelsetjenesten on Min helse: a child's appointments in the municipal programme
(health_station.toml), behind the access policy. Parents see them until the child turns 16 (§3.2; modelling
choice, as vaccinations); the child's kommune must offer the service digitally (municipal_services.toml), or the
view says it does not and reads nothing. Every read is written to the subject's log of reads in the same
transaction; a refused read writes nothing.

A planned appointment can be cancelled, or moved to one of the times :func:`alternatives` offers (the same time
of day on the weekdays after it), until a deadline before it starts (health_station.toml [rebooking]); anything
else is refused and nothing is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, select

from helsekit.domain.health_station import CANCELLED, MOVED, HealthStationChange
from helsekit.errors import DeadlinePassed, NotFound, NotOffered
from helsekit.generator import specs
from helsekit.services import access, histories, municipal, policy
from helsekit.services.actors import Actor

_COLUMNS = ["appointment_id", "starts_at", "minutes", "programme", "contact", "name", "age", "staff", "status"]


@dataclass(frozen=True)
class ProgrammeAppointment:
    """One consultation of the programme."""

    appointment_id: int
    starts_at: dt.datetime
    minutes: int
    programme: str  # helsestasjon or skolehelsetjenesten
    contact: str  # the spec's code: 4_uker, 1_trinn, …
    name: str  # bokmål, as shown
    age: str  # the programme's age, as in the spec ("6 weeks")
    staff: str  # helsesykepleier, or helsesykepleier og lege
    status: str  # gjennomført, ikke_møtt, planlagt or avlyst (cancelled on Min helse)


@dataclass(frozen=True)
class HealthStationView:
    """The subject's coming appointments (soonest first) and past ones (newest first); none when the kommune
    does not offer the service (``offer.message_nb`` says so)."""

    subject_id: int
    offer: municipal.Offer
    coming: list[ProgrammeAppointment]
    past: list[ProgrammeAppointment]


def _rows(session: Session, subject_id: int) -> pd.DataFrame:
    """The subject's rows; none in a database generated before the programme was."""
    try:
        return histories.of(session, "health_station_appointments", subject_id, columns=_COLUMNS)
    except FileNotFoundError:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[s]" if c == "starts_at" else object) for c in _COLUMNS})


def _current(session: Session, subject_id: int) -> pd.DataFrame:
    """The subject's appointments with the changes made on Min helse applied (the latest change of each wins)."""
    rows = _rows(session, subject_id).copy()
    rows["starts_at"] = pd.to_datetime(rows["starts_at"])
    changes = session.exec(select(HealthStationChange).where(HealthStationChange.citizen_id == subject_id).order_by(HealthStationChange.id)).all()
    for change in changes:
        at = rows["appointment_id"] == change.appointment_id
        if change.action == CANCELLED:
            rows.loc[at, "status"] = CANCELLED
        else:
            rows.loc[at, "starts_at"] = pd.Timestamp(change.new_starts_at)
    return rows


def _listed(rows: pd.DataFrame) -> list[ProgrammeAppointment]:
    return [ProgrammeAppointment(int(r.appointment_id), pd.Timestamp(r.starts_at).to_pydatetime(), int(r.minutes), r.programme, r.contact,
                                 r.name, r.age, r.staff, r.status) for r in rows.itertuples()]


def view(session: Session, actor: Actor, now: dt.datetime) -> HealthStationView:
    """The subject's programme as the actor may see it on ``now``; the read is logged (record "helsestasjon").

    Raises :class:`~helsekit.services.policy.AccessDenied` (nothing written) when the policy says no.
    """
    decision = access.check(session, actor, policy.Service.HEALTH_STATION, policy.Action.VIEW, now)
    offer = municipal.offer_for(session, actor.subject, municipal.HEALTH_STATION)
    if not offer.offered:
        return HealthStationView(actor.subject, offer, [], [])
    with access.unit_of_work(session):
        rows = _current(session, actor.subject)
        access.log_read(session, actor, decision, policy.Service.HEALTH_STATION, now)
    starts = pd.to_datetime(rows["starts_at"])
    coming = rows[starts >= pd.Timestamp(now.replace(tzinfo=None))].sort_values(["starts_at", "appointment_id"])
    past = rows[starts < pd.Timestamp(now.replace(tzinfo=None))].sort_values(["starts_at", "appointment_id"], ascending=False)
    return HealthStationView(actor.subject, offer, _listed(coming), _listed(past))


def alternatives(starts_at: dt.datetime, now: dt.datetime) -> list[dt.datetime]:
    """The new times offered for an appointment starting at ``starts_at``: the same time of day on the weekdays
    after it, those still before the change deadline on ``now`` left out."""
    rules = specs.load("health_station")["rebooking"]
    found, day = [], starts_at
    while len(found) < rules["alternative_weekdays"]:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return [t for t in found if t - now.replace(tzinfo=None) >= dt.timedelta(hours=rules["latest_hours_before"])]


def _changeable(session: Session, actor: Actor, appointment_id: int, now: dt.datetime) -> pd.Series:
    """The subject's planned appointment, checked: the actor may act, the kommune offers it, the deadline holds."""
    access.check(session, actor, policy.Service.HEALTH_STATION, policy.Action.ACT, now)
    offer = municipal.offer_for(session, actor.subject, municipal.HEALTH_STATION)
    if not offer.offered:
        raise NotOffered(f"kommune {offer.kommune_number} does not offer the health station on Helsenorge", offer.message_nb, "kommune")
    rows = _current(session, actor.subject)
    found = rows[(rows["appointment_id"] == appointment_id) & (rows["status"] == "planlagt") & (rows["starts_at"] >= pd.Timestamp(now.replace(tzinfo=None)))]
    if found.empty:
        raise NotFound(f"appointment_id {appointment_id} is not a planned appointment of this person",
                       f"Fant ingen planlagt time {appointment_id} for denne personen.", "appointment_id")
    hours = specs.load("health_station")["rebooking"]["latest_hours_before"]
    if found.iloc[0]["starts_at"] - pd.Timestamp(now.replace(tzinfo=None)) < pd.Timedelta(hours=hours):
        raise DeadlinePassed(f"the appointment can be changed until {hours} hours before it starts",
                             f"Timen kan endres eller avlyses senest {hours} timer før den begynner.", "appointment_id")
    return found.iloc[0]


def _record(session: Session, actor: Actor, appointment_id: int, action: str, new_start: dt.datetime | None, now: dt.datetime) -> HealthStationChange:
    change = HealthStationChange(appointment_id=appointment_id, citizen_id=actor.subject, action=action, new_starts_at=new_start,
                                 changed_by=actor.person_id, changed_at=now.replace(microsecond=0, tzinfo=None))
    with access.unit_of_work(session):
        session.add(change)
    session.refresh(change)
    return change


def cancel(session: Session, actor: Actor, appointment_id: int, now: dt.datetime) -> HealthStationChange:
    """Cancel one of the subject's planned appointments (it stays in the list as avlyst)."""
    _changeable(session, actor, appointment_id, now)
    return _record(session, actor, appointment_id, CANCELLED, None, now)


def move(session: Session, actor: Actor, appointment_id: int, new_start: dt.datetime, now: dt.datetime) -> HealthStationChange:
    """Move one of the subject's planned appointments to ``new_start``, one of :func:`alternatives` only."""
    current = _changeable(session, actor, appointment_id, now)
    if new_start not in alternatives(current["starts_at"].to_pydatetime(), now):
        raise NotOffered(f"starts_at {new_start:%Y-%m-%d %H:%M} is not one of the times offered for this appointment",
                         "Den nye tiden er ikke blant tidene som tilbys for denne timen.", "starts_at")
    return _record(session, actor, appointment_id, MOVED, new_start, now)
