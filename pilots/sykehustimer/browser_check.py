"""Browser check of sykehustimer: the referrals' tabs are drawn, then a question about a hospital
appointment is sent from the page, the page confirms it, and the database holds it as a new inbox
thread about that appointment."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.services import access, actors, appointments, messages, roster
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

TEXT = "Nettlesertest: kan jeg ta med en ledsager?"


def citizen_for(session: Session, site_id: int) -> int:
    """An adult of the hospital's kommune with a hospital appointment, acting only for themself."""
    now = access.reference_now(session)
    for person in roster.citizens_at(session, site_id, now.date()):
        if not 20 <= person.age <= 70 or len(actors.acting_choices(session, person.citizen_id, now.date())) != 1:
            continue
        found = appointments.list_appointments(session, Actor(person.citizen_id, person.citizen_id), now)
        if any(a.kind == "sykehus" for a in found.future + found.past):
            return person.citizen_id
    raise LookupError(f"no adult with a hospital appointment in the kommune of site {site_id}")


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Ask about the first listed hospital appointment and check that the database holds the question."""
    page.locator(".hk-referrals .hk-referrals-title").wait_for(timeout=30_000)
    box = page.locator(".hk-question")
    box.locator("select").wait_for(timeout=30_000)
    box.locator("textarea").fill(TEXT)
    box.get_by_role("button", name="Send spørsmål").click()
    page.locator(".hk-appointments-status", has_text="Spørsmålet er sendt").wait_for(timeout=30_000)
    with Session(engine_for(db)) as session:
        found = messages.inbox(session, Actor(citizen_id, citizen_id), access.reference_now(session))
    assert any(m.source == "helsenorge" and m.topic == "sporsmal_om_time" and m.body == TEXT for m in found)
