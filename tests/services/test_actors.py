"""Facts read from the database match the policy's view: parents by age and address, fullmakt in force."""

from __future__ import annotations


import pytest
from sqlmodel import Session

import helsekit
from helsekit.errors import InvalidInput
from helsekit.services import policy
from helsekit.services.actors import Actor, acting_choices, facts
from helsekit.storage.database import engine_for


@pytest.fixture(scope="module")
def world(default_db):
    data = helsekit.open(default_db)
    with Session(engine_for(default_db)) as session:
        yield data, session, data.reference_date.date()


def test_a_parent_may_choose_a_young_child_living_with_them_and_the_choice_agrees_with_the_analysts_view(world):
    data, session, on = world
    access = data.parental_access
    full = access[access["access"] == "full"].iloc[0]
    parent = int(full["parent_id"])
    listed = acting_choices(session, parent, on)
    choices = {c.subject_id: c.basis for c in listed}
    own = policy.decide(facts(session, Actor(parent), on), policy.Service.OVERVIEW, policy.Action.VIEW).allowed
    assert (listed[0].subject_id == parent) == own  # themself first, where their own consent allows it
    assert choices[int(full["child_id"])] is policy.Basis.PARENT
    f = facts(session, Actor(int(full["parent_id"]), int(full["child_id"])), on)
    assert f.foreldreansvar and f.a_parent_at_childs_address


def test_parental_access_from_the_database_agrees_with_the_analysts_view_for_every_pair_sampled(world):
    data, session, on = world
    pairs = data.parental_access.sample(300, random_state=1)
    for pair in pairs.itertuples():
        decision = policy.decide(facts(session, Actor(int(pair.parent_id), int(pair.child_id)), on), policy.Service.APPOINTMENTS, policy.Action.VIEW)
        assert decision.allowed == (pair.access != "ingen"), pair


def test_a_fullmakt_in_force_makes_the_giver_a_choice_for_the_holder(world):
    data, session, on = world
    f = data.fullmakter
    now = f[(f["valid_from"] <= data.reference_date) & (f["valid_to"].isna() | (f["valid_to"] >= data.reference_date))].iloc[0]
    holder, giver = int(now["holder_id"]), int(now["giver_id"])
    facts_now = facts(session, Actor(holder, giver), on)
    assert facts_now.fullmakt_scope == now["scope"]
    profile = data.helsenorge_profiles.set_index("citizen_id").loc[giver]
    expected = profile["consent_level"] in ("basis", "full")
    assert (giver in {c.subject_id for c in acting_choices(session, holder, on)}) == expected


def test_an_unknown_or_dead_citizen_is_a_clear_error(world):
    data, session, on = world
    with pytest.raises(InvalidInput, match="citizen_id"):
        facts(session, Actor(10**9), on)
    dead = int(data.deceased["id"].iloc[0])
    with pytest.raises(InvalidInput, match="citizen_id"):
        facts(session, Actor(dead), on)
