"""Who has seen my data (logg over bruk, §3.8; Tilgangslogg, §5.3): health personnel's lookups in the
subject's kjernejournal and hospital record (history ``access_log``), and the reads on Min helse by the
subject, a parent or a fullmakt holder (live table ``record_read``), newest first.

A lookup by health personnel is shown as the history says it is shown on the day (§4.8, §5.3): the
organisation from ``organisation_visible_from``, the person's name from ``person_visible_from``; a
lookup with neither shown yet is left out. Names are looked up once per table for all entries, and
``limit`` keeps only the newest entries before any name is looked up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, select

from helsekit.domain.record_reads import RecordRead
from helsekit.services import access, directory, histories, policy
from helsekit.services.actors import Actor

_COLUMNS = ["entry_id", "record", "organisation_id", "practitioner_id", "accessed_at", "reason", "organisation_visible_from", "person_visible_from"]
HEALTH_PERSONNEL, MIN_HELSE = "helsepersonell", "min_helse"


@dataclass(frozen=True)
class LogEntry:
    """One opening of the subject's kjernejournal or hospital record.

    ``source`` is ``helsepersonell`` (a lookup by health personnel: organisation and person shown once
    their delays have passed, ``reason`` = Begrunnelse for innsyn) or ``min_helse`` (a read on
    Helsenorge: ``person_name`` is who was logged in, ``basis`` self, parent or fullmakt).
    """

    at: dt.datetime
    source: str
    record: str  # kjernejournal or pasientjournal
    organisation_name: str | None
    person_name: str | None
    reason: str | None
    basis: str | None


@dataclass(frozen=True)
class AccessLogView:
    """The subject's log of use, newest first."""

    subject_id: int
    entries: list[LogEntry]


def view(session: Session, actor: Actor, now: dt.datetime, limit: int | None = None) -> AccessLogView:
    """The subject's access log as the actor may see it on ``now`` (the newest ``limit`` entries, or all).

    Raises :class:`~helsekit.services.policy.AccessDenied` when the policy says no.
    """
    access.check(session, actor, policy.Service.ACCESS_LOG, policy.Action.VIEW, now)
    at = pd.Timestamp(now.replace(tzinfo=None))
    log = histories.of(session, "access_log", actor.subject, columns=_COLUMNS)
    org_shown = log["organisation_visible_from"].notna() & (log["organisation_visible_from"] <= at)
    person_shown = log["person_visible_from"].notna() & (log["person_visible_from"] <= at)
    lookups = pd.DataFrame({
        "at": log["accessed_at"], "source": HEALTH_PERSONNEL, "record": log["record"],
        "organisation_id": log["organisation_id"].where(org_shown), "person_id": log["practitioner_id"].where(person_shown),
        "reason": log["reason"], "basis": None, "order": log["entry_id"],
    })[org_shown | person_shown]
    query = select(RecordRead).where(RecordRead.subject_id == actor.subject, RecordRead.read_at <= now.replace(tzinfo=None))
    query = query.order_by(RecordRead.read_at.desc(), RecordRead.id.desc())
    reads = session.exec(query.limit(limit) if limit is not None else query).all()
    portal = pd.DataFrame({
        "at": pd.to_datetime(pd.Series([r.read_at for r in reads], dtype="datetime64[ns]")), "source": MIN_HELSE,
        "record": [r.record for r in reads], "organisation_id": None, "person_id": [r.actor_id for r in reads],
        "reason": None, "basis": [r.basis for r in reads], "order": [r.id for r in reads],
    })
    entries = pd.concat([lookups, portal] if len(portal) else [lookups], ignore_index=True)
    entries = entries.sort_values(["at", "order"], ascending=False)
    if limit is not None:
        entries = entries.head(limit)
    from_log = entries["source"] == HEALTH_PERSONNEL
    organisations = directory.organisation_names(session, entries.loc[from_log, "organisation_id"])
    practitioners = directory.practitioner_names(session, entries.loc[from_log, "person_id"])
    citizens = directory.citizen_names(session, entries.loc[~from_log, "person_id"])
    return AccessLogView(actor.subject, [LogEntry(
        at=e.at.to_pydatetime(), source=e.source, record=e.record,
        organisation_name=directory.name_of(organisations, e.organisation_id),
        person_name=directory.name_of(practitioners if e.source == HEALTH_PERSONNEL else citizens, e.person_id),
        reason=None if pd.isna(e.reason) else e.reason, basis=None if pd.isna(e.basis) else e.basis,
    ) for e in entries.itertuples()])
