"""GP services on Min helse: write to the GP office, e-consultations and Forny resept (issue #4 point 2, §10.6).

Every thread goes to the GP office the subject is listed with on the day (``gp_list_membership``).
Writing needs :attr:`~helsekit.services.policy.Action.ACT` in
:attr:`~helsekit.services.policy.Service.GP_SERVICES`, reading a thread VIEW. Choices with their
reasons are in ``synthetic_data/specs/gp_services.toml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from helsekit.domain.citizens import Citizen
from helsekit.domain.copayments import Schedule
from helsekit.domain.gp_lists import GpList, GpListMembership
from helsekit.domain.inbox import ONE_PENDING_RENEWAL, PortalMessage, RenewalRequest, RenewalStatus, Sender, Topic
from helsekit.domain.organisations import offers_prescription_renewal
from helsekit.errors import InvalidInput, NotFound, NotOffered, RuleBroken
from helsekit.generator import specs
from helsekit.services import access, histories, policy
from helsekit.services.actors import Actor


@dataclass(frozen=True)
class Message:
    """One message of a thread."""

    id: int
    sender: str  # innbygger or legekontor
    written_by: int | None  # the logged-in person, on the citizen's side
    body: str
    sent_at: dt.datetime


@dataclass(frozen=True)
class Thread:
    """A conversation between the subject and their GP office, oldest message first."""

    thread_id: int
    citizen_id: int
    gp_office_id: int
    topic: str
    messages: list[Message]
    prescription_id: int | None = None
    #: For an e-consultation: the egenandel it costs when the GP answers (0 under 16 or with a frikort).
    egenandel: int | None = None


@dataclass(frozen=True)
class Renewal:
    """A Forny resept request (§10.6) and the thread it was sent in."""

    id: int
    prescription_id: int
    drug: str
    gp_office_id: int
    status: str
    requested_at: dt.datetime
    thread: Thread


def gp_list_on(session: Session, citizen_id: int, on: dt.date) -> GpList | None:
    """The GP list ``citizen_id`` is on on ``on``, if any."""
    return session.exec(select(GpList).join(GpListMembership, GpListMembership.gp_list_id == GpList.id).where(
        GpListMembership.citizen_id == citizen_id, GpListMembership.valid_from <= on,
        or_(GpListMembership.valid_to.is_(None), GpListMembership.valid_to >= on),
    )).first()


def _listed(session: Session, citizen_id: int, on: dt.date) -> GpList:
    found = gp_list_on(session, citizen_id, on)
    if found is None:
        raise NotFound("the person is on no GP list, so there is no GP office to write to",
                       "Personen står ikke på noen fastlegeliste, så det finnes ikke noe legekontor å skrive til.", "gp_list")
    return found


def _text(text: str) -> str:
    body = (text or "").strip()
    limit = specs.load("gp_services")["messages"]["max_chars"]
    if not body or len(body) > limit:
        raise InvalidInput(f"text must be 1–{limit} characters", f"Meldingen må ha 1–{limit} tegn.", "text")
    return body


def _stamp(now: dt.datetime) -> dt.datetime:
    return now.replace(microsecond=0, tzinfo=None)


def _open_thread(session: Session, actor: Actor, office_id: int, topic: str, body: str, now: dt.datetime, **extra) -> PortalMessage:
    first = PortalMessage(thread_id=0, citizen_id=actor.subject, organisation_id=office_id, topic=topic, sender=Sender.CITIZEN,
                          written_by=actor.person_id, body=body, sent_at=_stamp(now), **extra)
    session.add(first)
    session.flush()
    first.thread_id = first.id
    return first


def _thread(session: Session, thread_id: int) -> Thread:
    rows = session.exec(select(PortalMessage).where(PortalMessage.thread_id == thread_id).order_by(PortalMessage.sent_at, PortalMessage.id)).all()
    first = rows[0]
    egenandel = e_consultation_egenandel(session, first.citizen_id, first.sent_at.date()) if first.topic == Topic.E_CONSULTATION else None
    return Thread(thread_id, first.citizen_id, first.organisation_id, first.topic,
                  [Message(m.id, m.sender, m.written_by, m.body, m.sent_at) for m in rows], first.prescription_id, egenandel)


def contact_office(session: Session, actor: Actor, text: str, now: dt.datetime) -> Thread:
    """Send a question to the reception of the subject's GP office (kontakt legekontoret); a new thread."""
    access.check(session, actor, policy.Service.GP_SERVICES, policy.Action.ACT, now)
    body = _text(text)
    office = _listed(session, actor.subject, now.date()).gp_office_id
    with access.unit_of_work(session):
        first = _open_thread(session, actor, office, Topic.CONTACT_OFFICE, body, now)
    return _thread(session, first.thread_id)


def e_consultation_egenandel(session: Session, citizen_id: int, on: dt.date) -> int:
    """What an e-consultation on ``on`` costs: the daytime GP egenandel (§2.6), none under 16 (§2.4) or with a frikort (§2.5)."""
    copay = specs.load("copayments")
    born = session.get(Citizen, citizen_id).birth_date
    if on.year - born.year - ((on.month, on.day) < (born.month, born.day)) < copay["exemptions"]["under_age"]:
        return 0
    frikort = histories.of(session, "frikort", citizen_id, columns=["year", "reached_on"])
    if ((frikort["year"] == on.year) & (frikort["reached_on"] <= on)).any():
        return 0
    fees = copay["gp_consultation"]
    return int(Schedule(np.array(fees["valid_from"], dtype="datetime64[D]"), np.array(fees["day"])).on(np.datetime64(on, "D")))


def start_e_consultation(session: Session, actor: Actor, text: str, now: dt.datetime) -> Thread:
    """Begin an e-consultation with the subject's own fastlege; the thread shows the egenandel it costs."""
    access.check(session, actor, policy.Service.GP_SERVICES, policy.Action.ACT, now)
    body = _text(text)
    gp_list = _listed(session, actor.subject, now.date())
    if gp_list.practitioner_id is None:
        raise NotOffered("the person's GP list has no fastlege now, so e-consultations are not offered",
                         "Fastlegelisten din har ingen fastlege nå, så e-konsultasjon tilbys ikke.", "gp_list")
    with access.unit_of_work(session):
        first = _open_thread(session, actor, gp_list.gp_office_id, Topic.E_CONSULTATION, body, now)
    return _thread(session, first.thread_id)


def _own_thread(session: Session, actor: Actor, thread_id: int) -> PortalMessage:
    first = session.get(PortalMessage, thread_id)
    if first is None or first.thread_id != thread_id or first.citizen_id != actor.subject:
        raise NotFound(f"thread {thread_id} is not one of this person's threads on Min helse",
                       f"Fant ingen samtale {thread_id} for denne personen.", "thread_id")
    return first


def reply(session: Session, actor: Actor, thread_id: int, text: str, now: dt.datetime) -> Thread:
    """Write again in one of the subject's threads with the GP office (not in a notice)."""
    access.check(session, actor, policy.Service.GP_SERVICES, policy.Action.ACT, now)
    body = _text(text)
    first = _own_thread(session, actor, thread_id)
    if first.topic == Topic.NOTICE:
        raise InvalidInput("a notice (varsel) cannot be answered", "Et varsel kan ikke besvares.", "thread_id")
    with access.unit_of_work(session):
        session.add(PortalMessage(thread_id=thread_id, citizen_id=actor.subject, organisation_id=first.organisation_id, topic=first.topic,
                                  sender=Sender.CITIZEN, written_by=actor.person_id, body=body, sent_at=_stamp(now),
                                  prescription_id=first.prescription_id))
    return _thread(session, thread_id)


def thread(session: Session, actor: Actor, thread_id: int, now: dt.datetime) -> Thread:
    """One of the subject's threads with the GP office, oldest message first."""
    access.check(session, actor, policy.Service.GP_SERVICES, policy.Action.VIEW, now)
    _own_thread(session, actor, thread_id)
    return _thread(session, thread_id)


def office_offers_renewal(gp_office_id: int) -> bool:
    """Whether the GP office offers Forny resept on Helsenorge (§10.6): the generator's rule, shared."""
    return bool(offers_prescription_renewal(gp_office_id, specs.load("prescriptions")["renewal"]["portal_offered_by_office"]))


def _already_pending(prescription_id: int) -> RuleBroken:
    return RuleBroken(f"a renewal of prescription {prescription_id} already waits for the GP",
                      "Du har allerede bedt om fornyelse av denne resepten; legen har ikke svart ennå.", "prescription_id")


def request_renewal(session: Session, actor: Actor, prescription_id: int, now: dt.datetime) -> Renewal:
    """Ask the subject's fastlege to renew one of the subject's earlier prescriptions (Forny resept, §10.6).

    Refused where the GP office does not offer it (:class:`NotOffered`), for anything but the subject's
    own earlier prescription (a new drug needs an appointment), for a stopped prescription, and while a
    request for the same prescription waits for the GP.
    """
    access.check(session, actor, policy.Service.GP_SERVICES, policy.Action.ACT, now)
    subject = actor.subject
    rows = histories.of(session, "prescriptions", subject, columns=["prescription_id", "drug", "prescribed_on", "discontinued_on"])
    rows = rows[(rows["prescription_id"] == prescription_id) & (rows["prescribed_on"] <= now.date())]
    if rows.empty:
        raise NotFound(f"prescription {prescription_id} is not one of this person's earlier prescriptions; a new drug needs an appointment",
                       "Forny resept gjelder bare en resept du har hatt før; et nytt legemiddel krever en time hos legen.", "§10.6")
    row = rows.iloc[0]
    if pd.notna(row["discontinued_on"]):
        raise RuleBroken(f"prescription {prescription_id} was stopped (seponert) by the prescriber; starting it again needs an appointment",
                         "Resepten er seponert av legen; å starte igjen krever en time hos legen.", "§10.6")
    office = _listed(session, subject, now.date()).gp_office_id
    if not office_offers_renewal(office):
        raise NotOffered("the person's GP office does not offer Forny resept on Helsenorge",
                         "Legekontoret ditt tilbyr ikke Forny resept på Helsenorge.", "§10.6")
    pending = session.exec(select(RenewalRequest.id).where(RenewalRequest.citizen_id == subject, RenewalRequest.prescription_id == prescription_id,
                                                           RenewalRequest.status == RenewalStatus.SENT)).first()
    if pending is not None:
        raise _already_pending(prescription_id)
    drug = str(row["drug"])
    try:
        with access.unit_of_work(session):
            first = _open_thread(session, actor, office, Topic.RENEWAL, f"Forny resept: {drug}", now, prescription_id=prescription_id)
            request = RenewalRequest(citizen_id=subject, prescription_id=prescription_id, gp_office_id=office, requested_by=actor.person_id,
                                     requested_at=_stamp(now), message_id=first.id)
            session.add(request)
            session.flush()
    except IntegrityError as error:  # another session sent the same request a moment earlier
        if ONE_PENDING_RENEWAL not in str(error.orig) and "renewal_request.prescription_id" not in str(error.orig):
            raise
        raise _already_pending(prescription_id) from None
    return Renewal(request.id, prescription_id, drug, office, request.status, request.requested_at, _thread(session, first.thread_id))
