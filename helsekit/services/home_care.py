"""Hjemmetjenester on Min helse: a home-care recipient's visit plan and messages with the kommune's home-care
service (home_care.toml), behind the access policy. A fullmakt holder (§3.5–§3.6) views with any fullmakt and
writes only with one for digitale helsetjenester; nobody acts for a person with a confidential address (§3.7).
The recipient's kommune must offer the service digitally (municipal_services.toml). Every read of the plan and
the messages is logged (record "hjemmetjenester") in the same transaction; a refused request writes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, select

from helsekit.domain.home_care import CITIZEN_SENDER, HomeCareMessage
from helsekit.errors import InvalidInput, NotFound, NotOffered
from helsekit.services import access, histories, municipal, policy
from helsekit.services.actors import Actor

MAX_BODY_CHARS = 2000
_VISITS = ["visit_id", "starts_at", "minutes", "service", "visits_per_week", "status"]
_MESSAGES = ["message_id", "thread_id", "sent_at", "sender", "topic", "body"]
SERVICES_NB = {"hjemmesykepleie": "Hjemmesykepleie", "praktisk_bistand": "Praktisk bistand"}


@dataclass(frozen=True)
class Visit:
    """One visit of the weekly plan."""

    visit_id: int
    starts_at: dt.datetime
    minutes: int
    service: str  # hjemmesykepleie or praktisk_bistand
    done: bool  # before ``now``


@dataclass(frozen=True)
class Message:
    """One message; ``source`` is ``historikk`` (generated) or ``helsenorge`` (written through the service)."""

    message_id: int
    thread_id: int
    source: str
    sent_at: dt.datetime
    sender: str  # hjemmetjenesten or innbygger
    topic: str
    body: str


@dataclass(frozen=True)
class HomeCareView:
    """The subject's visits (time order) and messages (newest first); empty when the kommune does not offer the
    service (``offer.message_nb``). ``recipient`` says whether the subject receives home care at all."""

    subject_id: int
    offer: municipal.Offer
    recipient: bool
    visits: list[Visit]
    messages: list[Message]


def _history(session: Session, table: str, subject_id: int, columns: list[str]) -> pd.DataFrame:
    try:
        return histories.of(session, table, subject_id, columns=columns)
    except FileNotFoundError:  # a database generated before home care was
        return pd.DataFrame({c: pd.Series(dtype="datetime64[s]" if c in ("starts_at", "sent_at") else object) for c in columns})


def _messages(session: Session, subject_id: int, now: dt.datetime) -> list[Message]:
    rows = _history(session, "home_care_messages", subject_id, _MESSAGES)
    rows = rows[pd.to_datetime(rows["sent_at"]) <= pd.Timestamp(now)]
    found = [Message(int(r.message_id), int(r.thread_id), "historikk", pd.Timestamp(r.sent_at).to_pydatetime(), r.sender, r.topic, r.body)
             for r in rows.itertuples()]
    live = session.exec(select(HomeCareMessage).where(HomeCareMessage.citizen_id == subject_id, HomeCareMessage.sent_at <= now)).all()
    found += [Message(m.id, m.thread_id or m.id, "helsenorge", m.sent_at, m.sender, m.topic, m.body) for m in live]
    return sorted(found, key=lambda m: (m.sent_at, m.message_id), reverse=True)


def view(session: Session, actor: Actor, now: dt.datetime) -> HomeCareView:
    """The subject's visit plan and messages as the actor may see them on ``now``; the read is logged.

    Raises :class:`~helsekit.services.policy.AccessDenied` (nothing written) when the policy says no.
    """
    decision = access.check(session, actor, policy.Service.HOME_CARE, policy.Action.VIEW, now)
    offer = municipal.offer_for(session, actor.subject, municipal.HOME_CARE)
    if not offer.offered:
        return HomeCareView(actor.subject, offer, False, [], [])
    now = now.replace(tzinfo=None)
    with access.unit_of_work(session):
        rows = _history(session, "home_care_visits", actor.subject, _VISITS).sort_values(["starts_at", "visit_id"])
        messages = _messages(session, actor.subject, now)
        access.log_read(session, actor, decision, policy.Service.HOME_CARE, now)
    visits = [Visit(int(r.visit_id), pd.Timestamp(r.starts_at).to_pydatetime(), int(r.minutes), r.service, pd.Timestamp(r.starts_at) < pd.Timestamp(now))
              for r in rows.itertuples()]
    return HomeCareView(actor.subject, offer, bool(visits), visits, messages)


def send_message(session: Session, actor: Actor, topic: str, body: str, now: dt.datetime, thread_id: int | None = None) -> HomeCareMessage:
    """Write to the subject's home-care service (a new thread, or a reply in one of the subject's threads).

    Refused (nothing written) when the policy does not let the actor act for the subject (an innsyn fullmakt
    views only, §3.6), when the kommune does not offer the service or the subject receives no home care
    (:class:`~helsekit.errors.NotOffered`), when the thread is not the subject's, or for an empty or long text.
    """
    access.check(session, actor, policy.Service.HOME_CARE, policy.Action.ACT, now)
    topic, body = (topic or "").strip(), (body or "").strip()
    if not topic:
        raise InvalidInput("topic is empty", "Skriv et emne for meldingen.", "topic")
    if not body or len(body) > MAX_BODY_CHARS:
        raise InvalidInput(f"body must hold 1 to {MAX_BODY_CHARS} characters", f"Meldingen må ha mellom 1 og {MAX_BODY_CHARS} tegn.", "body")
    offer = municipal.offer_for(session, actor.subject, municipal.HOME_CARE)
    if not offer.offered:
        raise NotOffered(f"kommune {offer.kommune_number} does not offer home-care messages", offer.message_nb, "kommune")
    now = now.replace(microsecond=0, tzinfo=None)
    if _history(session, "home_care_visits", actor.subject, ["visit_id"]).empty:
        raise NotOffered("the person receives no home care", "Personen mottar ikke hjemmetjenester.", "citizen_id")
    if thread_id is not None and thread_id not in {m.thread_id for m in _messages(session, actor.subject, now)}:
        raise NotFound(f"thread_id {thread_id} is not one of this person's home-care threads",
                       f"Fant ingen meldingstråd {thread_id} med hjemmetjenesten for denne personen.", "thread_id")
    message = HomeCareMessage(thread_id=thread_id, citizen_id=actor.subject, kommune_number=offer.kommune_number, sender=CITIZEN_SENDER,
                              written_by=actor.person_id, topic=topic, body=body, sent_at=now)
    with access.unit_of_work(session):
        session.add(message)
    session.refresh(message)
    return message
