"""The log-in refuses to act for someone the access policy does not offer, whatever value arrives.

A visitor can send any widget value (the browser cannot add an option to a drop-down, but a widget
message can carry anything): acting for a person outside the logged-in person's choices is refused in
bokmål, nobody is told about a new actor, and the drop-down itself rejects a value it never offered.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session
from traitlets import TraitError

from helsekit import pilots
from helsekit.services import access, actors, roster
from helsekit.storage.database import engine_for
from helsekit.storage.sandbox import sandbox
from helsekit.widgets.login import Login


@pytest.fixture()
def login_and_stranger(tiny_db, tmp_path):
    """A log-in at a GP office, an adult on its lists logged in, and another listed person they may not act for."""
    work = sandbox(tiny_db, tmp_path)
    with Session(engine_for(work)) as session:
        pilot = next(p for p in pilots.discover()[0] if p.id == "fastlegetime")
        site_id = roster.pilot_sites(session, pilot)[0].id
        today = access.reference_now(session).date()
        people = roster.citizens_at(session, site_id, today)
        me = next(p.citizen_id for p in people if 20 <= p.age <= 70)
        allowed = {c.subject_id for c in actors.acting_choices(session, me, today)}
    stranger = next(p.citizen_id for p in people if p.citizen_id not in allowed)
    login = Login(work, site_id)
    seen = []
    login.on_login(seen.append)
    login.log_in(me)
    return login, me, stranger, seen


def test_acting_for_someone_the_policy_does_not_offer_is_refused_and_no_one_is_told(login_and_stranger):
    login, me, stranger, seen = login_and_stranger
    before = list(seen)
    login.act_as(stranger)
    assert "Velg hvem du vil handle på vegne av." in login.status.value
    assert seen == before and all(actor.subject != stranger for actor in seen)
    assert login.actor is None or login.actor.subject != stranger


def test_the_acting_drop_down_rejects_a_value_it_never_offered(login_and_stranger):
    login, _, stranger, _ = login_and_stranger
    with pytest.raises(TraitError):
        login.acting.value = stranger


def test_after_log_in_the_acting_choice_starts_with_oneself_so_continue_works_at_once(tiny_db, tmp_path):
    work = sandbox(tiny_db, tmp_path)
    with Session(engine_for(work)) as session:
        pilot = next(p for p in pilots.discover()[0] if p.id == "fastlegetime")
        today = access.reference_now(session).date()
        site_id, parent = next((site.id, p.citizen_id) for site in roster.pilot_sites(session, pilot)
                               for p in roster.citizens_at(session, site.id, today)
                               if len(actors.acting_choices(session, p.citizen_id, today)) > 1)
    login = Login(work, site_id)
    seen = []
    login.on_login(seen.append)
    login.log_in(parent)
    assert login.acting.value == parent and len(login.acting.options) > 1
    login.act_button.click()
    assert [(a.person_id, a.subject) for a in seen] == [(parent, parent)]
