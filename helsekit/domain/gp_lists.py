"""The fastlege scheme: GP lists (fastlegelister) and who is on them (§9)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


class GpList(SQLModel, table=True):
    """A fastlege list at a GP office. ``practitioner_id`` is None while the list has no permanent GP."""

    __tablename__ = "gp_list"

    id: int = Field(primary_key=True)
    gp_office_id: int = Field(foreign_key="organisation.id", index=True)
    practitioner_id: int | None = Field(default=None, foreign_key="practitioner.id", index=True)
    ceiling: int = Field(description="listetak: the most listeinnbyggere the agreement allows (§9.4)")
    kommune_number: str = Field(foreign_key="kommune.number", index=True, max_length=4)


class GpListMembership(SQLModel, table=True):
    """A citizen's place on a GP list from ``valid_from`` until ``valid_to`` (None: still on it)."""

    __tablename__ = "gp_list_membership"

    id: int = Field(primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    gp_list_id: int = Field(foreign_key="gp_list.id", index=True)
    valid_from: dt.date
    valid_to: dt.date | None = None
    requested_on: dt.date | None = Field(default=None, description="when the change was asked for (§9.2); none for a first relation")
    via_waiting_list: bool = Field(default=False, description="joined from the list's waiting list when it opened (§9.2)")
