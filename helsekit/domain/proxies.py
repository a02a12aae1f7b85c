"""Fullmakt: one citizen letting another use Helsenorge on their behalf (domain-facts §3.5–§3.7)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


class FullmaktScope:
    """What a fullmakt lets the holder do (§3.6)."""

    DIGITAL_HEALTH_SERVICES = "digitale_helsetjenester"  # act: use the services, edit, message
    VIEW = "innsyn"  # only view what is registered about the giver

    ALL = (DIGITAL_HEALTH_SERVICES, VIEW)


class Fullmakt(SQLModel, table=True):
    """A fullmakt in force or given earlier. The giver must be over 16, the holder over 18 (§3.5)."""

    id: int = Field(primary_key=True)
    giver_id: int = Field(foreign_key="citizen.id", index=True)
    holder_id: int = Field(foreign_key="citizen.id", index=True)
    scope: str
    valid_from: dt.date
    valid_to: dt.date | None = Field(default=None, description="None: indefinite (§3.5)")
