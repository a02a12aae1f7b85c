"""Helsestasjon and skolehelsetjenesten on Min helse: a child's appointments in the municipal programme
(health_station.toml), behind the access policy. Parents see them until the child turns 16 (§3.2; modelling
choice, as vaccinations); the child's kommune must offer the service digitally (municipal_services.toml), or the
view says it does not and reads nothing. Every read is written to the subject's log of reads in the same
transaction; a refused read writes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

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
    status: str  # gjennomført, ikke_møtt or planlagt


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
        rows = _rows(session, actor.subject)
        access.log_read(session, actor, decision, policy.Service.HEALTH_STATION, now)
    starts = pd.to_datetime(rows["starts_at"])
    coming = rows[starts >= pd.Timestamp(now.replace(tzinfo=None))].sort_values(["starts_at", "appointment_id"])
    past = rows[starts < pd.Timestamp(now.replace(tzinfo=None))].sort_values(["starts_at", "appointment_id"], ascending=False)
    return HealthStationView(actor.subject, offer, _listed(coming), _listed(past))
