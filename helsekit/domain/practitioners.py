"""Health personnel, identified by a synthetic HPR number."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


class Practitioner(SQLModel, table=True):
    """A fictional health professional working at an organisation (for now: fastleger)."""

    id: int = Field(primary_key=True)
    hpr_number: str = Field(index=True, unique=True, max_length=10)
    given_name: str
    family_name: str
    sex: str = Field(max_length=1)
    birth_date: dt.date
    profession: str = Field(description="e.g. lege")
    role: str = Field(description="e.g. fastlege")
    specialist_general_practice: bool = False
    salaried: bool = False
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
