"""Pasientreiser on Min helse: claim the travel to an attended hospital appointment (issue #4 point 8, §11).

The rules are :mod:`helsekit.domain.travel_claims`, the same the generator applies to the ten years of
``travel_claims`` in the history archive. Choices with their reasons are in travel.toml [service].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from helsekit.domain.citizens import Citizen
from helsekit.domain.copayments import pays_from
from helsekit.domain.geography import Kommune
from helsekit.domain.organisations import Organisation
from helsekit.domain.travel_claims import (STATUSES, TravelClaim, add_months, due, is_eligible, one_way_egenandel_schedule, one_way_km,
                                           rate_schedule, round_trip_amount, status_code, trip_egenandel)
from helsekit.errors import DeadlinePassed, NotFound, RuleBroken
from helsekit.generator import specs
from helsekit.services import access, histories, policy
from helsekit.services.actors import Actor


@dataclass(frozen=True)
class Claim:
    """A travel claim as sent, with what it pays (§11.1–§11.3)."""

    id: int
    appointment_id: int
    trip_date: dt.date
    km_one_way: float
    rate_per_km: float
    amount: float
    egenandel: int
    frikort: bool
    payout: float
    status: str  # utbetalt, or under_minstebeløp when the payout is under 100 kr


def _km(session: Session, citizen: Citizen, hospital_id: int) -> float:
    home = session.get(Kommune, citizen.kommune_number)
    site = session.get(Kommune, session.get(Organisation, hospital_id).kommune_number)
    return float(one_way_km(home.latitude, home.longitude, site.latitude, site.longitude, home.number == site.number))


def _attended(session: Session, citizen_id: int, appointment_id: int) -> tuple[dt.date, int]:
    rows = histories.of(session, "hospital_appointments", citizen_id, columns=["appointment_id", "hospital_id", "start", "status"])
    rows = rows[(rows["appointment_id"] == appointment_id) & (rows["status"] == "attended")]
    if rows.empty:
        raise NotFound(f"appointment {appointment_id} is not an attended hospital appointment of this person",
                       "Fant ingen gjennomført sykehustime med dette nummeret for denne personen.", "appointment_id")
    return rows["start"].iloc[0].date(), int(rows["hospital_id"].iloc[0])


def _frikort_on(session: Session, citizen_id: int, day: dt.date) -> bool:
    frikort = histories.of(session, "frikort", citizen_id, columns=["year", "reached_on"])
    return bool(((frikort["year"] == day.year) & (frikort["reached_on"] <= day)).any())


def submit_claim(session: Session, actor: Actor, appointment_id: int, now: dt.datetime) -> Claim:
    """Claim the round trip to the subject's attended hospital appointment ``appointment_id``.

    Refused after the 6-month deadline (:class:`DeadlinePassed`, §11.3), for a trip of 10 km or less
    each way (§11.1), and when the appointment already has a claim (live or in the archive). Paid at the
    rate on the trip day less the egenandel (none under 16 or with a frikort, §11.2); under 100 kr the
    claim is stored but not paid (§11.3).
    """
    access.check(session, actor, policy.Service.PATIENT_TRAVEL, policy.Action.ACT, now)
    travel, copay = specs.load("travel"), specs.load("copayments")
    subject = session.get(Citizen, actor.subject)
    trip, hospital_id = _attended(session, subject.id, appointment_id)
    day = np.datetime64(trip, "D")
    if np.datetime64(now.date(), "D") > add_months(day, travel["deadline"]["months"]):
        raise DeadlinePassed("a travel claim must be sent within 6 months after the trip",
                             "Reiseregningen må sendes innen 6 måneder etter reisen.", "§11.3")
    claimed = histories.of(session, "travel_claims", subject.id, columns=["appointment_id"])
    if (claimed["appointment_id"] == appointment_id).any() or \
            session.exec(select(TravelClaim.id).where(TravelClaim.appointment_id == appointment_id)).first() is not None:
        raise RuleBroken(f"the trip to appointment {appointment_id} has already been claimed",
                         "Reisen til denne timen er allerede søkt refusjon for.", "appointment_id")
    km = _km(session, subject, hospital_id)
    if not is_eligible(km, travel):
        raise RuleBroken(f"the trip is {km} km each way; only trips over {travel['eligibility']['over_km_one_way']} km are paid",
                         f"Reisen er {km} km hver vei; bare reiser over {travel['eligibility']['over_km_one_way']} km dekkes.", "§11.1")
    rate = float(rate_schedule(travel).on(day))
    amount = float(round_trip_amount(km, rate))
    pays = day >= pays_from(np.datetime64(subject.birth_date, "D"), copay["exemptions"]["under_age"])
    egenandel = int(trip_egenandel(one_way_egenandel_schedule(copay).on(day), pays))
    frikort = _frikort_on(session, subject.id, trip)
    owed = float(due(amount, egenandel, frikort))
    status = STATUSES[int(status_code(False, owed, travel))]
    claim = TravelClaim(citizen_id=subject.id, appointment_id=appointment_id, hospital_id=hospital_id, trip_date=trip,
                        submitted_at=now.replace(microsecond=0, tzinfo=None), submitted_by=actor.person_id, km_one_way=km, rate_per_km=rate,
                        amount=amount, egenandel=egenandel, frikort=frikort, payout=owed if status == STATUSES[0] else 0.0, status=status)
    try:
        with access.unit_of_work(session):
            session.add(claim)
    except IntegrityError as taken:  # the same trip claimed at the same moment in another session
        raise RuleBroken(f"the trip to appointment {appointment_id} has already been claimed",
                         "Reisen til denne timen er allerede søkt refusjon for.", "appointment_id") from taken
    return Claim(claim.id, appointment_id, trip, km, rate, amount, egenandel, frikort, claim.payout, status)
