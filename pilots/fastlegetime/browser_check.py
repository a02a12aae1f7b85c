"""Browser check of the fastlegetime pilot (run by tests/browser/test_pilot_actions.py): book the first free slot."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.services import access, roster
from helsekit.services.actors import Actor
from helsekit.services.appointments import list_appointments
from helsekit.storage.database import engine_for


def citizen_for(session, site_id: int) -> int:
    """An adult on the office's lists, who books for themselves."""
    people = roster.citizens_at(session, site_id, access.reference_now(session).date())
    return next(p.citizen_id for p in people if 20 <= p.age <= 70)


def _future(db: str, citizen_id: int) -> list:
    with Session(engine_for(db)) as session:
        return list_appointments(session, Actor(citizen_id, citizen_id), access.reference_now(session)).future


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Press "Bestill time" on the first free slot; the page says it is booked and the database holds it."""
    before = {a.ref for a in _future(db, citizen_id)}
    page.locator(".hk-book select").first.select_option(index=0)  # a dropdown filled later shows no choice yet
    page.get_by_role("button", name="Bestill time").click()
    page.get_by_text("Timen er bestilt").first.wait_for()
    assert page.locator("a.hk-ics").count() >= 1
    booked = [a for a in _future(db, citizen_id) if a.ref not in before]
    assert len(booked) == 1, f"expected one new appointment, found {booked}"
    assert page.locator(f".hk-appointment-{booked[0].ref}").count() == 1
