"""What every service does around its work: ask the policy, log reads of record data, commit as one unit.

Services are plain functions ``(session, actor, …, now)``. Each one

1. asks :func:`check` (the access policy, :mod:`helsekit.services.policy`) before it reads or acts;
2. for record data (kjernejournal, hospital record) writes a :class:`~helsekit.domain.record_reads.RecordRead`
   with :func:`log_read` in the same transaction as the read;
3. does its writes inside :func:`unit_of_work`, which commits them together or rolls all of them
   back, so an error never leaves anything half-written.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import select
from sqlmodel import Session

from helsekit.domain.record_reads import RecordRead
from helsekit.services import policy
from helsekit.services.actors import Actor, facts
from helsekit.storage import database

#: The record name each record service writes in the log of reads.
RECORD_NAMES = {policy.Service.KJERNEJOURNAL: "kjernejournal", policy.Service.HOSPITAL_RECORD: "pasientjournal",
                policy.Service.VACCINATIONS: "vaksiner", policy.Service.TEST_RESULTS: "prøvesvar",
                policy.Service.HEALTH_STATION: "helsestasjon", policy.Service.HOME_CARE: "hjemmetjenester"}


def check(session: Session, actor: Actor, service: policy.Service, action: policy.Action, now: dt.datetime) -> policy.Decision:
    """The policy's decision for ``actor`` on ``now``; raises :class:`~helsekit.services.policy.AccessDenied` when no."""
    return policy.require(facts(session, actor, now.date()), service, action)


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit everything done inside on success; roll all of it back on any error, then re-raise."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def log_read(session: Session, actor: Actor, decision: policy.Decision, service: policy.Service, now: dt.datetime) -> RecordRead:
    """Add (not commit) the subject's log entry for a read of record data; call inside :func:`unit_of_work`."""
    entry = RecordRead(subject_id=actor.subject, actor_id=actor.person_id, basis=str(decision.basis),
                       record=RECORD_NAMES[service], read_at=now.replace(microsecond=0, tzinfo=None))
    session.add(entry)
    return entry


def database_of(session: Session) -> str:
    """The database a session is bound to, as the path or URL it was generated at (to find its archive)."""
    url = session.get_bind().url
    return url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=False)


def reference_now(session: Session, at: dt.time = dt.time(12, 0)) -> dt.datetime:
    """The database's reference date at ``at`` (noon by default): the "now" pilots and notebooks use."""
    day = session.execute(select(database.META.c.value).where(database.META.c.key == "reference_date")).scalar_one()
    return dt.datetime.combine(dt.date.fromisoformat(day), at)
