"""Browser check of influensavaksine: the office's notices are listed, then the first free slot with the
fastlege is booked from the page, the page confirms it, and the database holds the new appointment."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.errors import HelsekitError
from helsekit.services import access, actors, messages, roster
from helsekit.services.actors import Actor
from helsekit.services.appointments import list_appointments
from helsekit.storage.database import engine_for


def citizen_for(session: Session, site_id: int) -> int:
    """A listed person acting only for themself who has received a notice (varsel) from the office."""
    now = access.reference_now(session)
    for person in roster.citizens_at(session, site_id, now.date()):
        me = Actor(person.citizen_id, person.citizen_id)
        if person.age < 18 or len(actors.acting_choices(session, person.citizen_id, now.date())) != 1:
            continue
        try:
            if any(m.topic == "varsel" for m in messages.inbox(session, me, now)):
                return person.citizen_id
        except HelsekitError:  # e.g. a consent level that does not show the inbox
            continue
    raise LookupError(f"no one at site {site_id} has a notice from the office")


def _future(db: str, citizen_id: int) -> set[str]:
    with Session(engine_for(db)) as session:
        return {a.ref for a in list_appointments(session, Actor(citizen_id, citizen_id), access.reference_now(session)).future}


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """See the notices listed, book the first free slot and find the booking in the database."""
    before = _future(db, citizen_id)
    page.locator(".hk-threads select").wait_for(timeout=30_000)
    assert "Varsel" in page.locator(".hk-threads").inner_text()
    page.locator(".hk-book select").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Bestill time").click()
    page.get_by_text("Timen er bestilt").first.wait_for(timeout=30_000)
    booked = _future(db, citizen_id) - before
    assert len(booked) == 1, f"expected one new appointment, found {booked}"
    assert page.locator(f".hk-appointment-{next(iter(booked))}").count() == 1
