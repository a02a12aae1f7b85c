"""The Vaksiner and Prøvesvar components (helsekit.widgets.vaccinations), the overview's influenza tile and the
kjernejournal's Vaksiner section, without a browser. Tests that read record data (a logged read) work on a
sandbox copy of the session's tiny database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

import helsekit
from helsekit.services import kjernejournal, test_results, vaccinations
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.overview import OverviewTiles
from helsekit.widgets.records import KjernejournalPanel
from helsekit.widgets.vaccinations import TestResultsPanel, VaccinationsPanel, result_table, vaccination_table

from widget_support import ESCAPED, HOSTILE, sessions

NOW = dt.datetime(2025, 1, 1, 12)


@pytest.fixture(scope="module")
def people(tiny_db) -> dict[str, int]:
    """Citizens of the tiny database who may use the services themselves (Basis or Full, no protected address)."""
    data = helsekit.open(tiny_db)
    c, p = data.citizens, data.helsenorge_profiles
    allowed = c[c["id"].isin(p.loc[p["consent_level"].isin(["basis", "full"]), "citizen_id"]) & (c["address_protection"] == "none")]
    flu = data.vaccinations
    this_season = set(flu.loc[(flu["vaccine"] == "influenza") & (flu["given_on"] >= "2024-10-01"), "citizen_id"])
    old = allowed[allowed["age"] >= 65]
    results = set(data.test_results.loc[data.test_results["value"].notna(), "citizen_id"])
    return {
        "reminded": int(old.loc[~old["id"].isin(this_season), "id"].iloc[0]),
        "vaccinated": int(old.loc[old["id"].isin(this_season), "id"].iloc[0]),
        "tested": int(allowed.loc[allowed["id"].isin(results) & (allowed["age"] >= 18), "id"].iloc[0]),
    }


def test_the_panel_lists_every_registered_dose_and_the_read_lands_in_the_log(work, people):
    me = people["vaccinated"]
    panel = VaccinationsPanel(sessions(work), Actor(me), NOW)
    doses = helsekit.open(work).vaccinations
    doses = doses[doses["citizen_id"] == me]
    assert panel.content.value.count("<tr>") == len(doses) + 1  # the header row and one per dose
    assert "hk-flu-reminder" not in panel.content.value  # this season's dose is given
    with Session(engine_for(work)) as session:
        assert [r.record for r in kjernejournal.reads(session, me)] == ["vaksiner"]


def test_the_influenza_reminder_is_shown_on_top_for_the_target_group_without_this_seasons_dose(work, people):
    panel = VaccinationsPanel(sessions(work), Actor(people["reminded"]), NOW)
    assert panel.content.value.startswith('<div class="hk-flu-reminder"')
    assert "du er 65 år eller eldre" in panel.content.value and "01.10.2024" in panel.content.value


def test_a_stranger_is_refused_in_bokmal_and_nothing_is_shown(work, people):
    panel = VaccinationsPanel(sessions(work), Actor(people["reminded"], people["vaccinated"]), NOW)
    assert "hk-note-error" in panel.status.value and "fullmakt" in panel.status.value and panel.content.value == ""


def test_the_tables_escape_what_they_show():
    dose = vaccinations.Vaccination(1, dt.date(2024, 10, 5), "influenza", HOSTILE, "J07BB02", 1, "influensavaksinasjon", "fastlege", HOSTILE)
    shown = vaccination_table(vaccinations.VaccinationsView(1, [dose], None))
    assert HOSTILE not in shown and shown.count(ESCAPED) == 2
    result = test_results.TestResult(1, NOW, "crp", HOSTILE, 12.5, "mg/L", None, 5.0, "H", "3", "Endelig", "fastlege", HOSTILE)
    shown = result_table(test_results.TestResultsView(1, [result]))
    assert HOSTILE not in shown and shown.count(ESCAPED) == 2
    assert "12,5 mg/L (høy)" in shown and "under 5" in shown


def test_a_result_in_process_shows_its_status_instead_of_a_value():
    waiting = test_results.TestResult(1, NOW, "hb", "Hemoglobin (Hb)", None, "g/dL", 11.7, 15.3, None, "15", "I prosess", "sykehus", None)
    shown = result_table(test_results.TestResultsView(1, [waiting]))
    assert "<td>I prosess</td>" in shown and "11,7–15,3" in shown


def test_the_results_panel_shows_the_values_the_service_gives(work, people):
    panel = TestResultsPanel(sessions(work), Actor(people["tested"]), NOW)
    first = panel.view.results[0]
    assert first.name in panel.content.value and panel.content.value.count("<tr>") == min(len(panel.view.results), 50) + 1


def test_the_overview_tile_carries_the_reminder(work, people):
    tiles = OverviewTiles(sessions(work), Actor(people["reminded"]), NOW)
    assert "hk-tile-vaccinations" in tiles.tiles.value and "Påminnelse" in tiles.tiles.value
    tiles.show(Actor(people["vaccinated"]))
    assert "Ingen påminnelser om vaksiner nå." in tiles.tiles.value
    assert f"{tiles.view.new_test_results} nye prøvesvar siste 30 dager" in tiles.tiles.value


def test_the_kjernejournal_shows_the_vaccines_section(work, people):
    panel = KjernejournalPanel(sessions(work), Actor(people["vaccinated"]), NOW)
    found = panel.open_record()
    assert "<b>Vaksiner</b>" in panel.content.value and found.vaccinations
    assert f"{found.vaccinations[0].given_on:%d.%m.%Y}: {found.vaccinations[0].name}" in panel.content.value


def test_a_parent_sees_a_young_childs_vaccinations_in_the_panel(work):
    pairs = helsekit.open(work).parental_access
    pair = pairs[(pairs["access"] == "full") & (pairs["child_age"].between(2, 11))].iloc[0]
    panel = VaccinationsPanel(sessions(work), Actor(int(pair.parent_id), int(pair.child_id)), NOW)
    doses = helsekit.open(work).vaccinations
    assert panel.status.value == "" and panel.view.subject_id == int(pair.child_id)
    assert {v.vaccination_id for v in panel.view.vaccinations} == set(doses.loc[doses["citizen_id"] == pair.child_id, "vaccination_id"])
