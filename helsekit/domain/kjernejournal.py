"""Kjernejournal (the summary care record): critical information entered by the treating doctor (§4)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


class CriticalInformationType:
    """The five types of kritisk informasjon (§4.3)."""

    ALL = ("overfolsomhetsreaksjon", "komplikasjoner_ved_anestesi", "kritisk_medisinsk_tilstand",
           "pagaende_behandling_implantater", "smitte")


class CriticalInformation(SQLModel, table=True):
    """One entry of kritisk informasjon in a citizen's kjernejournal (§4.3)."""

    __tablename__ = "critical_information"

    id: int = Field(primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    type: str
    registered_on: dt.date
    verified: bool = Field(description="Verified by a doctor; otherwise not yet verified (§4.3)")


class OwnRegistrationKind:
    """What a citizen can register in their own kjernejournal (§4.1 *Pasientens egne registreringer*, §4.2 *Donorkort*)."""

    ALL = ("naermeste_parorende", "kommunikasjonsbehov", "sykdom", "donorkort")


class OwnRegistration(SQLModel, table=True):
    """One of the citizen's own registrations in the kjernejournal (§4.1, §4.2)."""

    __tablename__ = "kj_own_registration"

    id: int = Field(primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    kind: str = Field(description="naermeste_parorende, kommunikasjonsbehov, sykdom or donorkort")
    registered_on: dt.date
    contact_id: int | None = Field(default=None, foreign_key="citizen.id",
                                   description="for naermeste_parorende: the next of kin, where they are in the register")
