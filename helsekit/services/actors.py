"""Who is logged in and for whom they act: the facts the access policy needs, read from the database.

``Actor(person_id, subject_id)`` is the logged-in person and the person acted for (the same id when
acting as oneself). :func:`facts` gathers what :func:`helsekit.services.policy.decide` looks at on a
given day; :func:`acting_choices` lists everyone a person may act for (§3.1): themself, their own
children by age and address (§3.2), and those who gave them a fullmakt in force (§3.5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from helsekit.domain.citizens import AddressProtection, Citizen
from helsekit.domain.consents import HelsenorgeProfile
from helsekit.domain.households import ParentRelation
from helsekit.domain.proxies import Fullmakt
from helsekit.errors import InvalidInput
from helsekit.services import policy


@dataclass(frozen=True)
class Actor:
    """The logged-in person (``person_id``) acting for ``subject_id`` (themself by default)."""

    person_id: int
    subject_id: int | None = None

    @property
    def subject(self) -> int:
        return self.person_id if self.subject_id is None else self.subject_id


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _citizen(session: Session, citizen_id: int, on: dt.date) -> Citizen:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or (citizen.death_date is not None and citizen.death_date <= on):
        raise InvalidInput(f"citizen_id {citizen_id} is not a living citizen in this database",
                           f"Fant ingen levende innbygger med id {citizen_id}.", "citizen_id")
    return citizen


def person(session: Session, citizen_id: int, on: dt.date) -> policy.Person:
    """The policy's view of one citizen on ``on``."""
    citizen = _citizen(session, citizen_id, on)
    profile = session.get(HelsenorgeProfile, citizen_id)
    return policy.Person(
        id=citizen_id, age=_age(citizen.birth_date, on), protected=citizen.address_protection != AddressProtection.NONE,
        consent_level=profile.consent_level if profile else None,
        kj_reserved=bool(profile and profile.kj_reserved), kj_block_own_web_access=bool(profile and profile.kj_block_own_web_access),
    )


def facts(session: Session, actor: Actor, on: dt.date) -> policy.Facts:
    """Everything the access policy needs to decide for ``actor`` on ``on``."""
    me, subject = person(session, actor.person_id, on), person(session, actor.subject, on)
    if me.id == subject.id:
        return policy.Facts(me, subject)
    parents = session.exec(select(ParentRelation).where(ParentRelation.child_id == subject.id)).all()
    responsible = {p.parent_id for p in parents if p.foreldreansvar}
    child_home = session.get(Citizen, subject.id).household_id
    at_address = any(session.get(Citizen, pid).household_id == child_home for pid in responsible)
    mandate = session.exec(select(Fullmakt).where(
        Fullmakt.giver_id == subject.id, Fullmakt.holder_id == me.id, Fullmakt.valid_from <= on,
        or_(Fullmakt.valid_to.is_(None), Fullmakt.valid_to >= on),
    )).first()
    return policy.Facts(me, subject, foreldreansvar=me.id in responsible, a_parent_at_childs_address=at_address,
                        fullmakt_scope=mandate.scope if mandate else None)


@dataclass(frozen=True)
class Choice:
    """One person the logged-in person may act for, and on what basis."""

    subject_id: int
    basis: policy.Basis
    given_name: str
    family_name: str


def acting_choices(session: Session, person_id: int, on: dt.date) -> list[Choice]:
    """Everyone ``person_id`` may act for on ``on`` (§3.1): themself first, then children, then fullmakt givers.

    A choice is offered when the policy allows at least viewing the overview for that person.
    """
    _citizen(session, person_id, on)
    children = session.exec(select(ParentRelation.child_id).where(ParentRelation.parent_id == person_id)).all()
    givers = session.exec(select(Fullmakt.giver_id).where(Fullmakt.holder_id == person_id)).all()
    choices = []
    for subject_id in [person_id, *sorted(set(children)), *sorted(set(givers) - set(children))]:
        subject = session.get(Citizen, subject_id)
        if subject is None or (subject.death_date is not None and subject.death_date <= on):
            continue
        decision = policy.decide(facts(session, Actor(person_id, subject_id), on), policy.Service.OVERVIEW, policy.Action.VIEW)
        if decision.allowed:
            choices.append(Choice(subject_id, decision.basis, subject.given_name, subject.family_name))
    return choices
