"""Browser check of hjemmetjenester: a home-care recipient listed at the GP office logs in, the page shows the
visits of the coming two weeks, the recipient writes to the home-care service, and the database holds the
message (written by the recipient) and the read in the recipient's log of use (record "hjemmetjenester")."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from helsekit.domain.home_care import HomeCareMessage
from helsekit.errors import HelsekitError
from helsekit.services import access, histories, kjernejournal, municipal, policy, roster
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.home_care import PLAN_DAYS

TEXT = "Kan besøket på fredag flyttes til etter klokken ti?"


def citizen_for(session: Session, site_id: int) -> int:
    """A listed home-care recipient in a kommune that offers the service, who may write to it themself."""
    now = access.reference_now(session)
    for person in roster.citizens_at(session, site_id, now.date()):
        if not municipal.offer_for(session, person.citizen_id, municipal.HOME_CARE).offered:
            continue
        try:
            access.check(session, Actor(person.citizen_id), policy.Service.HOME_CARE, policy.Action.ACT, now)
        except HelsekitError:  # e.g. a consent level that does not show the service
            continue
        if len(histories.of(session, "home_care_visits", person.citizen_id, ["visit_id"])):
            return person.citizen_id
    raise LookupError(f"no home-care recipient at site {site_id} may use the service")


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """See the coming visits, send a message, and find it and the read in the database."""
    with Session(engine_for(db)) as session:
        now = pd.Timestamp(access.reference_now(session))
        starts = pd.to_datetime(histories.of(session, "home_care_visits", citizen_id, ["starts_at"])["starts_at"])
    coming = int(((starts >= now) & (starts < now + pd.Timedelta(days=PLAN_DAYS))).sum())
    page.locator(".hk-home-care-visits").wait_for(timeout=30_000)
    assert page.locator(".hk-home-care-visits tbody tr").count() == coming
    form = page.locator(".hk-home-care-send")
    form.locator("input").fill("Besøkstid")
    form.locator("textarea").fill(TEXT)
    form.get_by_role("button", name="Send melding").click()
    page.locator(".hk-home-care-send-status", has_text="Meldingen er sendt").wait_for(timeout=30_000)
    page.locator(".hk-home-care-messages", has_text=TEXT).wait_for(timeout=30_000)
    with Session(engine_for(db)) as session:
        sent = session.exec(select(HomeCareMessage).where(HomeCareMessage.citizen_id == citizen_id)).all()
        reads = kjernejournal.reads(session, citizen_id)
    assert any(m.body == TEXT and m.written_by == citizen_id for m in sent)
    assert any(r.record == "hjemmetjenester" and r.actor_id == citizen_id for r in reads)
