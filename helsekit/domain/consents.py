"""What a citizen has chosen on Helsenorge: consent level, notifications and kjernejournal reservations."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class ConsentLevel:
    """The Helsenorge access level consented to (§3.5: most services need Basis; Henvisninger needs Full)."""

    NONE = "ingen"
    LIMITED = "begrenset"
    BASIS = "basis"
    FULL = "full"

    ORDER = (NONE, LIMITED, BASIS, FULL)


class HelsenorgeProfile(SQLModel, table=True):
    """One per citizen aged 16 or more: consent level, notification channel and kjernejournal choices (§4.7)."""

    __tablename__ = "helsenorge_profile"

    citizen_id: int = Field(foreign_key="citizen.id", primary_key=True)
    consent_level: str
    notification_channel: str | None = Field(default=None, description="epost, sms or begge")
    kj_block_own_web_access: bool = Field(default=False, description="Sperre for tilgang via helsenorge.no (§4.7.1)")
    kj_block_health_personnel: bool = Field(default=False, description="Hindre helsepersonell innsyn (§4.7.2)")
    kj_reserved: bool = Field(default=False, description="Reservert mot å ha kjernejournal (§4.7.3)")
