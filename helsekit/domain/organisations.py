"""Organisations: regional health authorities, health trusts and the treatment sites under them.

All names and identifiers are fictional (synthetic organisation numbers, HER-ids and RESH-ids);
only the kommune where a site lies is real.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


class OrganisationKind:
    """What an organisation is. Treatment sites are every kind but RHF and HF."""

    RHF = "rhf"
    HF = "hf"
    HOSPITAL = "hospital"
    GP_OFFICE = "gp_office"
    PHARMACY = "pharmacy"
    LEGEVAKT = "legevakt"
    HELSESTASJON = "helsestasjon"
    HJEMMETJENESTE = "hjemmetjeneste"

    TREATMENT_SITES = (HOSPITAL, GP_OFFICE, PHARMACY, LEGEVAKT, HELSESTASJON, HJEMMETJENESTE)


class Organisation(SQLModel, table=True):
    """An organisation in the health service, with its parent (hospital → HF → RHF)."""

    __table_args__ = (
        CheckConstraint("substr(organisation_number, 1, 1) = '3'", name="organisation_number_is_synthetic"),
    )

    id: int = Field(primary_key=True)
    kind: str = Field(index=True)
    name: str
    organisation_number: str = Field(index=True, unique=True, max_length=9)
    her_id: str | None = Field(default=None, max_length=10)
    resh_id: str | None = Field(default=None, max_length=10)
    parent_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    kommune_number: str = Field(foreign_key="kommune.number", index=True, max_length=4)
    street_address: str


def offers_prescription_renewal(office_ids, share: float) -> np.ndarray:
    """Whether each GP office offers 'Forny resept' on Helsenorge (§10.6), for ``share`` of the offices.

    A fixed property of the office (a multiplicative hash of its id, not a random draw), so the
    generator's histories and the services always agree on it; ``share`` is
    prescriptions.toml [renewal] portal_offered_by_office.
    """
    return (np.asarray(office_ids, dtype=np.int64) * 2654435761 % 100) < share * 100
