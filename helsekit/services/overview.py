"""Min helse: the one page that assembles the subject's common view from every provider (issue #4, point 9).

One call, one access decision per tile: the actor must be allowed to view the overview (§3.1), and each
tile is filled only where the policy lets the actor view that service for the subject (a parent of a
13-year-old sees no referrals, §3.2; a young person sees only what ungdomstilgang covers, §3.4). A tile
the actor may not see is ``None`` and named in ``hidden``.

The tiles: the next appointments, prescriptions that need renewal soon, the status of active
referrals, progress toward this year's egenandelstak, unread messages, and the pilots running at the
subject's own sites (their GP office today, and the hospitals and pharmacies of their referrals and
dispensings, for prescriptions due renewal, in the last year), and the autumn influenza reminder when the
subject is in the campaign's target group without this season's dose (services.vaccinations), and how many
test results were reported in the last 30 days. The overview shows no record data (doses and results
themselves are shown, and the read logged, by the vaccinations and test-results services), so it writes
nothing to the log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from helsekit import pilots as pilot_registry
from helsekit.domain.citizens import Citizen
from helsekit.domain.gp_lists import GpList, GpListMembership
from helsekit.services import appointments, copayments, messages, policy, prescriptions, referrals, test_results, vaccinations
from helsekit.services.actors import Actor, facts

NEXT_APPOINTMENTS = 3
OWN_SITES_SINCE_DAYS = 365


@dataclass(frozen=True)
class PilotOffer:
    """A pilot service running at one of the subject's own sites."""

    pilot_id: str
    title: str
    site_id: int


@dataclass(frozen=True)
class Overview:
    """The Min helse overview for ``subject_id`` as ``actor_id`` sees it; a tile is None where not allowed."""

    subject_id: int
    actor_id: int
    basis: str
    name: str
    next_appointments: list[appointments.Appointment] | None
    prescriptions_to_renew: list[prescriptions.Prescription] | None
    referrals: list[referrals.ReferralStatus] | None
    frikort: copayments.FrikortProgress | None
    unread_messages: int | None
    pilots: list[PilotOffer]
    hidden: list[str]
    influenza_reminder: vaccinations.InfluenzaReminder | None = None  # None also where vaccinations are hidden
    new_test_results: int | None = None  # reported in the last 30 days; None where test results are hidden


def own_sites(session: Session, subject_id: int, today: dt.date, hospital_ids=(), pharmacy_ids=()) -> set[int]:
    """The subject's GP office on ``today`` and the given hospitals and pharmacies."""
    office = session.exec(
        select(GpList.gp_office_id).join(GpListMembership, GpListMembership.gp_list_id == GpList.id).where(
            GpListMembership.citizen_id == subject_id, GpListMembership.valid_from <= today,
            (GpListMembership.valid_to.is_(None)) | (GpListMembership.valid_to >= today))).first()
    return {int(i) for i in (office, *hospital_ids, *pharmacy_ids) if i is not None}


def overview(session: Session, actor: Actor, now: dt.datetime, registry: list[pilot_registry.Pilot] | None = None) -> Overview:
    """The subject's Min helse overview on ``now``. ``registry``: the pilots to offer (default: ``pilots/``)."""
    known = facts(session, actor, now.date())
    decision = policy.require(known, policy.Service.OVERVIEW, policy.Action.VIEW)
    may = {s: policy.decide(known, s, policy.Action.VIEW).allowed for s in policy.Service}
    subject, today = actor.subject, now.date()
    upcoming = appointments.upcoming(session, subject, now, NEXT_APPOINTMENTS) if may[policy.Service.APPOINTMENTS] else None
    renew = prescriptions.needing_renewal(session, subject, today) if may[policy.Service.PRESCRIPTIONS] else None
    open_referrals = referrals.statuses_for_overview(session, subject, today) if may[policy.Service.REFERRALS] else None
    progress = copayments.frikort_progress(session, subject, today.year, today) if may[policy.Service.COPAYMENTS] else None
    unread = messages.unread_count(session, subject, now) if may[policy.Service.MESSAGES] else None
    reminder = vaccinations.influenza_reminder(session, subject, today) if may[policy.Service.VACCINATIONS] else None
    new_results = test_results.recent_count(session, subject, now) if may[policy.Service.TEST_RESULTS] else None
    registry = [p for p in (pilot_registry.discover()[0] if registry is None else registry) if p.status == "pilot"]
    offers = []
    if registry:
        since = today - dt.timedelta(days=OWN_SITES_SINCE_DAYS)
        hospitals = [a.site_id for a in upcoming or [] if a.kind == "sykehus"]
        pharmacies = [d.pharmacy_id for p in renew or [] for d in p.dispensings if d.dispensed_on >= since]
        sites = own_sites(session, subject, today, hospitals, pharmacies)
        offers = [PilotOffer(p.id, p.title, site) for p, site in pilot_registry.enabled_at(session, sites, registry)]
    person = session.get(Citizen, subject)
    return Overview(
        subject_id=subject, actor_id=actor.person_id, basis=str(decision.basis), name=f"{person.given_name} {person.family_name}",
        next_appointments=upcoming, prescriptions_to_renew=renew, referrals=open_referrals, frikort=progress,
        unread_messages=unread, pilots=offers, hidden=[s.value for s in policy.Service if not may[s]], influenza_reminder=reminder,
        new_test_results=new_results,
    )
