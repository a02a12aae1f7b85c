"""Helpers the widget tests share (imported by name: tests/ has no packages). The ``work`` fixture, a
sandbox copy of the tiny database, is in tests/unit/conftest.py."""

from __future__ import annotations

from sqlmodel import Session

from helsekit import pilots
from helsekit.services import access, roster
from helsekit.storage.database import engine_for

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def sessions(db: str):
    """A session factory on the database at ``db``, as the widgets take it."""
    engine = engine_for(db)
    return lambda: Session(engine)


def pilot(pilot_id: str) -> pilots.Pilot:
    return next(p for p in pilots.discover()[0] if p.id == pilot_id)


def sites_of(db: str, pilot_id: str) -> list:
    """The treatment sites where the pilot runs in the database at ``db``."""
    with Session(engine_for(db)) as session:
        return roster.pilot_sites(session, pilot(pilot_id))


def adult_at(db: str, site_id: int) -> int:
    """The first citizen aged 20 to 70 on the site's lists on the database's reference date."""
    with Session(engine_for(db)) as session:
        people = roster.citizens_at(session, site_id, access.reference_now(session).date())
    return next(p.citizen_id for p in people if 20 <= p.age <= 70)
