"""Messages with the kommune's home-care service (hjemmetjenester) written on Min helse (the services' own, live
table). The generated weeks of messages are in the history archive (``home_care_messages``); what a recipient,
or their proxy, writes from the reference date on is stored here."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel

SERVICE_SENDER, CITIZEN_SENDER = "hjemmetjenesten", "innbygger"


class HomeCareMessage(SQLModel, table=True):
    """One message between a home-care recipient's side and the home-care service of their kommune."""

    __tablename__ = "home_care_message"

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int | None = Field(default=None, index=True, description="the archive's or this table's first message of the thread; None: a new thread")
    citizen_id: int = Field(foreign_key="citizen.id", index=True, description="the recipient the thread is about")
    kommune_number: str = Field(foreign_key="kommune.number", max_length=4, description="the kommune whose home-care service it is")
    sender: str = Field(description="innbygger or hjemmetjenesten")
    written_by: int | None = Field(default=None, foreign_key="citizen.id", description="the logged-in person, for the citizen's side")
    topic: str
    body: str
    sent_at: NaiveDatetime
