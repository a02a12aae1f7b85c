"""The profile page (helsekit.widgets.profile, .fullmakt) and the tabs (helsekit.widgets.sections), built
without a browser on a sandbox copy of the tiny database.

Expected values come from the raw rows (``citizens``, ``fullmakter``, ``helsenorge_profiles``) or from
:mod:`helsekit.services.profile` after the action, never from the widget's own output.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as w
import pytest
from sqlmodel import Session

import helsekit
from helsekit.domain.citizens import Citizen
from helsekit.errors import HelsekitError
from helsekit.services import access, profile
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.common import esc
from helsekit.widgets.profile import ProfilePanel
from helsekit.widgets.sections import Sections

from widget_support import ESCAPED, HOSTILE, sessions


@pytest.fixture(scope="module")
def data(tiny_db):
    return helsekit.open(tiny_db)


@pytest.fixture(scope="module")
def free_adults(data) -> list[int]:
    """Adults with a consent level, no confidential address, who have given or received no fullmakt."""
    profiles = data.helsenorge_profiles
    consenting = set(profiles.loc[profiles["consent_level"].isin(["basis", "full"]), "citizen_id"])
    involved = set(data.fullmakter["giver_id"]) | set(data.fullmakter["holder_id"])
    people = data.citizens[(data.citizens["age"] >= 20) & (data.citizens["address_protection"] == "none")]
    return [int(c) for c in people["id"] if c in consenting and c not in involved]


def person_number(data, citizen_id: int) -> str:
    return str(data.citizens.set_index("id").loc[citizen_id, "person_number"])


def given(db: str, giver: int) -> list[profile.FullmaktView]:
    with Session(engine_for(db)) as session:
        return profile.fullmakter(session, Actor(giver), access.reference_now(session)).given


def stored_settings(db: str, citizen_id: int) -> profile.Settings:
    with Session(engine_for(db)) as session:
        return profile.settings(session, Actor(citizen_id), access.reference_now(session))


def test_giving_a_fullmakt_by_person_number_writes_one_and_lists_it(work, data, free_adults):
    giver, holder = free_adults[:2]
    panel = ProfilePanel(sessions(work), Actor(giver))
    section = panel.fullmakter
    section.holder.value = person_number(data, holder)
    section.scope.value = "innsyn"
    section.give_button.click()
    written = given(work, giver)
    assert [(f.holder_id, f.scope, f.valid_from, f.valid_to) for f in written] == [(holder, "innsyn", panel.now.date(), None)]
    name = " ".join(data.citizens.set_index("id").loc[holder, ["given_name", "family_name"]])
    assert f"Fullmakt gitt til {name}." in section.status.value
    assert name in section.given.children[0].children[0].value


@pytest.mark.parametrize(("field", "label", "holder", "start"), [
    ("holder", "Fullmektig", "00000000000", 0),
    ("holder", "Fullmektig", HOSTILE, 0),
    ("valid_from", "Gjelder fra", None, -1),
])
def test_an_invalid_holder_or_date_is_refused_naming_the_field_and_nothing_is_written(work, data, free_adults, field, label, holder, start):
    giver, other = free_adults[:2]
    panel = ProfilePanel(sessions(work), Actor(giver))
    section = panel.fullmakter
    number = person_number(data, other) if holder is None else holder
    first = panel.now.date() + dt.timedelta(days=start)
    with Session(engine_for(work)) as session, pytest.raises(HelsekitError) as refused:
        profile.give_fullmakt(session, Actor(giver), number, "innsyn", first, None, panel.now)
    assert refused.value.field == field
    section.holder.value, section.valid_from.value = number, first
    assert section.give() is None
    assert section.status.value.count(esc(f"{label}: {refused.value.message_nb}")) == 1
    assert HOSTILE not in section.status.value and given(work, giver) == []


def test_an_end_date_before_the_start_is_refused_naming_the_field(work, data, free_adults):
    giver, holder = free_adults[:2]
    section = ProfilePanel(sessions(work), Actor(giver)).fullmakter
    section.holder.value = person_number(data, holder)
    section.valid_to.value = section.valid_from.value - dt.timedelta(days=1)
    assert section.give() is None and "Gjelder til: " in section.status.value and given(work, giver) == []


def test_revoking_a_fullmakt_in_force_ends_it_yesterday(work, data):
    today = ProfilePanel(sessions(work)).now.date()
    rows = data.fullmakter
    ongoing = rows[(rows["valid_from"].dt.date < today) & (rows["valid_to"].isna() | (rows["valid_to"].dt.date >= today))].iloc[0]
    giver = int(ongoing.giver_id)
    panel = ProfilePanel(sessions(work), Actor(giver))
    row = next(r for r, f in zip(panel.fullmakter.given.children, given(work, giver), strict=True) if f.id == ongoing.id)
    revoke = next(c for c in row.children if isinstance(c, w.Button))
    revoke.click()
    ended = next(f for f in given(work, giver) if f.id == ongoing.id)
    assert ended.valid_to == today - dt.timedelta(days=1) and not ended.in_force
    assert "Fullmakten er trukket tilbake." in panel.fullmakter.status.value


def test_changing_the_consent_level_is_stored_and_shown(work, data, free_adults):
    person = free_adults[0]
    before = data.helsenorge_profiles.set_index("citizen_id").loc[person, "consent_level"]
    level = "basis" if before == "full" else "full"
    panel = ProfilePanel(sessions(work), Actor(person))
    panel.consent.value = level
    panel.save_consent()
    assert stored_settings(work, person).consent_level == level
    assert f"Samtykke: {level.capitalize()}" in panel.about.value


def test_the_kjernejournal_choices_are_stored_as_ticked(work, free_adults):
    person = free_adults[0]
    panel = ProfilePanel(sessions(work), Actor(person))
    panel.kj_choices["block_own_web_access"].value = True
    panel.save_kjernejournal()
    stored = stored_settings(work, person)
    assert (stored.kj_block_own_web_access, stored.kj_block_health_personnel, stored.kj_reserved) == (True, False, False)


def test_a_phone_number_that_is_not_a_test_number_is_refused_and_the_old_one_kept(work, data, free_adults):
    person = free_adults[0]
    old = data.citizens.set_index("id").loc[person, "phone"]
    panel = ProfilePanel(sessions(work), Actor(person))
    panel.phone.value = f"+47 912 34 567 {HOSTILE}"
    assert panel.save_contact() is None
    assert "Telefonnummeret" in panel.status.value and HOSTILE not in panel.status.value
    assert stored_settings(work, person).phone == old


def test_a_fullmakt_holder_sees_the_bokmal_refusal_and_nothing_of_the_givers_profile(work, data):
    today = ProfilePanel(sessions(work)).now.date()
    rows = data.fullmakter
    ongoing = rows[(rows["valid_from"].dt.date <= today) & (rows["valid_to"].isna() | (rows["valid_to"].dt.date >= today))].iloc[0]
    actor = Actor(int(ongoing.holder_id), int(ongoing.giver_id))
    with Session(engine_for(work)) as session, pytest.raises(HelsekitError) as refused:
        profile.settings(session, actor, access.reference_now(session))
    panel = ProfilePanel(sessions(work), actor)
    assert esc(refused.value.message_nb) in panel.status.value
    assert panel.body.layout.display == "none" and panel.about.value == ""
    assert panel.fullmakter.given.children == () and panel.fullmakter.received.value == ""


def test_a_name_with_markup_is_shown_escaped_in_the_fullmakt_list(work, data, free_adults):
    giver, holder = free_adults[:2]
    with Session(engine_for(work)) as session:
        citizen = session.get(Citizen, holder)
        citizen.given_name = HOSTILE
        session.add(citizen)
        session.commit()
    panel = ProfilePanel(sessions(work), Actor(giver))
    panel.fullmakter.holder.value = person_number(data, holder)
    panel.fullmakter.give()
    shown = panel.fullmakter.given.children[0].children[0].value + panel.fullmakter.status.value
    assert HOSTILE not in shown and shown.count(ESCAPED) == 2


def test_sections_tell_every_component_in_every_tab_about_the_actor(work, free_adults):
    person = free_adults[0]
    first, second = ProfilePanel(sessions(work)), ProfilePanel(sessions(work))
    tabs = Sections(("Profil", first), ("To", [w.HTML("uten show"), second]))
    assert tabs.titles == ("Profil", "To") and len(tabs.children) == 2
    tabs.show(Actor(person))
    assert first.actor == second.actor == Actor(person)
    assert first.settings == second.settings == stored_settings(work, person)
