"""Browser check of the Min helse overview pilot (run by tests/browser/test_pilot_actions.py): open the kjernejournal."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.services import access, kjernejournal, roster
from helsekit.storage.database import engine_for


def citizen_for(session, site_id: int) -> int:
    """An adult on the office's lists, who looks at their own kjernejournal."""
    people = roster.citizens_at(session, site_id, access.reference_now(session).date())
    return next(p.citizen_id for p in people if 20 <= p.age <= 70)


def _reads(db: str, citizen_id: int) -> list:
    with Session(engine_for(db)) as session:
        return kjernejournal.reads(session, citizen_id)


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Press "Åpne kjernejournal"; the page shows it and the read is in the database's log of use."""
    before = len(_reads(db, citizen_id))
    page.get_by_role("button", name="Åpne kjernejournal").click()
    page.get_by_text("oppslaget står nå i logg over bruk").first.wait_for()
    assert "Kritisk informasjon" in page.locator(".hk-kjernejournal").inner_text()
    reads = _reads(db, citizen_id)
    assert len(reads) == before + 1 and any(r.actor_id == citizen_id and r.record == "kjernejournal" for r in reads)
