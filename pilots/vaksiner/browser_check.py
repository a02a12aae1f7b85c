"""Browser check of vaksiner: a citizen in the influenza campaign's target group without this season's dose logs
in, the page lists their vaccinations with the reminder on top, and the database holds the read in the citizen's
log of use (record "vaksiner")."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.errors import HelsekitError
import helsekit
from helsekit.services import access, actors, kjernejournal, policy, roster, vaccinations
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for


def citizen_for(session: Session, site_id: int) -> int:
    """A listed adult acting only for themself who may see their vaccinations and is reminded of the influenza vaccine."""
    now = access.reference_now(session)
    for person in roster.citizens_at(session, site_id, now.date()):
        if person.age < 18 or len(actors.acting_choices(session, person.citizen_id, now.date())) != 1:
            continue
        try:
            access.check(session, Actor(person.citizen_id), policy.Service.VACCINATIONS, policy.Action.VIEW, now)
        except HelsekitError:  # e.g. a consent level that does not show the service
            continue
        if vaccinations.influenza_reminder(session, person.citizen_id, now.date()) is not None:
            return person.citizen_id
    raise LookupError(f"no one at site {site_id} is reminded of the influenza vaccine")


def _vaccine_reads(db: str, citizen_id: int) -> int:
    with Session(engine_for(db)) as session:
        return sum(r.record == "vaksiner" and r.actor_id == citizen_id for r in kjernejournal.reads(session, citizen_id))


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """See the reminder and the vaccinations listed, and find the read in the citizen's log of use."""
    page.locator(".hk-flu-reminder").wait_for(timeout=30_000)
    assert "influensavaksine" in page.locator(".hk-flu-reminder").inner_text()
    data = helsekit.open(db)
    doses = data.vaccinations[(data.vaccinations["citizen_id"] == citizen_id) & (data.vaccinations["given_on"] <= data.reference_date)]
    if len(doses):
        page.locator(".hk-vaccination-table").wait_for(timeout=30_000)
        assert page.locator(".hk-vaccination-table tbody tr").count() == len(doses)
    else:
        page.get_by_text("Ingen vaksiner er registrert").wait_for(timeout=30_000)
    assert _vaccine_reads(db, citizen_id) >= 1
