"""Browser check of helsestasjon: a parent listed at the GP office logs in, chooses to act for their child
(under 16, in a kommune that offers the service), the page lists the child's programme appointments, and the
database holds the read in the child's log of use (record "helsestasjon", read by the parent)."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session

from helsekit.errors import HelsekitError
from helsekit.services import access, actors, histories, kjernejournal, municipal, policy, roster
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.login import BASIS_NB


def _family(session: Session, site_id: int, parent_id: int | None = None) -> tuple[int, actors.Choice]:
    """A listed parent (``parent_id`` if given) and a child of theirs whose programme they may see and which has appointments."""
    now = access.reference_now(session)
    for person in roster.citizens_at(session, site_id, now.date()):
        if parent_id is not None and person.citizen_id != parent_id:
            continue
        for choice in actors.acting_choices(session, person.citizen_id, now.date()):
            if choice.basis is not policy.Basis.PARENT or not municipal.offer_for(session, choice.subject_id, municipal.HEALTH_STATION).offered:
                continue
            try:
                access.check(session, Actor(person.citizen_id, choice.subject_id), policy.Service.HEALTH_STATION, policy.Action.VIEW, now)
            except HelsekitError:
                continue
            if len(histories.of(session, "health_station_appointments", choice.subject_id, ["appointment_id"])):
                return person.citizen_id, choice
    raise LookupError(f"no parent at site {site_id} may see a child's helsestasjon appointments")


def citizen_for(session: Session, site_id: int) -> int:
    """A parent listed at the site with a child whose programme they may see."""
    return _family(session, site_id)[0]


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Act for the child, see its appointments listed, and find the parent's read in the child's log of use."""
    with Session(engine_for(db)) as session:
        _, child = _family(session, site_id, citizen_id)
        now = access.reference_now(session)
        rows = histories.of(session, "health_station_appointments", child.subject_id, ["starts_at"])
    label = f"{child.given_name} {child.family_name} ({BASIS_NB['parent']})"
    page.locator(".hk-login select").last.select_option(label=label, timeout=30_000)
    page.get_by_role("button", name="Fortsett").click()
    page.locator(".hk-login-status", has_text=f"handler for {child.given_name} {child.family_name}").wait_for(timeout=30_000)
    past = int((pd.to_datetime(rows["starts_at"]) < pd.Timestamp(now)).sum())
    coming = len(rows) - past
    if past:
        page.locator(".hk-health-station-past").wait_for(timeout=30_000)
        assert page.locator(".hk-health-station-past tbody tr").count() == past
    if coming:
        page.locator(".hk-health-station-coming").wait_for(timeout=30_000)
        assert page.locator(".hk-health-station-coming tbody tr").count() == coming
    with Session(engine_for(db)) as session:
        reads = kjernejournal.reads(session, child.subject_id)
    assert any(r.record == "helsestasjon" and r.actor_id == citizen_id and r.basis == "parent" for r in reads)
