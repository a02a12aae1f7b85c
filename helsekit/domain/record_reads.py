"""Reads of record data through Min helse: every time the citizen, or someone acting for them, opened
their kjernejournal or hospital record on Helsenorge. The citizen sees these in their log of use
(§3.8 *logg over bruk*), beside health personnel's lookups (the ``access_log`` history, §4.8, §5.3)."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class RecordRead(SQLModel, table=True):
    """One read of record data by a Helsenorge user, written in the same transaction as the read."""

    __tablename__ = "record_read"

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="citizen.id", index=True, description="whose record was read")
    actor_id: int = Field(foreign_key="citizen.id", description="who was logged in")
    basis: str = Field(description="self, parent or fullmakt (helsekit.services.policy.Basis)")
    record: str = Field(description="kjernejournal or pasientjournal")
    read_at: NaiveDatetime = Field(description="Norwegian local time, like every time in helsekit")
