"""The access rules, end to end through the database: hypothesis generates small worlds of families
(ages, who is whose parent with or without foreldreansvar, who lives at which address, confidential
addresses), fullmakter (scope, in force or not) and Helsenorge choices (consent level, the three
kjernejournal reservations), writes them as rows, and checks for every ordered pair of people that

* the facts the services read from the database are the facts of the world (§3.1, §3.2, §3.5, §3.7);
* the acting-as choices offered are exactly those the rules allow;
* a record read (kjernejournal, hospital record) succeeds exactly when the policy allows it, and every
  read, and only a read, lands once in the subject's log of reads with the reader and the basis;
* a refused act (a message to the subject's GP office) writes nothing.

The rules themselves are proved over 100,000 pure cases in test_policy.py; here each example is one
world of up to six people, 36 ordered pairs, each pair checked for every service and action.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, select

from helsekit.domain import (Citizen, ConsentLevel, Fullmakt, FullmaktScope, HelsenorgeProfile, Household, Kommune,
                             ParentRelation, RecordRead)
from helsekit.domain.citizens import AddressProtection
from helsekit.domain.person_numbers import make
from helsekit.domain.inbox import PortalMessage
from helsekit.errors import NotFound
from helsekit.services import gp_services, hospital_record, kjernejournal, policy
from helsekit.services.actors import Actor, acting_choices, facts
from helsekit.storage import archive
from helsekit.storage.database import META, engine_for

TODAY = dt.date(2025, 6, 15)
NOW = dt.datetime(2025, 6, 15, 10, 0)
WORLDS = 150
RECORDS = [(policy.Service.KJERNEJOURNAL, "kjernejournal", kjernejournal.view),
           (policy.Service.HOSPITAL_RECORD, "pasientjournal", hospital_record.view)]


@dataclass(frozen=True)
class Someone:
    age: int
    household: int
    protected: bool
    consent: str | None
    kj_reserved: bool
    kj_blocked: bool


@dataclass(frozen=True)
class World:
    people: list[Someone]
    parents: dict[tuple[int, int], bool]  # (parent index, child index) -> foreldreansvar
    mandates: dict[tuple[int, int], tuple[str, int, int | None]]  # (giver, holder) -> scope, from, to (days from today)


@st.composite
def worlds(draw) -> World:
    n = draw(st.integers(2, 6))
    people = [Someone(age=draw(st.integers(0, 95)), household=draw(st.integers(1, 3)),
                      protected=draw(st.integers(0, 5)) == 0, consent=draw(st.sampled_from(ConsentLevel.ORDER)),
                      kj_reserved=draw(st.integers(0, 4)) == 0, kj_blocked=draw(st.integers(0, 4)) == 0) for _ in range(n)]
    pairs = [(a, b) for a, b in itertools.permutations(range(n), 2)]
    parents = {p: draw(st.booleans()) for p in pairs if draw(st.integers(0, 2)) == 0 and people[p[0]].age >= people[p[1]].age + 15}
    mandates = {}
    for giver, holder in pairs:
        if draw(st.integers(0, 2)) == 0:
            start = draw(st.integers(-400, 30))
            end = draw(st.one_of(st.none(), st.integers(start, 400)))
            mandates[(giver, holder)] = (draw(st.sampled_from(FullmaktScope.ALL)), start, end)
    return World(people, parents, mandates)


def _database() -> str:
    path = str(Path(tempfile.mkdtemp(prefix="helsekit-access-")) / "world.db")
    engine = engine_for(path)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Kommune(number="0301", name="Oslo", fylke_number="03", population_target=0, latitude=59.91, longitude=10.75))
        for key, value in {"reference_date": TODAY.isoformat(), "histories": "yes", "history_block_size": "12500"}.items():
            session.execute(META.insert().values(key=key, value=value))
        session.commit()
    _documents(path)
    return path


def _documents(db: str) -> None:
    """One hospital document, shown since yesterday, for each of the (at most six) people of a world."""
    ids = pa.array(range(1, 7), pa.int64())
    shown = pa.array([dt.datetime.combine(TODAY, dt.time(8))] * 6, pa.timestamp("s"))
    table = pa.table({"document_id": ids, "citizen_id": ids, "hospital_id": ids, "referral_id": ids, "appointment_id": ids,
                      "kind": ["epikrise"] * 6, "author_id": ids, "written_at": shown, "approved_at": shown, "visible_from": shown})
    archive.write_part(archive.archive_path(db), "hospital_documents", 0, table)


_ENGINE = None


def _engine():
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = engine_for(_database())
    return _ENGINE


def _write(session: Session, world: World) -> None:
    for h in {p.household for p in world.people}:
        session.add(Household(id=h, kind="one_person", street_address=f"Testveien {h}", kommune_number="0301", size=1))
    for i, p in enumerate(world.people, start=1):
        born = dt.date(TODAY.year - p.age, 3, 1)
        session.add(Citizen(id=i, person_number=make(born, "F", seed=i), person_number_kind="FNR", given_name=f"Person{i}",
                            family_name="Test", birth_date=born, sex="F", household_id=p.household, kommune_number="0301",
                            address_protection=AddressProtection.FORTROLIG if p.protected else AddressProtection.NONE))
        if p.age >= 16:
            session.add(HelsenorgeProfile(citizen_id=i, consent_level=p.consent, kj_reserved=p.kj_reserved,
                                          kj_block_own_web_access=p.kj_blocked))
    session.flush()
    for (parent, child), responsible in world.parents.items():
        session.add(ParentRelation(child_id=child + 1, parent_id=parent + 1, relation="mother", foreldreansvar=responsible))
    for k, ((giver, holder), (scope, start, end)) in enumerate(world.mandates.items(), start=1):
        session.add(Fullmakt(id=k, giver_id=giver + 1, holder_id=holder + 1, scope=scope,
                             valid_from=TODAY + dt.timedelta(days=start), valid_to=None if end is None else TODAY + dt.timedelta(days=end)))
    session.commit()


def _clear(session: Session) -> None:
    for table in (RecordRead, Fullmakt, ParentRelation, HelsenorgeProfile, Citizen, Household):
        session.execute(delete(table))
    session.commit()


def _expected_facts(world: World, a: int, s: int) -> policy.Facts:
    """The facts, straight from the world (not from the database)."""
    def person(i: int) -> policy.Person:
        p = world.people[i]
        adult = p.age >= 16
        return policy.Person(id=i + 1, age=p.age, protected=p.protected, consent_level=p.consent if adult else None,
                             kj_reserved=adult and p.kj_reserved, kj_block_own_web_access=adult and p.kj_blocked)
    if a == s:
        return policy.Facts(person(a), person(a))
    responsible = [p for (p, c), yes in world.parents.items() if c == s and yes]
    mandate = world.mandates.get((s, a))
    in_force = mandate is not None and mandate[1] <= 0 and (mandate[2] is None or mandate[2] >= 0)
    return policy.Facts(person(a), person(s), foreldreansvar=a in responsible,
                        a_parent_at_childs_address=any(world.people[p].household == world.people[s].household for p in responsible),
                        fullmakt_scope=mandate[0] if in_force else None)


@settings(max_examples=WORLDS, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(worlds())
def test_every_record_read_is_allowed_by_the_rules_and_lands_in_the_subjects_log(world):
    with Session(_engine()) as session:
        _clear(session)
        _write(session, world)
        n = len(world.people)
        for a, s in itertools.product(range(n), range(n)):
            actor = Actor(a + 1, s + 1)
            expected = _expected_facts(world, a, s)
            assert facts(session, actor, TODAY) == expected
            for service, record, read in RECORDS:
                allowed = policy.decide(expected, service, policy.Action.VIEW)
                before = session.exec(select(func.count()).select_from(RecordRead)).one()
                if allowed.allowed:
                    read(session, actor, NOW)
                    log = session.exec(select(RecordRead).order_by(RecordRead.id.desc())).first()
                    assert (log.subject_id, log.actor_id, log.basis, log.record) == (s + 1, a + 1, str(allowed.basis), record)
                    assert session.exec(select(func.count()).select_from(RecordRead)).one() == before + 1
                else:
                    with pytest.raises(policy.AccessDenied):
                        read(session, actor, NOW)
                    assert session.exec(select(func.count()).select_from(RecordRead)).one() == before
            sent = policy.decide(expected, policy.Service.GP_SERVICES, policy.Action.ACT)
            with pytest.raises(NotFound if sent.allowed else policy.AccessDenied):  # NotFound: nobody in a world has a GP list
                gp_services.contact_office(session, actor, "Hei, jeg lurer på noe.", NOW)
            assert session.exec(select(func.count()).select_from(PortalMessage)).one() == 0
        for a in range(n):
            offered = {c.subject_id for c in acting_choices(session, a + 1, TODAY)}
            assert offered == {s + 1 for s in range(n)
                               if policy.decide(_expected_facts(world, a, s), policy.Service.OVERVIEW, policy.Action.VIEW).allowed}
        _clear(session)
