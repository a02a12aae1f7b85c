"""Pasientjournal on Min helse: documents from the subject's hospital records (§5.1, §5.2), shown from
24 h after approval where the region shows documents (§5.3), behind the access policy (never on behalf
of a child under 16, §5.3). Every read is written to the subject's log of reads in the same transaction;
a refused read writes nothing.

Which documents a region shows, and from when, is decided by the history generator and written as
``visible_from`` (empty where never shown, §5.1, §5.4); this view shows those with ``visible_from <= now``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from helsekit.services import access, directory, histories, policy
from helsekit.services.actors import Actor

_COLUMNS = ["document_id", "hospital_id", "referral_id", "appointment_id", "kind", "author_id", "written_at", "approved_at", "visible_from"]


@dataclass(frozen=True)
class HospitalDocument:
    """One document from a hospital record (§5.2), as shown on Helsenorge."""

    document_id: int
    kind: str  # poliklinisk notat, epikrise, behandlingsplan, … (§5.2)
    hospital_id: int
    hospital_name: str | None
    written_at: dt.datetime
    approved_at: dt.datetime
    shown_from: dt.datetime  # 24 h after approval (§5.3)
    author_name: str | None
    referral_id: int
    appointment_id: int | None  # None for an epikrise or sammenfatning at the end of treatment


@dataclass(frozen=True)
class HospitalRecordView:
    """The subject's hospital record documents, newest approval first."""

    subject_id: int
    documents: list[HospitalDocument]


def view(session: Session, actor: Actor, now: dt.datetime) -> HospitalRecordView:
    """The subject's hospital record as the actor may see it on ``now``; the read is logged (record_read).

    Raises :class:`~helsekit.services.policy.AccessDenied` (nothing written) when the policy says no.
    """
    decision = access.check(session, actor, policy.Service.HOSPITAL_RECORD, policy.Action.VIEW, now)
    subject = actor.subject
    with access.unit_of_work(session):
        documents = _documents(session, subject, now)
        access.log_read(session, actor, decision, policy.Service.HOSPITAL_RECORD, now)
    return HospitalRecordView(subject, documents)


def _documents(session: Session, subject_id: int, now: dt.datetime) -> list[HospitalDocument]:
    docs = histories.of(session, "hospital_documents", subject_id, columns=_COLUMNS)
    shown = docs[docs["visible_from"].notna() & (docs["visible_from"] <= pd.Timestamp(now.replace(tzinfo=None)))]
    shown = shown.sort_values(["approved_at", "document_id"], ascending=False)
    hospitals = directory.organisation_names(session, shown["hospital_id"])
    authors = directory.practitioner_names(session, shown["author_id"])
    return [HospitalDocument(
        document_id=int(d.document_id), kind=d.kind, hospital_id=int(d.hospital_id), hospital_name=hospitals.get(int(d.hospital_id)),
        written_at=d.written_at.to_pydatetime(), approved_at=d.approved_at.to_pydatetime(), shown_from=d.visible_from.to_pydatetime(),
        author_name=authors.get(int(d.author_id)), referral_id=int(d.referral_id),
        appointment_id=None if pd.isna(d.appointment_id) else int(d.appointment_id),
    ) for d in shown.itertuples()]
