"""The widgets of the later pilots (helsekit.widgets.threads, .referrals), built without a browser.

Buttons are pressed with ``click()``; what they do is checked in the data through the services. Tests
that write work on a sandbox copy of the session's tiny database.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session

from helsekit.services import access, gp_services, messages, roster
from helsekit.services import appointments as appointment_service
from helsekit.services import referrals as referral_service
from helsekit.services.actors import Actor
from helsekit.errors import HelsekitError
from helsekit.storage.database import engine_for
from helsekit.widgets.appointments import AppointmentsPanel
from helsekit.widgets.page import PilotPage
from helsekit.widgets.referrals import ReferralsPanel, card
from helsekit.widgets.threads import MessageThreadsPanel

from widget_support import ESCAPED, HOSTILE, adult_at, sessions, sites_of


@pytest.fixture()
def threads(work) -> MessageThreadsPanel:
    me = adult_at(work, sites_of(work, "e-konsultasjon")[0].id)
    return MessageThreadsPanel(sessions(work), Actor(me, me))


def live_thread(panel: MessageThreadsPanel, thread_id: int) -> gp_services.Thread:
    with panel.sessions() as session:
        return gp_services.thread(session, panel.actor, thread_id, panel.now)


# --- e-konsultasjon ------------------------------------------------------------------------------

def test_e_konsultasjon_runs_only_at_gp_offices_that_offer_forny_resept(tiny_db, default_db):
    for db in (tiny_db, default_db):
        found = sites_of(db, "e-konsultasjon")
        assert found, f"e-konsultasjon has no site in {db}"
        assert all(o.kind == "gp_office" and gp_services.office_offers_renewal(o.id) for o in found)


def test_starting_an_e_consultation_opens_a_thread_with_the_fastlege_and_its_egenandel(threads):
    threads.new_text.value = f"Vondt i halsen {HOSTILE}"
    threads.start_button.click()
    assert "sendt til fastlegen" in threads.status.value
    key = threads.choice.options[0][1]
    assert key[0] == "helsenorge" and threads.opened.thread_id == key[1]
    stored = live_thread(threads, key[1])
    assert stored.topic == "e_konsultasjon" and stored.messages[0].body == f"Vondt i halsen {HOSTILE}"
    assert stored.egenandel is not None and (str(stored.egenandel) in threads.status.value or stored.egenandel == 0)
    assert ESCAPED in threads.messages.value and HOSTILE not in threads.messages.value


def test_a_reply_lands_in_the_open_thread(threads):
    threads.new_text.value = "Vondt i halsen"
    threads.start_button.click()
    threads.reply_text.value = "Og feber siden i går."
    threads.reply_button.click()
    assert "Svaret er sendt" in threads.status.value
    stored = live_thread(threads, threads.opened.thread_id)
    assert [m.body for m in stored.messages] == ["Vondt i halsen", "Og feber siden i går."]
    assert "Og feber siden i går." in threads.messages.value


def test_an_empty_message_is_refused_in_bokmal_and_nothing_is_written(threads):
    before = len(threads.threads)
    threads.new_text.value = "   "
    threads.start_button.click()
    assert "Meldingen må ha" in threads.status.value
    threads.refresh()
    assert len(threads.threads) == before


def test_replying_with_no_thread_open_is_refused(threads):
    threads.reply("Hei")
    assert "Åpne en samtale først" in threads.status.value


def test_opening_a_generated_thread_marks_it_read_and_offers_no_reply(threads):
    unread = next((t for t in threads.threads if t.unread and t.source == "historikk"), threads.threads[0])
    threads.open_thread((unread.source, unread.thread_id))
    assert threads.opened == unread and threads.reply_box.layout.display == "none"
    with threads.sessions() as session:
        after = messages.inbox(session, threads.actor, threads.now)
    assert not any(m.unread for m in after if m.thread_id == unread.thread_id and m.source == unread.source)


def test_a_thread_the_list_never_offered_is_refused(threads):
    threads.open_thread(("helsenorge", 999_999))
    assert "Velg en samtale fra listen" in threads.status.value and threads.opened is None


def test_a_stranger_sees_the_policys_refusal_in_bokmal(work):
    site = sites_of(work, "e-konsultasjon")[0].id
    with Session(engine_for(work)) as session:
        people = roster.citizens_at(session, site, access.reference_now(session).date())
    me, other = [p.citizen_id for p in people if 20 <= p.age <= 70][:2]
    panel = MessageThreadsPanel(sessions(work), Actor(me, other))
    assert "hk-note-error" in panel.status.value and not panel.threads


def test_the_e_konsultasjon_page_logs_in_the_querys_citizen(work):
    site = sites_of(work, "e-konsultasjon")[0].id
    me = adult_at(work, site)
    page = PilotPage("e-konsultasjon", work, site=site, citizen=me)
    panel = MessageThreadsPanel(page.sessions, now=page.now)
    page.show(panel)
    assert page.ready and page.login.person_id == me
    page.login.act_as(me)  # when they may act for others too, they choose themself
    assert panel.actor == Actor(me, me)


# --- sykehustimer ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def referred(tiny_db) -> int:
    """The first adult of the tiny database with an active referral and a coming hospital appointment."""
    import helsekit

    booked = helsekit.open(tiny_db).hospital_appointments.query("status == 'booked'")["citizen_id"]
    with Session(engine_for(tiny_db)) as session:
        now = access.reference_now(session)
        for citizen in sorted(set(booked)):
            actor = Actor(int(citizen), int(citizen))
            try:
                active = referral_service.view(session, actor, now).active
            except HelsekitError:  # a child: the policy refuses their own log-in
                continue
            if active:
                return int(citizen)
    pytest.fail("the tiny database has no adult with an active referral and a coming hospital appointment")


def test_sykehustimer_runs_at_hospitals_of_the_tiny_and_default_databases(tiny_db, default_db):
    for db in (tiny_db, default_db):
        found = sites_of(db, "sykehustimer")
        assert found and all(o.kind == "hospital" for o in found)


def test_the_referral_tabs_show_each_referrals_timeline_and_rights_text(tiny_db, referred):
    panel = ReferralsPanel(sessions(tiny_db), Actor(referred, referred))
    view = panel.view
    assert view.active
    first = view.active[0]
    assert f"hk-referral-{first.referral_id}" in panel.active.value
    assert all(change.status in panel.active.value for change in first.history)
    assert panel.active.value.count("hk-status-current") == len(view.active)
    assert first.treatment_name and f"Gjelder: {first.treatment_name}" in panel.active.value
    assert all(text.text_nb.split(".")[0] in panel.active.value for text in first.rights)
    assert all(f"hk-referral-{r.referral_id}" in panel.closed.value for r in view.closed)
    assert panel.tabs.selected_index == 0


def test_the_referral_card_escapes_what_it_shows(tiny_db, referred):
    panel = ReferralsPanel(sessions(tiny_db), Actor(referred, referred))
    hostile = dataclasses.replace(panel.view.active[0], hospital_name=HOSTILE, referrer_name=HOSTILE)
    shown = card(hostile)
    assert HOSTILE not in shown and shown.count(ESCAPED) == 2


def test_referrals_of_a_stranger_are_refused_in_bokmal(tiny_db, referred):
    panel = ReferralsPanel(sessions(tiny_db), Actor(referred, referred + 1))
    assert "hk-note-error" in panel.status.value and panel.active.value == ""


@pytest.fixture()
def hospital(work, referred) -> AppointmentsPanel:
    return AppointmentsPanel(sessions(work), Actor(referred, referred), kinds=("sykehus",), booking=False, questions=True)


def test_the_hospital_list_holds_only_hospital_appointments_and_offers_no_booking(hospital):
    assert hospital.rows and all(row.appointment.kind == "sykehus" for row in hospital.rows)
    assert hospital.about.options and all(ref.startswith("sykehus-") for _, ref in hospital.about.options)
    assert hospital.book_box.layout.display == "none" and not hospital.slot.options


def test_asking_about_an_appointment_opens_a_thread_with_the_hospital(hospital):
    ref = hospital.about.options[-1][1]
    hospital.about.value = ref
    hospital.question_text.value = "Kan jeg ta med ledsager?"
    hospital.ask_button.click()
    assert "Spørsmålet er sendt" in hospital.status.value
    with hospital.sessions() as session:
        found = messages.inbox(session, hospital.actor, hospital.now)
    asked = [m for m in found if m.topic == "sporsmal_om_time"]
    assert [m.body for m in asked] == ["Kan jeg ta med ledsager?"]


def test_an_empty_question_is_refused_in_bokmal(hospital):
    hospital.question_text.value = " "
    hospital.ask_button.click()
    assert "Skriv et spørsmål" in hospital.status.value


def test_a_question_about_an_appointment_not_listed_is_refused(hospital):
    hospital.ask("fastlege-1", "Hei")
    assert "Velg en av timene i listen" in hospital.status.value


def test_confirm_and_cancel_act_on_the_hospital_appointment(hospital):
    ref = hospital.rows[0].appointment.ref
    hospital.rows[0].confirm_button.click()
    assert "Oppmøte er bekreftet" in hospital.status.value
    with hospital.sessions() as session:
        assert next(a for a in appointment_service.list_appointments(session, hospital.actor, hospital.now).future if a.ref == ref).confirmed
    next(row for row in hospital.rows if row.appointment.ref == ref).cancel_button.click()
    with hospital.sessions() as session:
        after = appointment_service.list_appointments(session, hospital.actor, hospital.now)
    assert ref not in {a.ref for a in after.future}
    assert "Timen er avbestilt" in hospital.status.value


# --- influensavaksine -----------------------------------------------------------------------------

NOTIFIED = 68  # in the tiny database (seed 42): 77 years old, listed at a GP office in 0301, with influenza notices


def test_the_notices_panel_lists_only_notices_and_offers_neither_reply_nor_e_consultation(work):
    panel = MessageThreadsPanel(sessions(work), Actor(NOTIFIED, NOTIFIED), topics=("varsel",), e_consultation=False)
    assert panel.threads and all(t.topic == "varsel" for t in panel.threads)
    assert panel.new_box.layout.display == "none"
    panel.open_button.click()
    assert panel.opened == panel.threads[0] and "Varsel" in panel.messages.value
    assert panel.reply_box.layout.display == "none"
    panel.reply("Takk")  # a notice cannot be answered: the service refuses it
    assert "hk-note-error" in panel.status.value
    with panel.sessions() as session:
        assert not [m for m in messages.inbox(session, panel.actor, panel.now) if m.source == "helsenorge"]


def test_after_the_notice_the_fastlege_slot_is_booked_from_the_fastlege_only_panel(work):
    panel = AppointmentsPanel(sessions(work), Actor(NOTIFIED, NOTIFIED), kinds=("fastlege",))
    assert all(row.appointment.kind == "fastlege" for row in panel.rows)
    start = panel.slot.options[-1][1]
    panel.slot.value = start
    panel.book_button.click()
    assert "Timen er bestilt" in panel.status.value
    with panel.sessions() as session:
        future = appointment_service.list_appointments(session, panel.actor, panel.now).future
    assert any(a.start == start and a.kind == "fastlege" for a in future)


def test_the_first_free_slot_is_chosen_so_pressing_bestill_time_books_it(work):
    panel = AppointmentsPanel(sessions(work), Actor(NOTIFIED, NOTIFIED), kinds=("fastlege",))
    first = panel.slot.options[0][1]
    assert panel.slot.value == first
    panel.book_button.click()
    assert "Timen er bestilt" in panel.status.value
    with panel.sessions() as session:
        assert any(a.start == first for a in appointment_service.list_appointments(session, panel.actor, panel.now).future)
