"""Fylker and kommuner: real geography (see synthetic_data/specs/geography.toml for the year)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Fylke(SQLModel, table=True):
    """A county (fylke), by its two-digit number."""

    number: str = Field(primary_key=True, max_length=2)
    name: str
    region: str = Field(description="The regional health authority's region (RHF) that serves the fylke")


class Kommune(SQLModel, table=True):
    """A municipality (kommune), by its four-digit kommunenummer."""

    number: str = Field(primary_key=True, max_length=4)
    name: str
    fylke_number: str = Field(foreign_key="fylke.number", index=True)
    population_target: int = Field(description="Citizens the profile aims at for this kommune")
    latitude: float
    longitude: float
