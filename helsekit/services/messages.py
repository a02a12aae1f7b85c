"""Innboks on Min helse: the subject's message threads with their GP office, read behind the policy.

Threads come from the ten generated years (the history archive's ``messages``) and from what is written
through the services after the reference date (``portal_message``). Opening a thread marks the office's
messages in it as read. What counts as unread, and what a young person sees (§3.4), is in
synthetic_data/specs/inbox.toml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from helsekit.domain.inbox import PortalMessage, Sender
from helsekit.domain.message_reads import MessageRead
from helsekit.errors import NotFound
from helsekit.generator import specs
from helsekit.services import access, histories, policy
from helsekit.services.actors import Actor, person

ARCHIVE_COLUMNS = ["message_id", "thread_id", "topic", "sender", "sent_at", "gp_office_id"]


@dataclass(frozen=True)
class Message:
    """One message as the inbox shows it. ``source`` is ``historikk`` (generated) or ``helsenorge`` (live)."""

    message_id: int
    thread_id: int
    source: str
    topic: str
    sender: str
    sent_at: dt.datetime
    organisation_id: int
    unread: bool
    body: str | None = None


def _unread_since(session: Session) -> dt.datetime:
    days = specs.load("inbox")["unread"]["archive_days"]
    return access.reference_now(session).replace(hour=0, minute=0) - dt.timedelta(days=days)


def _youth_sees_own_only(session: Session, actor: Actor, now: dt.datetime) -> bool:
    """§3.4: a young person acting for themself does not see what their parents sent or received."""
    return actor.subject == actor.person_id and person(session, actor.person_id, now.date()).age < policy.OWN_ACCESS_FROM


def _archive(session: Session, subject_id: int, now: dt.datetime) -> list[Message]:
    rows = histories.of(session, "messages", subject_id, ARCHIVE_COLUMNS)
    rows = rows[rows["sent_at"] <= pd.Timestamp(now)]
    opened = set(session.exec(select(MessageRead.message_id).where(MessageRead.citizen_id == subject_id)).all())
    fresh = (rows["sender"] != Sender.CITIZEN) & (rows["sent_at"] >= pd.Timestamp(_unread_since(session)))
    unread = fresh.to_numpy() & ~np.isin(rows["message_id"].to_numpy(), list(opened))
    return [Message(int(r.message_id), int(r.thread_id), "historikk", r.topic, r.sender, r.sent_at.to_pydatetime(),
                    int(r.gp_office_id), bool(u)) for r, u in zip(rows.itertuples(), unread)]


def _live(session: Session, subject_id: int, youth_id: int | None) -> list[Message]:
    query = select(PortalMessage).where(PortalMessage.citizen_id == subject_id)
    rows = session.exec(query).all()
    if youth_id is not None:  # only threads the young person began themself
        own = {m.thread_id for m in rows if m.written_by == youth_id and m.id == m.thread_id}
        rows = [m for m in rows if m.thread_id in own]
    return [Message(m.id, m.thread_id, "helsenorge", m.topic, m.sender, m.sent_at, m.organisation_id,
                    m.sender != Sender.CITIZEN and m.read_at is None, m.body) for m in rows]


def inbox(session: Session, actor: Actor, now: dt.datetime) -> list[Message]:
    """Every message of the subject the actor may see, newest first (Service.MESSAGES, view)."""
    access.check(session, actor, policy.Service.MESSAGES, policy.Action.VIEW, now)
    youth = _youth_sees_own_only(session, actor, now)
    found = ([] if youth else _archive(session, actor.subject, now)) + _live(session, actor.subject, actor.person_id if youth else None)
    return sorted(found, key=lambda m: (m.sent_at, m.message_id), reverse=True)


def open_thread(session: Session, actor: Actor, thread_id: int, source: str, now: dt.datetime) -> list[Message]:
    """One thread in time order; the office's unread messages in it are marked read (as one unit)."""
    shown = [m for m in inbox(session, actor, now) if m.thread_id == thread_id and m.source == source]
    if not shown:
        raise NotFound(f"thread_id {thread_id} is not one of this person's message threads",
                       f"Fant ingen meldingstråd {thread_id} for denne personen.", "thread_id")
    when = now.replace(microsecond=0, tzinfo=None)
    with access.unit_of_work(session):
        for m in shown:
            if not m.unread:
                continue
            if source == "historikk":
                session.add(MessageRead(citizen_id=actor.subject, message_id=m.message_id, read_at=when))
            else:
                session.get(PortalMessage, m.message_id).read_at = when
    return sorted(shown, key=lambda m: (m.sent_at, m.message_id))


def unread_count(session: Session, subject_id: int, now: dt.datetime) -> int:
    """How many office messages the subject has not opened. No policy check: the caller (the overview)
    must have checked that the actor may view the subject's messages."""
    rows = histories.table(session, "messages", subject_id, ["message_id", "sender", "sent_at"])
    sent = histories.column(rows, "sent_at")
    fresh = ((histories.column(rows, "sender") != Sender.CITIZEN) & (sent >= np.datetime64(_unread_since(session)))
             & (sent <= np.datetime64(now.replace(tzinfo=None))))
    archive = 0
    if fresh.any():
        opened = session.exec(select(MessageRead.message_id).where(MessageRead.citizen_id == subject_id)).all()
        archive = int((~np.isin(histories.column(rows, "message_id")[fresh], list(opened))).sum())
    live = session.exec(select(func.count()).select_from(PortalMessage).where(
        PortalMessage.citizen_id == subject_id, PortalMessage.sender != Sender.CITIZEN, PortalMessage.read_at.is_(None))).one()
    return int(archive + live)
