"""Pakkeforløp for kreft on Min helse: the subject's cancer pathways with their dates against the standard
pathway times (§12.3, §12.4), the forløpskoordinator at the hospital (§12.2), a message to the coordinator,
and the shared decision aid (samvalg) whose answers go to the coordinator for the MDT meeting.

Pathways are the history archive's referrals with a ``pathway`` (§12); they are referral data, so every
function needs :attr:`~helsekit.services.policy.Service.REFERRALS` (Full tilgang, 16+, §3.5): VIEW to see,
ACT to write. The standard times, the texts and the decision aid's content (illustrative, a modelling
choice, not medical advice) are in ``synthetic_data/specs/cancer_pathways.toml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate

import pandas as pd
from sqlmodel import Session

from helsekit.domain.inbox import PortalMessage, Sender, Topic
from helsekit.domain.practitioners import Practitioner
from helsekit.errors import InvalidInput, NotFound, NotOffered
from helsekit.generator import specs
from helsekit.services import access, directory, histories, policy
from helsekit.services.actors import Actor
from helsekit.services.referrals import StatusChange

SPEC = "cancer_pathways"
_COLUMNS = ["referral_id", "hospital_id", "received_on", "start_of_care", "pathway", "pathway_coordinator_id"]
ANSWER_FIELDS = ("matters", "leaning", "questions")


@dataclass(frozen=True)
class Note:
    """A text shown with the pathway (bokmål), with the facts it rests on."""

    text_nb: str
    source: str


@dataclass(frozen=True)
class Milestone:
    """One point of the pathway: its standard day (calendar days after the referral was received) and date,
    and the day it was reached where the archive records it (else None)."""

    name: str
    standard_day: int
    target_on: dt.date
    reached_on: dt.date | None
    days_used: int | None
    within_standard: bool | None


@dataclass(frozen=True)
class Coordinator:
    """The pathway's forløpskoordinator (§12.2) at the hospital."""

    practitioner_id: int
    name: str
    role: str
    hospital_id: int
    hospital_name: str | None


@dataclass(frozen=True)
class Pathway:
    """One cancer pathway as the subject sees it on the day."""

    referral_id: int
    pathway: str  # referrals.toml [pathways] name, e.g. brystkreft
    name: str  # bokmål, e.g. Pakkeforløp for brystkreft
    active: bool
    status: str
    status_on: dt.date
    hospital_id: int
    hospital_name: str | None
    coordinator: Coordinator | None
    received_on: dt.date
    milestones: tuple[Milestone, ...]  # the first is the referral received, the last the start of treatment
    standard_total_days: int
    alternative: str | None  # another standard for another kind of treatment, where the pathway has one
    source: str
    history: tuple[StatusChange, ...]  # the referral's statuses (§6.1), oldest first


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    about: str = ""


@dataclass(frozen=True)
class DecisionAid:
    """The decision aid for one pathway: what may matter (pick ``min_matters``–``max_matters``) and the options."""

    pathway: str
    title: str
    disclaimer: str
    matters: tuple[Option, ...]
    min_matters: int
    max_matters: int
    options: tuple[Option, ...]  # the treatments, then "unsure"
    question_max_chars: int


@dataclass(frozen=True)
class CancerPathwayView:
    """The subject's pathways (active first, then newest received), the notes, and the decision aid of the first."""

    subject_id: int
    pathways: list[Pathway]
    notes: tuple[Note, ...]
    decision_aid: DecisionAid | None


@dataclass(frozen=True)
class SentMessage:
    """A message written to the forløpskoordinator: the first of a new thread in ``portal_message``."""

    message_id: int
    thread_id: int
    topic: str
    hospital_id: int
    hospital_name: str | None
    coordinator_name: str
    body: str
    sent_at: dt.datetime


def view(session: Session, actor: Actor, now: dt.datetime) -> CancerPathwayView:
    """The subject's cancer pathways on ``now``; AccessDenied when the actor may not see referrals."""
    access.check(session, actor, policy.Service.REFERRALS, policy.Action.VIEW, now)
    found = _pathways(session, actor.subject, now.date())
    spec = specs.load(SPEC)
    notes = tuple(Note(spec["notes"][k]["text"], spec["notes"][k]["source"]) for k in ("forlopstider", "mdt"))
    return CancerPathwayView(actor.subject, found, notes, decision_aid(found[0].pathway) if found else None)


def decision_aid(pathway: str) -> DecisionAid:
    """The decision aid's content for ``pathway`` (from the spec; the same for everyone on that pathway)."""
    aid = specs.load(SPEC)["decision_aid"]
    if pathway not in aid["options"]:
        raise InvalidInput(f"pathway {pathway!r} has no decision aid", "Det finnes ikke noe samvalgsverktøy for dette forløpet.", "pathway")
    options = tuple(Option(o["key"], o["label"], o["about"]) for o in aid["options"][pathway])
    return DecisionAid(pathway, aid["title"], aid["disclaimer"], tuple(Option(k, t) for k, t in zip(aid["matters_keys"], aid["matters_labels"])),
                       aid["min_matters"], aid["max_matters"], options + (Option(aid["unsure_key"], aid["unsure_label"], aid["unsure_about"]),),
                       specs.load(SPEC)["messages"]["question_max_chars"])


def contact_coordinator(session: Session, actor: Actor, text: str, now: dt.datetime) -> SentMessage:
    """Write to the forløpskoordinator of the subject's first pathway (a new thread with the hospital)."""
    access.check(session, actor, policy.Service.REFERRALS, policy.Action.ACT, now)
    body = _text(text, specs.load(SPEC)["messages"]["max_chars"], "text", "Meldingen")
    coordinator = _coordinator_of(session, actor.subject, now.date())[1]
    return _send(session, actor, coordinator, Topic.PATHWAY_COORDINATOR, body, now)


def share_decision_aid(session: Session, actor: Actor, answers: Mapping[str, object], now: dt.datetime) -> SentMessage:
    """Send the decision aid's ``answers`` to the coordinator as one message (topic samvalg), for the MDT meeting.

    ``answers``: ``matters`` (keys of the statements that matter most, ``min_matters``–``max_matters`` of
    them), ``leaning`` (the key of one of the pathway's options, or unsure) and ``questions`` (free text,
    may be empty). Anything the decision aid does not offer is refused (InvalidInput naming the field) and
    nothing is written.
    """
    access.check(session, actor, policy.Service.REFERRALS, policy.Action.ACT, now)
    pathway, coordinator = _coordinator_of(session, actor.subject, now.date())
    body = _decision_body(pathway, decision_aid(pathway.pathway), answers)
    return _send(session, actor, coordinator, Topic.SHARED_DECISION, body, now)


# --- reading the archive ----------------------------------------------------------------------------

def _date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _pathways(session: Session, subject_id: int, today: dt.date) -> list[Pathway]:
    refs = histories.of(session, "referrals", subject_id, columns=_COLUMNS)
    refs = refs[refs["pathway"].notna()]
    if refs.empty:
        return []
    statuses = histories.of(session, "referral_statuses", subject_id, columns=["referral_id", "status", "at"])
    statuses = statuses.assign(at=pd.to_datetime(statuses["at"]).dt.date, position=range(len(statuses)))
    statuses = statuses[statuses["referral_id"].isin(refs["referral_id"]) & (statuses["at"] <= today)]
    statuses = statuses.sort_values(["referral_id", "at", "position"])
    history = {rid: tuple(StatusChange(s, at) for s, at in zip(rows["status"], rows["at"])) for rid, rows in statuses.groupby("referral_id")}
    refs = refs[refs["referral_id"].isin(history)]  # received by the day
    hospitals = directory.organisation_names(session, refs["hospital_id"])
    closed = set(specs.load("referral_rights")["tabs"]["closed"])
    spec = specs.load(SPEC)["pathways"]
    found = []
    for r in refs.itertuples():
        steps = history[r.referral_id]
        received, start = _date(r.received_on), _date(r.start_of_care)
        standard = spec[r.pathway]
        milestones = _milestones(standard, received, start if start is not None and start <= today else None)
        hospital_name = hospitals.get(int(r.hospital_id))
        found.append(Pathway(
            referral_id=int(r.referral_id), pathway=r.pathway, name=standard["name"], active=steps[-1].status not in closed,
            status=steps[-1].status, status_on=steps[-1].at, hospital_id=int(r.hospital_id), hospital_name=hospital_name,
            coordinator=_coordinator(session, r.pathway_coordinator_id, int(r.hospital_id), hospital_name),
            received_on=received, milestones=milestones, standard_total_days=milestones[-1].standard_day, alternative=standard.get("alternative"),
            source=standard["source"], history=steps))
    return sorted(found, key=lambda p: (not p.active, -p.received_on.toordinal(), -p.referral_id))


def _milestones(standard: dict, received: dt.date, started: dt.date | None) -> tuple[Milestone, ...]:
    """The pathway's milestones at their standard days; the archive dates the first (received) and the last
    (start of treatment, ``started``, None until it has happened); the ones between are not recorded."""
    days = [0, *accumulate(standard["step_days"])]
    reached = {0: received, len(days) - 1: started}
    found = []
    for i, (name, day) in enumerate(zip(standard["milestones"], days, strict=True)):
        on = reached.get(i)
        used = (on - received).days if on is not None else None
        found.append(Milestone(name, day, received + dt.timedelta(days=day), on, used, None if used is None else used <= day))
    return tuple(found)


def _coordinator(session: Session, practitioner_id: object, hospital_id: int, hospital_name: str | None) -> Coordinator | None:
    if practitioner_id is None or pd.isna(practitioner_id):
        return None
    found = session.get(Practitioner, int(practitioner_id))
    if found is None:
        return None
    name = directory.practitioner_names(session, [found.id])[found.id]
    return Coordinator(found.id, name, found.role, hospital_id, hospital_name)


def _coordinator_of(session: Session, subject_id: int, today: dt.date) -> tuple[Pathway, Coordinator]:
    found = _pathways(session, subject_id, today)
    if not found:
        raise NotFound("the person has no cancer pathway, so there is no forløpskoordinator to write to",
                       "Du er ikke i et pakkeforløp for kreft, så det finnes ingen forløpskoordinator å skrive til.", "pathway")
    if found[0].coordinator is None:
        raise NotOffered("the pathway has no forløpskoordinator registered",
                         "Forløpet ditt har ingen registrert forløpskoordinator; kontakt sykehuset.", "coordinator")
    return found[0], found[0].coordinator


# --- writing --------------------------------------------------------------------------------------

def _text(text: object, limit: int, field: str, what_nb: str, allow_empty: bool = False) -> str:
    body = text.strip() if isinstance(text, str) else None
    low = 0 if allow_empty else 1
    if body is None or not low <= len(body) <= limit:
        raise InvalidInput(f"{field} must be {low}–{limit} characters", f"{what_nb} må ha {low}–{limit} tegn.", field)
    return body


def _decision_body(pathway: Pathway, aid: DecisionAid, answers: Mapping[str, object]) -> str:
    if not isinstance(answers, Mapping) or set(answers) - set(ANSWER_FIELDS):
        raise InvalidInput(f"answers may hold only {', '.join(ANSWER_FIELDS)}", "Svarene inneholder noe verktøyet ikke spør om.", "answers")
    matters = answers.get("matters", ())
    offered = {o.key: o.label for o in aid.matters}
    if (isinstance(matters, (str, bytes)) or not isinstance(matters, (list, tuple))
            or not all(isinstance(m, str) and m in offered for m in matters) or len(set(matters)) != len(matters)):
        raise InvalidInput("matters must be keys of the offered statements, each once",
                           "Velg blant utsagnene som vises om hva som er viktig for deg.", "matters")
    if not aid.min_matters <= len(matters) <= aid.max_matters:
        raise InvalidInput(f"choose {aid.min_matters}–{aid.max_matters} statements",
                           f"Velg {aid.min_matters}–{aid.max_matters} utsagn om hva som er viktigst for deg.", "matters")
    options = {o.key: o.label for o in aid.options}
    leaning = answers.get("leaning")
    if not isinstance(leaning, str) or leaning not in options:
        raise InvalidInput("leaning must be one of the offered options", "Velg ett av alternativene som vises.", "leaning")
    questions = _text(answers.get("questions", ""), aid.question_max_chars, "questions", "Spørsmålene", allow_empty=True)
    lines = [f"Samvalg før behandlingsbeslutning ({pathway.name})", "", "Dette er viktigst for meg:",
             *(f"- {offered[m]}" for m in matters), "", f"Jeg heller mot: {options[leaning]}"]
    if questions:
        lines += ["", "Mine spørsmål:", questions]
    return "\n".join(lines)


def _send(session: Session, actor: Actor, coordinator: Coordinator, topic: str, body: str, now: dt.datetime) -> SentMessage:
    with access.unit_of_work(session):
        first = PortalMessage(thread_id=0, citizen_id=actor.subject, organisation_id=coordinator.hospital_id, topic=topic,
                              sender=Sender.CITIZEN, written_by=actor.person_id, body=body, sent_at=now.replace(microsecond=0, tzinfo=None))
        session.add(first)
        session.flush()
        first.thread_id = first.id
        sent = SentMessage(first.id, first.thread_id, topic, coordinator.hospital_id, coordinator.hospital_name, coordinator.name,
                           body, first.sent_at)
    return sent
