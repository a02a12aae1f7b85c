"""Households (a shared registered address) and the parent–child relations within and across them."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class HouseholdKind:
    """SSB's household types (reference-statistics §5)."""

    ONE_PERSON = "one_person"
    COUPLE_WITHOUT_CHILDREN = "couple_without_children"
    COUPLE_WITH_CHILDREN = "couple_with_children"
    SINGLE_PARENT = "single_parent"
    FAMILY_WITH_ADULT_CHILDREN = "family_with_adult_children"
    MULTI_FAMILY_WITHOUT_CHILDREN = "multi_family_without_children"
    MULTI_FAMILY_WITH_CHILDREN = "multi_family_with_children"


class Household(SQLModel, table=True):
    """A private household: everyone registered at one address."""

    id: int = Field(primary_key=True)
    kind: str
    partnership: str | None = Field(default=None, description="married or cohabiting for couples, else None")
    street_address: str
    postal_code: str | None = Field(default=None, max_length=4)
    poststed: str | None = None
    kommune_number: str = Field(foreign_key="kommune.number", index=True, max_length=4)
    size: int


class ParentRelation(SQLModel, table=True):
    """A parent, or step-parent, of a citizen.

    ``foreldreansvar`` is parental responsibility; whether the parent is registered at the child's
    address follows from the two citizens' households (§3.2).
    """

    __tablename__ = "parent_relation"

    child_id: int = Field(foreign_key="citizen.id", primary_key=True)
    parent_id: int = Field(foreign_key="citizen.id", primary_key=True, index=True)
    relation: str = Field(description="mother, father, step_mother or step_father")
    foreldreansvar: bool
