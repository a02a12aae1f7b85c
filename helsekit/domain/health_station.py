"""Changes to helsestasjon and skolehelsetjenesten appointments made on Min helse (the services' own, live table):
the appointments themselves are in the history archive (``health_station_appointments``); a cancellation or a
move from the reference date on is stored here, the latest change of an appointment deciding what is shown."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel

CANCELLED, MOVED = "avlyst", "flyttet"


class HealthStationChange(SQLModel, table=True):
    """One cancellation or move of a programme appointment, by the child's parent (or the young person)."""

    __tablename__ = "health_station_change"

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(index=True, description="the archive's health_station_appointments.appointment_id")
    citizen_id: int = Field(foreign_key="citizen.id", index=True, description="the child")
    action: str = Field(description="avlyst or flyttet")
    new_starts_at: NaiveDatetime | None = Field(default=None, description="the new start of a moved appointment")
    changed_by: int = Field(foreign_key="citizen.id", description="the logged-in person")
    changed_at: NaiveDatetime
