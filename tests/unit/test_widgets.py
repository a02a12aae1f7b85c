"""The shared pilot components (helsekit.widgets), built without a browser on generated databases.

Buttons are pressed with ``click()``; what they do is checked in the data through the services.
Tests that write work on a sandbox copy of the session's tiny database.
"""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session

from helsekit import pilots
from helsekit.errors import InvalidInput
from helsekit.services import access, access_log, kjernejournal, roster
from helsekit.services import appointments as appointment_service
from helsekit.services import overview as overview_service
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.appointments import AppointmentsPanel, ics_link
from helsekit.widgets.chrome import Chrome
from helsekit.widgets.login import Login
from helsekit.widgets.overview import OverviewTiles, render
from helsekit.widgets.page import PilotPage, query_parameters
from helsekit.widgets.prescriptions import PrescriptionsPanel
from helsekit.widgets.records import AccessLogTable, KjernejournalPanel, log_table

from widget_support import ESCAPED, HOSTILE, adult_at, sessions, sites_of

ROOT = Path(__file__).resolve().parents[2]


def booking_site(db: str) -> int:
    return sites_of(db, "fastlegetime")[0].id


@pytest.fixture()
def panel(work) -> AppointmentsPanel:
    me = adult_at(work, booking_site(work))
    return AppointmentsPanel(sessions(work), Actor(me, me))


def later_slot(panel: AppointmentsPanel) -> dt.datetime:
    """A free slot well before any cancellation deadline (a few days ahead)."""
    return next(start for _, start in panel.slot.options if start - panel.now > dt.timedelta(days=3))


def future(panel: AppointmentsPanel) -> list[appointment_service.Appointment]:
    with panel.sessions() as session:
        return appointment_service.list_appointments(session, panel.actor, panel.now).future


# --- chrome and page -------------------------------------------------------------------------------

def test_the_chrome_says_syntetiske_data_and_escapes_the_site_and_names():
    chrome = Chrome(HOSTILE, site_name=HOSTILE)
    chrome.header.show_actor(HOSTILE, "Kari Nordmann")
    page = "".join(child.value for child in chrome.children)
    assert "Syntetiske data" in page
    assert HOSTILE not in page and page.count(ESCAPED) == 3


def test_query_string_values_must_be_whole_numbers_and_are_named_escaped():
    assert query_parameters("site=1140&citizen=7") == (1140, 7, [])
    site, citizen, problems = query_parameters(f"site={HOSTILE}&citizen=12")
    assert (site, citizen) == (None, 12) and len(problems) == 1
    page = PilotPage("fastlegetime", "/no/such/database.db", problems=problems)
    assert ESCAPED in page.status.value and HOSTILE not in page.status.value


def test_a_page_opened_at_a_site_without_the_pilot_says_so_and_shows_nothing_else(tiny_db):
    other = booking_site(tiny_db)  # a GP office in 5001; the overview pilot runs in 0301
    page = PilotPage("min-helse-oversikt", tiny_db, site=other)
    assert not page.ready and page.login is None
    assert "ikke tilgjengelig" in page.status.value
    assert len(page.children) == 2  # the chrome and the message


def test_an_unknown_site_is_refused_in_bokmal_not_raised(tiny_db):
    page = PilotPage("min-helse-oversikt", tiny_db, site=999_999_999)
    assert not page.ready and "Fant ikke behandlingssted" in page.status.value


def test_the_querys_citizen_is_logged_in_and_the_header_names_them(tiny_db):
    site = booking_site(tiny_db)
    me = adult_at(tiny_db, site)
    page = PilotPage("fastlegetime", tiny_db, site=site, citizen=me)
    shown: list[Actor] = []

    class Probe:
        def show(self, actor):
            shown.append(actor)

    page.components.append(Probe())
    page.show()
    assert page.ready and shown and shown[0].person_id == me
    assert "Innlogget som" in page.chrome.header.value


def test_every_pilot_is_enabled_at_some_site_of_the_tiny_and_default_databases(tiny_db, default_db):
    found, broken = pilots.discover()
    assert not broken
    for db in (tiny_db, default_db):
        with Session(engine_for(db)) as session:
            for pilot in found:
                assert roster.pilot_sites(session, pilot), f"{pilot.id} has no site in {db}"


# --- log-in ---------------------------------------------------------------------------------------

def test_log_in_offers_the_gp_offices_listed_citizens_and_emits_the_chosen_actor(tiny_db):
    site = booking_site(tiny_db)
    login = Login(tiny_db, site)
    got: list[Actor] = []
    login.on_login(got.append)
    assert login.citizen.options and len(login.people) <= 200
    me = adult_at(tiny_db, site)
    login.citizen.value = me
    login.log_in_button.click()
    if login.actor is None:  # a parent chooses among themself and their children
        login.acting.value = me
        login.act_button.click()
    assert got == [Actor(me, me)]


def test_log_in_refuses_a_citizen_not_on_the_sites_list(tiny_db):
    login = Login(tiny_db, booking_site(tiny_db))
    got: list[Actor] = []
    login.on_login(got.append)
    login.log_in(999_999_999)
    assert got == [] and "Velg en innbygger" in login.status.value


def test_search_narrows_the_list_and_a_hostile_query_matches_no_one(tiny_db):
    login = Login(tiny_db, booking_site(tiny_db))
    first = login.people[0]
    login.search.value = first.family_name
    assert first.citizen_id in [value for _, value in login.citizen.options]
    login.search.value = HOSTILE
    assert login.citizen.options == () and HOSTILE not in login.status.value


# --- overview -------------------------------------------------------------------------------------

def test_overview_tiles_show_the_subjects_overview(tiny_db):
    me = adult_at(tiny_db, booking_site(tiny_db))
    tiles = OverviewTiles(tiny_db, Actor(me, me))
    assert tiles.view is not None and "Neste timer" in tiles.tiles.value and "Innboks" in tiles.tiles.value
    assert tiles.status.value == ""


def test_overview_shows_the_policys_refusal_in_bokmal_for_a_stranger(tiny_db):
    site = booking_site(tiny_db)
    people = [p.citizen_id for p in Login(tiny_db, site).people if p.age >= 20]
    tiles = OverviewTiles(tiny_db, Actor(people[0], people[-1]))
    assert tiles.view is None and "Ikke tillatt" in tiles.status.value and tiles.tiles.value == ""


def test_overview_escapes_names_it_shows():
    view = overview_service.Overview(subject_id=1, actor_id=1, basis="self", name=HOSTILE, next_appointments=[],
                                     prescriptions_to_renew=None, referrals=[], frikort=None, unread_messages=0,
                                     pilots=[overview_service.PilotOffer("x", HOSTILE, 1)], hidden=["prescriptions", "copayments"])
    page = render(view)
    assert HOSTILE not in page and page.count(ESCAPED) == 2


# --- appointments ---------------------------------------------------------------------------------

def test_pressing_book_books_the_chosen_free_slot(panel):
    start = panel.slot.options[0][1]
    panel.slot.value = start
    panel.book_button.click()
    assert [a.start for a in future(panel)].count(start) == 1
    assert "Timen er bestilt" in panel.status.value and "data:text/calendar;base64," in panel.status.value
    assert any(row.appointment.start == start for row in panel.rows)
    assert start not in [value for _, value in panel.slot.options]


def test_booking_a_slot_taken_meanwhile_shows_the_services_refusal(panel):
    start = panel.slot.options[0][1]
    panel.book(start)
    panel.book(start)
    assert "allerede tatt" in panel.status.value
    assert [a.start for a in future(panel)].count(start) == 1


def test_a_time_the_ui_never_offered_is_refused_by_the_service(panel):
    odd = dt.datetime.combine(panel.now.date() + dt.timedelta(days=1), dt.time(3, 17))
    assert panel.book(odd) is None
    assert panel.status.value.startswith('<div class="hk-note hk-note-error"')
    assert odd not in [a.start for a in future(panel)]


def test_confirm_change_and_cancel_buttons_act_on_the_appointment(panel):
    panel.book(later_slot(panel))
    row = panel.rows[0]
    row.confirm_button.click()
    assert future(panel)[0].confirmed and "Oppmøte er bekreftet" in panel.status.value
    row = panel.rows[0]
    row.change_button.click()
    new_start = next(start for _, start in row.new_time.options if start - panel.now > dt.timedelta(days=4))
    row.new_time.value = new_start
    row.move_button.click()
    moved = future(panel)[0]
    assert moved.start == new_start and not moved.confirmed and "Timen er flyttet" in panel.status.value
    panel.rows[0].cancel_button.click()
    assert future(panel) == [] and "Timen er avbestilt" in panel.status.value


def test_cancelling_after_the_deadline_shows_the_bokmal_refusal(panel):
    booked = panel.book(later_slot(panel))
    late = AppointmentsPanel(panel.sessions, panel.actor, now=booked.start - dt.timedelta(hours=1))
    late.rows[0].cancel_button.click()
    assert "inntil" in late.status.value and "Traceback" not in late.status.value
    assert [a.ref for a in future(panel)] == [booked.ref]


def test_the_ics_link_is_a_calendar_data_uri_download(panel):
    booked = panel.book(panel.slot.options[0][1])
    link = ics_link(booked)
    assert link.startswith('<a class="hk-ics" download="') and 'href="data:text/calendar;base64,' in link
    payload = link.split("base64,")[1].split('"')[0]
    assert base64.b64decode(payload).startswith(b"BEGIN:VCALENDAR")


# --- helsekit pilots list -------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helsekit.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_pilots_list_prints_each_pilot_with_its_sites_and_names_a_broken_manifest(tiny_db, tmp_path):
    for name in ("fastlegetime", "min-helse-oversikt"):
        (tmp_path / name).mkdir()
        for part in (ROOT / "pilots" / name).iterdir():
            (tmp_path / name / part.name).write_bytes(part.read_bytes())
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "pilot.toml").write_text('id = "broken"\ntitle = "x"\n', encoding="utf-8")
    result = run_cli("pilots", "list", "--db", tiny_db, "--pilots", str(tmp_path))
    assert result.returncode == 0
    assert "broken" in result.stderr and "owner" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fastlegetime\t") and "\tpilot" in lines[0]
    assert any(line.startswith("min-helse-oversikt\t") for line in lines)
    assert any(line.startswith("  ") and "\tgp_office\t5001" in line for line in lines)


def test_pilots_list_exits_2_when_the_database_is_missing(tmp_path):
    result = run_cli("pilots", "list", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2 and "no helsekit database" in result.stderr


# --- kjernejournal and the log of use -------------------------------------------------------------

def test_opening_the_kjernejournal_writes_a_read_that_the_log_table_shows(work):
    me = adult_at(work, booking_site(work))
    log = AccessLogTable(sessions(work), Actor(me, me))
    before = log.table.value.count("Helsenorge")
    panel = KjernejournalPanel(sessions(work), Actor(me, me), log_table=log)
    panel.open_button.click()
    assert "Kritisk informasjon" in panel.content.value and "logg over bruk" in panel.status.value
    assert log.table.value.count("Helsenorge") == before + 1
    with Session(engine_for(work)) as session:
        assert [r.actor_id for r in kjernejournal.reads(session, me)][:1] == [me]


def test_the_kjernejournal_refuses_a_stranger_in_bokmal_and_logs_nothing(work):
    people = [p.citizen_id for p in Login(work, booking_site(work)).people if p.age >= 20]
    stranger = Actor(people[0], people[-1])
    panel = KjernejournalPanel(sessions(work), stranger)
    panel.open_button.click()
    assert "Ikke tillatt" in panel.status.value and panel.content.value == ""
    with Session(engine_for(work)) as session:
        assert kjernejournal.reads(session, people[-1]) == []


def test_the_log_table_escapes_what_it_shows():
    entry = access_log.LogEntry(dt.datetime(2025, 1, 1, 9, 0), access_log.HEALTH_PERSONNEL, "kjernejournal", HOSTILE, HOSTILE, HOSTILE, None)
    table = log_table(access_log.AccessLogView(1, [entry]))
    assert HOSTILE not in table and table.count(ESCAPED) == 3


# --- prescriptions with Forny resept --------------------------------------------------------------

def with_prescription(db: str, pilot_id: str) -> PrescriptionsPanel:
    """The panel of the first adult at the pilot's first site who has a prescription to renew."""
    with Session(engine_for(db)) as session:
        site = roster.pilot_sites(session, next(p for p in pilots.discover()[0] if p.id == pilot_id))[0].id
        people = roster.citizens_at(session, site, access.reference_now(session).date())
    for person in (p for p in people if p.age >= 20):
        panel = PrescriptionsPanel(sessions(db), Actor(person.citizen_id, person.citizen_id))
        if panel.rows:
            return panel
    raise AssertionError(f"no adult with a prescription at {site}")


def test_forny_resept_sends_one_request_and_a_second_is_refused_while_it_waits(work):
    panel = with_prescription(work, "min-helse-oversikt")  # GP offices in 0301: the tiny one offers Forny resept
    panel.rows[0].renew_button.click()
    assert "er sendt til fastlegen" in panel.status.value
    panel.rows[0].renew_button.click()
    assert "allerede bedt om fornyelse" in panel.status.value


def test_forny_resept_at_an_office_without_it_shows_the_refusal(work):
    panel = with_prescription(work, "fastlegetime")  # the tiny GP office in 5001 does not offer it
    panel.rows[0].renew_button.click()
    assert "tilbyr ikke Forny resept" in panel.status.value


# --- the log-in's list ----------------------------------------------------------------------------

def test_the_log_in_list_at_a_gp_office_holds_only_people_on_its_lists_on_the_day(default_db):
    from helsekit.services import gp_services

    with Session(engine_for(default_db)) as session:
        today = access.reference_now(session).date()
        site = booking_site(default_db)
        people = roster.citizens_at(session, site, today, limit=50)
        assert len(people) == 50
        assert {gp_services.gp_list_on(session, p.citizen_id, today).gp_office_id for p in people} == {site}


def test_the_log_in_list_is_bounded_and_refuses_a_limit_out_of_range(tiny_db):
    with Session(engine_for(tiny_db)) as session:
        today = access.reference_now(session).date()
        with pytest.raises(InvalidInput):
            roster.citizens_at(session, booking_site(tiny_db), today, limit=roster.MAX_LIMIT + 1)
        with pytest.raises(InvalidInput):
            roster.citizens_at(session, "1140; DROP TABLE citizen", today)
