"""Wishes to move a referral to another treatment site, sent on Min helse (fritt behandlingsvalg, §7.1).

The citizen (or someone acting for them) picks a hospital in "Velg behandlingssted"; the hospital that
received the referral decides and forwards it (§6.1 *Videresendt*), which is the hospital's side. The
choices behind the rule are in synthetic_data/specs/treatment_sites.toml [change].
"""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class SiteChangeStatus:
    SENT = "sendt"
    FORWARDED = "videresendt"
    DECLINED = "avslått"


#: At most one wish per referral waits for the hospital at a time; the database enforces it.
ONE_OPEN_PER_REFERRAL = "ix_site_change_request_one_open"
_OPEN = sa.text("status = 'sendt'")


class SiteChangeRequest(SQLModel, table=True):
    """One wish to have a referral moved to another hospital."""

    __tablename__ = "site_change_request"
    __table_args__ = (sa.Index(ONE_OPEN_PER_REFERRAL, "referral_id", unique=True, sqlite_where=_OPEN, postgresql_where=_OPEN),)

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True, description="the patient")
    referral_id: int = Field(description="the referral (history archive) to move")
    from_hospital_id: int = Field(foreign_key="organisation.id", description="the hospital that received the referral")
    to_hospital_id: int = Field(foreign_key="organisation.id", description="the hospital the patient chose")
    sector: str = Field(description="the referral's sector (treatment_sites.toml [sectors])")
    requested_by: int = Field(foreign_key="citizen.id", description="the logged-in person")
    requested_at: NaiveDatetime
    status: str = Field(default=SiteChangeStatus.SENT, description="sendt, videresendt or avslått")
