"""Browser check of kreftforlop: the pathway timeline and the coordinator are drawn, then the decision aid
is filled in and shared from the page, the page confirms it, and the database holds it as one samvalg
message to the pathway's hospital."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.errors import HelsekitError
from helsekit.services import access, actors, cancer_pathways, messages, roster
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

QUESTION = "Nettlesertest: hvor lenge må jeg være sykmeldt?"


def citizen_for(session: Session, site_id: int) -> int:
    """A person of the hospital's kommune with a cancer pathway they may see, acting only for themself."""
    now = access.reference_now(session)
    for person in roster.citizens_at(session, site_id, now.date()):
        if person.age < 16 or len(actors.acting_choices(session, person.citizen_id, now.date())) != 1:
            continue
        try:
            found = cancer_pathways.view(session, Actor(person.citizen_id), now)
        except HelsekitError:  # e.g. below Full tilgang
            continue
        if found.pathways and found.pathways[0].coordinator is not None:
            return person.citizen_id
    raise LookupError(f"no one with a cancer pathway they may see in the kommune of site {site_id}")


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Pick what matters, keep "unsure", write a question, share it, and find the message in the database."""
    page.locator(".hk-cancer-pathway .hk-pathway-timeline").first.wait_for(timeout=30_000)
    page.locator(".hk-coordinator", has_text="Din forløpskoordinator").wait_for(timeout=30_000)
    aid = page.locator(".hk-decision-aid")
    aid.locator(".hk-matter input[type=checkbox]").first.check()
    aid.locator(".hk-questions textarea").fill(QUESTION)
    aid.get_by_role("button", name="Del med forløpskoordinatoren").click()
    page.locator(".hk-decision-aid-status", has_text="Svarene dine er delt").wait_for(timeout=30_000)
    with Session(engine_for(db)) as session:
        found = messages.inbox(session, Actor(citizen_id, citizen_id), access.reference_now(session))
        hospital = cancer_pathways.view(session, Actor(citizen_id), access.reference_now(session)).pathways[0].hospital_id
    shared = [m for m in found if m.source == "helsenorge" and m.topic == "samvalg" and m.body.endswith(QUESTION)]
    assert len(shared) == 1 and shared[0].organisation_id == hospital
