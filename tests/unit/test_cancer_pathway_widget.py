"""The cancer pathway component (helsekit.widgets.cancer_pathway) and the kreftforlop pilot, without a browser.

Buttons are pressed with ``click()``; what they do is checked in the data through the services. Tests
that write work on a sandbox copy of the session's tiny database.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sqlmodel import Session

import helsekit
from helsekit.domain.organisations import OrganisationKind
from helsekit.generator import geography, sites, specs
from helsekit.services import access, cancer_pathways, messages
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.cancer_pathway import CancerPathwayPanel, coordinator_card, timeline
from helsekit.widgets.page import PilotPage

from widget_support import ESCAPED, HOSTILE, pilot, sessions, sites_of


def _consenting(db: str, level: str) -> tuple[list[int], list[int]]:
    """Adults of the pilot's kommune with this consent level: (those with a cancer pathway, those without)."""
    data = helsekit.open(db)
    profiles, c = data.helsenorge_profiles, data.citizens
    living = c.loc[(c["address_protection"] == "none") & (c["age"] >= 18) & (c["kommune_number"] == pilot("kreftforlop").site_kommuner[0]), "id"]
    ids = profiles.loc[(profiles["consent_level"] == level) & profiles["citizen_id"].isin(living), "citizen_id"]
    on_pathway = set(data.referrals.loc[data.referrals["pathway"].notna(), "citizen_id"])
    return [int(i) for i in ids if i in on_pathway], [int(i) for i in ids if i not in on_pathway]


@pytest.fixture(scope="module")
def patient(tiny_db) -> int:
    """A citizen of the pilot's kommune in the tiny database with Full tilgang and a cancer pathway."""
    return _consenting(tiny_db, "full")[0][0]


@pytest.fixture()
def panel(work, patient) -> CancerPathwayPanel:
    return CancerPathwayPanel(sessions(work), Actor(patient, patient))


def _live(panel: CancerPathwayPanel, topic: str) -> list[messages.Message]:
    with panel.sessions() as session:
        found = messages.inbox(session, panel.actor, panel.now)
    return [m for m in found if m.source == "helsenorge" and m.topic == topic]


def test_the_timeline_shows_each_milestones_standard_day_and_the_coordinator_is_the_pathways(tiny_db, patient):
    panel = CancerPathwayPanel(tiny_db, Actor(patient))
    first = panel.view.pathways[0]
    for step in first.milestones:
        assert f"dag {step.standard_day} ({step.target_on:%d.%m.%Y})" in panel.pathways.value
    assert f"Norm: start av behandling innen {first.standard_total_days} dager" in panel.pathways.value
    assert first.coordinator.name in panel.coordinator.value and "forløpskoordinator" in panel.coordinator.value
    assert panel.contact_box.layout.display is None and panel.aid_box.layout.display is None
    assert "ikke medisinske råd" in panel.aid_intro.value


def test_pressing_send_writes_one_message_to_the_coordinator_and_the_page_confirms(panel):
    panel.message.value = "Når får jeg svar på prøvene?"
    panel.send_button.click()
    (sent,) = _live(panel, "forlopskoordinator")
    assert sent.body == "Når får jeg svar på prøvene?" and sent.organisation_id == panel.view.pathways[0].hospital_id
    assert "Meldingen er sendt til forløpskoordinator" in panel.contact_status.value and panel.message.value == ""


def test_an_empty_message_to_the_coordinator_is_refused_in_bokmal_and_nothing_is_written(panel):
    panel.message.value = "   "
    panel.send_button.click()
    assert "Meldingen må ha 1–2000 tegn" in panel.contact_status.value
    assert _live(panel, "forlopskoordinator") == []


def test_sharing_the_decision_aid_sends_the_checked_statements_and_the_chosen_option(panel):
    aid = panel.view.decision_aid
    panel.matters[aid.matters[0].key].value = True
    panel.leaning.value = aid.options[0].key
    panel.questions.value = "Kan jeg velge senere?"
    panel.share_button.click()
    (shared,) = _live(panel, "samvalg")
    assert f"- {aid.matters[0].label}" in shared.body and f"Jeg heller mot: {aid.options[0].label}" in shared.body
    assert shared.body.endswith("Kan jeg velge senere?")
    assert "Svarene dine er delt" in panel.aid_status.value


def test_sharing_with_nothing_checked_is_refused_in_bokmal_and_nothing_is_written(panel):
    panel.share_button.click()
    assert "Velg 1–3 utsagn" in panel.aid_status.value
    assert _live(panel, "samvalg") == []


def test_an_option_the_aid_never_offered_is_refused_by_the_service_and_nothing_is_written(panel):
    assert panel.share([panel.view.decision_aid.matters[0].key], "kjemoterapi", "") is None
    assert panel.share([HOSTILE], "usikker", "") is None
    assert "Velg blant utsagnene" in panel.aid_status.value and HOSTILE not in panel.aid_status.value
    assert _live(panel, "samvalg") == []


def test_a_person_without_a_pathway_gets_a_note_and_neither_contact_nor_decision_aid(tiny_db):
    without = _consenting(tiny_db, "full")[1][0]
    panel = CancerPathwayPanel(tiny_db, Actor(without))
    assert "ikke i et pakkeforløp" in panel.status.value and panel.pathways.value == ""
    assert panel.contact_box.layout.display == "none" and panel.aid_box.layout.display == "none"


def test_a_person_below_full_tilgang_sees_the_policys_refusal_in_bokmal(tiny_db):
    basis = _consenting(tiny_db, "basis")
    panel = CancerPathwayPanel(tiny_db, Actor((basis[0] + basis[1])[0]))
    assert "Ikke tillatt" in panel.status.value and "§3.5" in panel.status.value
    assert panel.contact_box.layout.display == "none" and panel.aid_box.layout.display == "none"


def test_pressing_share_before_anyone_logs_in_asks_to_log_in(tiny_db):
    panel = CancerPathwayPanel(tiny_db)
    assert panel.share(["hverdagen"], "usikker", "") is None and "Logg inn først" in panel.aid_status.value


def test_what_the_pathway_component_shows_is_escaped(tiny_db, patient):
    with Session(engine_for(tiny_db)) as session:
        found = cancer_pathways.view(session, Actor(patient), access.reference_now(session)).pathways[0]
    hostile = dataclasses.replace(found, name=HOSTILE, hospital_name=HOSTILE, alternative=HOSTILE,
                                  coordinator=dataclasses.replace(found.coordinator, name=HOSTILE, hospital_name=HOSTILE))
    shown = timeline(hostile, found.received_on) + coordinator_card(hostile)
    assert HOSTILE not in shown and shown.count(ESCAPED) == 5


def test_kreftforlop_runs_at_exactly_one_hospital_in_the_tiny_and_default_databases(tiny_db, default_db):
    found = [sites_of(db, "kreftforlop") for db in (tiny_db, default_db)]
    assert [[(s.id, s.kind) for s in f] for f in found] == [[(found[0][0].id, OrganisationKind.HOSPITAL)]] * 2


def test_hospitals_come_from_the_geography_alone_so_the_selector_picks_one_hospital_in_every_profile():
    # Every profile (tiny, default, norway) places hospitals from the same real geography; seeds only name them.
    geo, spec, kommune = geography.load(), specs.load("health_services"), pilot("kreftforlop").site_kommuner[0]
    for seed in (1, 42):
        orgs = sites.Organisations()
        sites.build_regional(orgs, geo.kommuner, geo.fylker, spec, np.random.default_rng(seed))
        kinds, places = np.array(orgs.kind), np.array(orgs.kommune)
        assert int(((kinds == OrganisationKind.HOSPITAL) & (places == kommune)).sum()) == 1


def test_the_kreftforlop_page_logs_in_the_querys_citizen_and_shows_their_pathway(work, patient):
    page = PilotPage("kreftforlop", work, site=sites_of(work, "kreftforlop")[0].id, citizen=patient)
    panel = CancerPathwayPanel(page.sessions, now=page.now)
    page.show(panel)
    assert page.ready and (panel.actor.person_id, panel.actor.subject) == (patient, patient)
    assert "hk-pathway-timeline" in panel.pathways.value
