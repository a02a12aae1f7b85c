"""Messages written on Min helse (the services' own, live table): to and from the GP office or hospital.

The ten years of generated messages are in the history archive (``messages``); what citizens and
offices write through :mod:`helsekit.services` from the reference date on is stored here.
"""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class Topic:
    """What a thread is about (the archive's topics, and questions about an appointment)."""

    E_CONSULTATION = "e_konsultasjon"
    CONTACT_OFFICE = "kontakt_legekontoret"
    RENEWAL = "fornyelse_resept"  # §10.6
    APPOINTMENT_QUESTION = "sporsmal_om_time"
    NOTICE = "varsel"
    PATHWAY_COORDINATOR = "forlopskoordinator"  # to a cancer pathway's coordinator (§12.2)
    SHARED_DECISION = "samvalg"  # a decision aid's answers, for the pathway's MDT meeting (§12.2)

    ALL = (E_CONSULTATION, CONTACT_OFFICE, RENEWAL, APPOINTMENT_QUESTION, NOTICE, PATHWAY_COORDINATOR, SHARED_DECISION)


class Sender:
    CITIZEN = "innbygger"
    OFFICE = "legekontor"
    HOSPITAL = "sykehus"


class PortalMessage(SQLModel, table=True):
    """One message in a thread between a citizen (or someone acting for them) and an organisation."""

    __tablename__ = "portal_message"

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(index=True, description="the id of the thread's first message")
    citizen_id: int = Field(foreign_key="citizen.id", index=True, description="whom the thread is about")
    organisation_id: int = Field(foreign_key="organisation.id", description="the GP office or hospital")
    topic: str = Field(description="one of Topic.ALL")
    sender: str = Field(description="innbygger, legekontor or sykehus")
    written_by: int | None = Field(default=None, foreign_key="citizen.id", description="the logged-in person, for the citizen's side")
    body: str
    sent_at: NaiveDatetime
    read_at: NaiveDatetime | None = Field(default=None, description="when the citizen's side read it (office messages)")
    appointment_kind: str | None = Field(default=None, description="fastlege or sykehus, for a question about an appointment")
    appointment_id: int | None = Field(default=None, description="the appointment asked about")
    prescription_id: int | None = Field(default=None, description="the prescription a renewal asks for")


class RenewalStatus:
    SENT = "sendt"
    APPROVED = "godkjent"
    DECLINED = "avslått"


#: At most one request per prescription waits for the GP at a time; the database enforces it.
ONE_PENDING_RENEWAL = "ix_renewal_request_one_pending"
_PENDING = sa.text("status = 'sendt'")


class RenewalRequest(SQLModel, table=True):
    """A 'Forny resept' request (§10.6) sent on Min helse; the GP decides."""

    __tablename__ = "renewal_request"
    __table_args__ = (sa.Index(ONE_PENDING_RENEWAL, "prescription_id", unique=True, sqlite_where=_PENDING, postgresql_where=_PENDING),)

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    prescription_id: int = Field(description="the earlier prescription (history archive) to renew")
    gp_office_id: int = Field(foreign_key="organisation.id")
    requested_by: int = Field(foreign_key="citizen.id", description="the logged-in person")
    requested_at: NaiveDatetime
    status: str = Field(default=RenewalStatus.SENT, description="sendt, godkjent or avslått")
    message_id: int | None = Field(default=None, foreign_key="portal_message.id")
