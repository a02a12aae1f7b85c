"""Bytte fastlege: requests to change GP list sent on Min helse (domain-facts §9.1–§9.2).

The ten generated years of changes are the ``gp_list_membership`` rows with a ``requested_on``; a
request sent through :mod:`helsekit.services.profile` is stored here. A request to a list with room
is registered and takes effect on the 1st of the next month (§9.2); a request to a full list puts the
person on that list's waiting list (§9.2), one list at a time.
"""

from __future__ import annotations

import datetime as dt

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class GpChangeStatus:
    REGISTERED = "registrert"  # takes effect on takes_effect_on
    WAITING = "venteliste"  # on the new list's waiting list (§9.2)


def takes_effect_on(asked: dt.date) -> dt.date:
    """The day a change asked for on ``asked`` takes effect: the 1st of the next month (§9.2)."""
    return dt.date(asked.year + asked.month // 12, asked.month % 12 + 1, 1)


class GpChangeRequest(SQLModel, table=True):
    """A request to move to another fastlege list, asked for on Helsenorge."""

    __tablename__ = "gp_change_request"

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    from_gp_list_id: int | None = Field(default=None, foreign_key="gp_list.id", description="the list on the day asked; none if not listed")
    to_gp_list_id: int = Field(foreign_key="gp_list.id", index=True)
    requested_by: int = Field(foreign_key="citizen.id", description="the logged-in person")
    requested_at: NaiveDatetime
    status: str = Field(description="registrert or venteliste")
    takes_effect_on: dt.date | None = Field(default=None, description="1st of the next month (§9.2); none while on the waiting list")
    membership_id: int | None = Field(default=None, foreign_key="gp_list_membership.id", description="the new membership, once registered")
