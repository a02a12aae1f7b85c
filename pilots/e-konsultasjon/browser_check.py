"""Browser check of e-konsultasjon: write and send an e-consultation to the fastlege, see the page confirm
it and show the new thread, and find the message as an e-consultation thread in the database."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.services import access, actors, messages, roster
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

TEXT = "Nettlesertest: vondt i halsen i tre dager."


def citizen_for(session: Session, site_id: int) -> int:
    """An adult on the office's lists who acts only for themself (so the page logs them straight in)."""
    today = access.reference_now(session).date()
    for person in roster.citizens_at(session, site_id, today):
        if 20 <= person.age <= 70 and len(actors.acting_choices(session, person.citizen_id, today)) == 1:
            return person.citizen_id
    raise LookupError(f"no adult acting only for themself at site {site_id}")


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Send an e-consultation from the page and check that the database holds it."""
    box = page.locator(".hk-econsult")
    box.locator("textarea").fill(TEXT)
    box.get_by_role("button", name="Send e-konsultasjon").click()
    page.locator(".hk-threads-status", has_text="E-konsultasjonen er sendt").wait_for(timeout=30_000)
    page.locator(".hk-thread", has_text=TEXT).wait_for(timeout=30_000)
    with Session(engine_for(db)) as session:
        found = messages.inbox(session, Actor(citizen_id, citizen_id), access.reference_now(session))
    assert any(m.source == "helsenorge" and m.topic == "e_konsultasjon" and m.body == TEXT for m in found)
