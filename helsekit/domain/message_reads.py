"""Which generated (history-archive) messages have been opened on Min helse since the reference date."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class MessageRead(SQLModel, table=True):
    """A history message (``messages.message_id`` in the archive) opened by the citizen's side."""

    __tablename__ = "message_read"

    citizen_id: int = Field(foreign_key="citizen.id", primary_key=True)
    message_id: int = Field(primary_key=True, description="messages.message_id in the history archive")
    read_at: NaiveDatetime
