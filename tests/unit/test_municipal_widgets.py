"""The Helsestasjon and Hjemmetjenester components (helsekit.widgets.health_station, .home_care), without a
browser: they escape what they show, the plan shows the coming two weeks, a recipient writes from the panel, and
a citizen whose kommune does not offer the service is told so and offered no form. Tests that read record data
(a logged read) work on a sandbox copy of the session's tiny database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

import helsekit
from helsekit.domain.home_care import HomeCareMessage
from helsekit.services import health_station, home_care, municipal
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.health_station import HealthStationPanel, appointment_table
from helsekit.widgets.home_care import HomeCarePanel, message_list, visit_table

from widget_support import ESCAPED, HOSTILE, sessions

NOW = dt.datetime(2025, 1, 1, 12)


@pytest.fixture(scope="module")
def people(tiny_db) -> dict[str, int]:
    """Citizens of the tiny database: a home-care recipient and an adult outside the offering kommuner (both may
    use the services themselves), and a parent with a child whose kommune offers the health station."""
    data = helsekit.open(tiny_db)
    c, p = data.citizens, data.helsenorge_profiles
    able = c[c["id"].isin(p.loc[p["consent_level"].isin(["basis", "full"]), "citizen_id"]) & (c["address_protection"] == "none")]
    home = able["kommune_number"].map(lambda k: municipal.offers(k, municipal.HOME_CARE))
    pairs = data.parental_access
    pairs = pairs[(pairs["access"] == "full") & pairs["child_id"].isin(set(data.health_station_appointments["citizen_id"]))]
    pairs = pairs[pairs["child_id"].map(c.set_index("id")["kommune_number"]).map(lambda k: municipal.offers(k, municipal.HEALTH_STATION))]
    rows = data.health_station_appointments
    coming = pairs[pairs["child_id"].isin(set(rows.loc[rows["starts_at"] >= NOW + dt.timedelta(days=2), "citizen_id"]))]
    return {
        "coming_parent": int(coming.iloc[0].parent_id), "coming_child": int(coming.iloc[0].child_id),
        "recipient": int(able.loc[home & able["id"].isin(set(data.home_care_visits["citizen_id"])), "id"].iloc[0]),
        "outside": int(able.loc[~home & (able["age"] >= 18), "id"].iloc[0]),
        "parent": int(pairs.iloc[0].parent_id), "child": int(pairs.iloc[0].child_id),
    }


def test_the_tables_escape_what_they_show():
    visit = home_care.Visit(1, NOW + dt.timedelta(days=1), 20, HOSTILE, False)
    assert HOSTILE not in visit_table([visit], NOW) and ESCAPED in visit_table([visit], NOW)
    message = home_care.Message(1, 1, "helsenorge", NOW, "innbygger", HOSTILE, HOSTILE)
    assert HOSTILE not in message_list([message]) and message_list([message]).count(ESCAPED) == 2
    appointment = health_station.ProgrammeAppointment(1, NOW, 30, "helsestasjon", "4_uker", HOSTILE, "4 weeks", HOSTILE, "planlagt")
    shown = appointment_table([appointment], "x")
    assert HOSTILE not in shown and shown.count(ESCAPED) == 2


def test_the_plan_shows_the_visits_of_the_coming_two_weeks_only():
    visits = [home_care.Visit(i, NOW + dt.timedelta(days=days), 20, "hjemmesykepleie", days < 0) for i, days in enumerate((-1, 0, 13, 14, 20))]
    shown = visit_table(visits, NOW)
    assert shown.count("<tr>") == 1 + 2  # the header, today and day 13
    assert "onsdag 01.01.2025 kl. 12.00" in shown  # 1 January 2025 was a Wednesday


def test_a_recipient_sees_the_plan_and_sends_a_message_from_the_panel(work, people):
    panel = HomeCarePanel(sessions(work), Actor(people["recipient"]), NOW)
    assert panel.form in panel.children and "hk-home-care-visits" in panel.content.value
    panel.send("Besøkstid", "Kan dere komme litt senere?")
    assert "Meldingen er sendt" in panel.send_status.value and "Kan dere komme litt senere?" in panel.content.value
    with Session(engine_for(work)) as session:
        sent = session.exec(select(HomeCareMessage)).all()
    assert [(m.citizen_id, m.written_by, m.topic) for m in sent] == [(people["recipient"], people["recipient"], "Besøkstid")]
    panel.send("Besøkstid", "")
    assert "hk-note-error" in panel.send_status.value


def test_a_citizen_whose_kommune_does_not_offer_home_care_is_told_so_and_gets_no_form(work, people):
    panel = HomeCarePanel(sessions(work), Actor(people["outside"]), NOW)
    assert "tilbyr ikke hjemmetjenester" in panel.content.value and panel.form not in panel.children


def test_a_parent_sees_the_childs_programme_in_the_panel(work, people):
    panel = HealthStationPanel(sessions(work), Actor(people["parent"], people["child"]), NOW)
    appointments = helsekit.open(work).health_station_appointments
    assert panel.status.value == "" and panel.view.subject_id == people["child"]
    assert len(panel.view.past) + len(panel.view.coming) == int((appointments["citizen_id"] == people["child"]).sum())
    assert panel.content.value.count("<tr>") == len(panel.view.past) + bool(panel.view.past) + len(panel.view.coming) + bool(panel.view.coming)


def test_a_parent_moves_and_cancels_a_planned_appointment_from_the_panel(work, people):
    panel = HealthStationPanel(sessions(work), Actor(people["coming_parent"], people["coming_child"]), NOW)
    assert panel.form in panel.children
    chosen, new_start = panel.appointment.value, panel.new_time.options[-1][1]
    panel.change(chosen, new_start)
    assert "Timen er flyttet" in panel.change_status.value
    assert next(a for a in panel.view.coming if a.appointment_id == chosen).starts_at == new_start
    panel.change(chosen, None)
    assert "Timen er avlyst" in panel.change_status.value
    assert next(a for a in panel.view.coming if a.appointment_id == chosen).status == "avlyst"
    assert "<td>Avlyst</td>" in panel.content.value


def test_a_parent_without_a_planned_appointment_is_offered_no_change_form(work, people):
    panel = HealthStationPanel(sessions(work), Actor(people["parent"], people["child"]), NOW)
    assert (panel.form in panel.children) == any(a.status == "planlagt" for a in panel.view.coming)
