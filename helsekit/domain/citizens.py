"""The citizen: a synthetic person registered in Folkeregisteret."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

#: A database-level guard in addition to the codec's: the third digit (month + 80, §1.8) must be 8 or 9.
SYNTHETIC_PERSON_NUMBER_CHECK = "length(person_number) = 11 AND substr(person_number, 3, 1) IN ('8', '9')"


class AddressProtection:
    """Folkeregister address protection (§3.7): kode 7 fortrolig, kode 6 strengt fortrolig."""

    NONE = "none"
    FORTROLIG = "fortrolig"
    STRENGT_FORTROLIG = "strengt_fortrolig"


class Citizen(SQLModel, table=True):
    """A synthetic citizen. ``person_number`` is always a Tenor synthetic number (§1.8)."""

    __table_args__ = (CheckConstraint(SYNTHETIC_PERSON_NUMBER_CHECK, name="person_number_is_synthetic"),)

    id: int = Field(primary_key=True)
    person_number: str = Field(index=True, unique=True, max_length=11)
    person_number_kind: str = Field(max_length=3, description="FNR or DNR (kodeverk 8327, §1.7)")
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str = Field(max_length=1, description="M or F, as the person number encodes it (§1.1)")
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True,
                                     description="the registered address; none for the deceased")
    kommune_number: str = Field(foreign_key="kommune.number", index=True, max_length=4)
    address_protection: str = Field(default=AddressProtection.NONE)
    phone: str | None = None
    email: str | None = None
    death_date: dt.date | None = Field(default=None, description="the deceased stay in the register, without an address")
