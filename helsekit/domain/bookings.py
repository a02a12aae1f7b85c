"""Appointments booked, moved, cancelled and confirmed on Min helse (the services' own, live table).

The ten years of appointments are in the history archive (``gp_contacts``, ``hospital_appointments``
and their ``appointment_events``); what citizens do through :mod:`helsekit.services.appointments`
from the reference date on is stored here. One row is either

* a **portal slot**: a time booked on Helsenorge, or an archive appointment moved to a new time
  (``holds_slot``); the database lets only one active booking hold a slot of a calendar, so two
  people can never get the same time, however many try at once; or
* an **archive override**: an archive appointment confirmed or cancelled at its own time
  (``holds_slot`` false: the archive's times come from calendars helsekit does not model).

Each archive appointment has at most one row (``replaces_appointment_id``), updated by later actions.
"""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class BookingKind:
    """Whose calendar: the fastlege's (a GP list) or a hospital's outpatient clinic."""

    GP = "fastlege"
    HOSPITAL = "sykehus"

    ALL = (GP, HOSPITAL)


class BookingStatus:
    BOOKED = "booked"
    CANCELLED = "cancelled"


#: Names of the two unique indexes (services tell a taken slot from a concurrent change by them).
ONE_PER_SLOT = "ix_booking_one_per_slot"
ONE_PER_ARCHIVE_APPOINTMENT = "ix_booking_one_per_archive_appointment"

_ACTIVE_SLOT = sa.text("status = 'booked' AND holds_slot")
_REPLACES = sa.text("replaces_appointment_id IS NOT NULL")


class Booking(SQLModel, table=True):
    """One appointment booked or changed through Min helse (see the module docstring)."""

    __tablename__ = "booking"
    __table_args__ = (
        # The database, not a check before the insert, makes a double booking impossible; a
        # cancelled booking leaves the index, so its slot can be booked again.
        sa.Index(ONE_PER_SLOT, "kind", "resource_id", "start", unique=True, sqlite_where=_ACTIVE_SLOT, postgresql_where=_ACTIVE_SLOT),
        sa.Index(ONE_PER_ARCHIVE_APPOINTMENT, "kind", "replaces_appointment_id", unique=True, sqlite_where=_REPLACES, postgresql_where=_REPLACES),
        sa.Index("ix_booking_calendar", "kind", "resource_id", "start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True, description="the patient")
    booked_by: int = Field(foreign_key="citizen.id", description="the logged-in person who made the last change")
    kind: str = Field(description="fastlege or sykehus (BookingKind)")
    site_id: int = Field(foreign_key="organisation.id", description="the GP office or hospital")
    resource_id: int = Field(description="the calendar: the GP list (fastlege) or the hospital (sykehus)")
    practitioner_id: int | None = Field(default=None, foreign_key="practitioner.id", description="the fastlege; none for a list without one and at hospitals")
    start: NaiveDatetime = Field(description="local time (Europe/Oslo)")
    end: NaiveDatetime
    status: str = Field(default=BookingStatus.BOOKED, description="booked or cancelled")
    holds_slot: bool = Field(default=True, description="true for a time booked or moved to on Min helse; false for an archive appointment at its own time")
    confirmed_at: NaiveDatetime | None = Field(default=None, description="when attendance was confirmed (for the current time)")
    cancelled_at: NaiveDatetime | None = None
    changed_at: NaiveDatetime | None = Field(default=None, description="when it was last moved")
    previous_start: NaiveDatetime | None = Field(default=None, description="the time before the last move")
    replaces_appointment_id: int | None = Field(default=None, description="the archive appointment (gp_contacts.contact_id or hospital_appointments.appointment_id) this row overrides")
    created_at: NaiveDatetime
