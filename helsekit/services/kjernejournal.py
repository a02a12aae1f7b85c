"""Kjernejournal on Min helse: the citizen's critical information, own registrations and vaccines (§4.1–§4.3),
behind the access policy; every read is written to the subject's log of reads in the same transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from helsekit.domain.kjernejournal import CriticalInformation, OwnRegistration
from helsekit.domain.record_reads import RecordRead
from helsekit.services import access, policy, vaccinations
from helsekit.services.actors import Actor


@dataclass(frozen=True)
class KjernejournalView:
    """What the actor sees: kritisk informasjon (§4.3), the person's own registrations (§4.1–§4.2) and the
    Vaksiner section (§4.2), newest first."""

    subject_id: int
    critical_information: list[CriticalInformation]
    own_registrations: list[OwnRegistration]
    vaccinations: list[vaccinations.Vaccination]


def view(session: Session, actor: Actor, now: dt.datetime) -> KjernejournalView:
    """The subject's kjernejournal as the actor may see it on ``now``; raises
    :class:`~helsekit.services.policy.AccessDenied` (nothing written) when the policy says no."""
    decision = access.check(session, actor, policy.Service.KJERNEJOURNAL, policy.Action.VIEW, now)
    subject = actor.subject
    with access.unit_of_work(session):
        critical = session.exec(select(CriticalInformation).where(CriticalInformation.citizen_id == subject).order_by(CriticalInformation.registered_on)).all()
        own = session.exec(select(OwnRegistration).where(OwnRegistration.citizen_id == subject).order_by(OwnRegistration.registered_on)).all()
        doses = vaccinations.of(session, subject, now.date())
        access.log_read(session, actor, decision, policy.Service.KJERNEJOURNAL, now)
    return KjernejournalView(subject, list(critical), list(own), doses)


def reads(session: Session, subject_id: int) -> list[RecordRead]:
    """The subject's log of reads through Min helse, newest first."""
    return list(session.exec(select(RecordRead).where(RecordRead.subject_id == subject_id).order_by(RecordRead.read_at.desc())).all())
