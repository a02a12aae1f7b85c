"""GP services on Min helse: threads go to the office the citizen is listed with, e-consultations cost the
daytime egenandel, and Forny resept only where the office offers it, for the citizen's own earlier
prescription, one request at a time (§2.6, §10.6)."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest
from sqlmodel import Session, func, select

from helsekit.domain.inbox import PortalMessage, RenewalRequest
from helsekit.errors import InvalidInput, NotFound, NotOffered, RuleBroken
from helsekit.services import gp_services
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

NOW = dt.datetime(2025, 1, 1, 12, 0)


@pytest.fixture(scope="module")
def adults(data):
    """Adults with a Basis or Full consent and no confidential address, with the list they are on today."""
    citizens = data.citizens
    profiles = data.helsenorge_profiles
    ok = profiles[profiles["consent_level"].isin(["basis", "full"])]["citizen_id"]
    people = citizens[(citizens["age"] >= 18) & (citizens["address_protection"] == "none") & citizens["id"].isin(ok)]
    memberships = data.gp_list_memberships
    today = memberships[(memberships["valid_from"] <= pd.Timestamp(NOW.date())) & memberships["valid_to"].isna()]
    listed = today.merge(data.gp_lists[["id", "gp_office_id", "practitioner_id"]], left_on="gp_list_id", right_on="id", suffixes=("", "_list"))
    return people[["id"]].merge(listed[["citizen_id", "gp_list_id", "gp_office_id", "practitioner_id"]], left_on="id", right_on="citizen_id")


def _with_prescription(data, adults, offered: bool):
    """An adult and one of their earlier prescriptions not stopped, at an office that does (not) offer renewal."""
    rx = data.prescriptions
    rx = rx[rx["discontinued_on"].isna() & rx["citizen_id"].isin(adults["citizen_id"])]
    office = adults.set_index("citizen_id")["gp_office_id"]
    for row in rx.itertuples():
        if gp_services.office_offers_renewal(int(office[row.citizen_id])) is offered:
            return int(row.citizen_id), int(row.prescription_id), row.drug
    raise AssertionError("no such citizen in the default database")


def _counts(session):
    return (session.exec(select(func.count()).select_from(PortalMessage)).one(),
            session.exec(select(func.count()).select_from(RenewalRequest)).one())


def test_a_question_to_the_reception_goes_to_the_gp_office_the_person_is_listed_with(db, adults):
    person = adults.iloc[0]
    with Session(engine_for(db)) as session:
        thread = gp_services.contact_office(session, Actor(int(person.citizen_id)), "  Kan jeg få en time neste uke?  ", NOW)
        again = gp_services.thread(session, Actor(int(person.citizen_id)), thread.thread_id, NOW)
    assert (thread.gp_office_id, thread.topic) == (person.gp_office_id, "kontakt_legekontoret")
    assert [(m.sender, m.written_by, m.body) for m in again.messages] == [("innbygger", person.citizen_id, "Kan jeg få en time neste uke?")]


def test_an_empty_message_is_refused_and_writes_nothing(db, adults):
    with Session(engine_for(db)) as session:
        with pytest.raises(InvalidInput) as refused:
            gp_services.contact_office(session, Actor(int(adults.iloc[0].citizen_id)), "   ", NOW)
        assert refused.value.field == "text"
        assert _counts(session) == (0, 0)


def test_an_adults_e_consultation_costs_the_daytime_gp_egenandel_of_170_kr(db, adults):
    person = adults[adults["practitioner_id"].notna()].iloc[0]
    with Session(engine_for(db)) as session:
        thread = gp_services.start_e_consultation(session, Actor(int(person.citizen_id)), "Utslett på armen", NOW)
    assert (thread.topic, thread.gp_office_id, thread.egenandel) == ("e_konsultasjon", person.gp_office_id, 170)  # §2.6: 2023–24 daytime 170


def test_an_e_consultation_for_a_child_under_16_costs_nothing(db, data):
    access = data.parental_access
    parent, child = next((int(r.parent_id), int(r.child_id)) for r in access[(access["child_age"] == 8) & (access["access"] == "full")].itertuples())
    with Session(engine_for(db)) as session:
        thread = gp_services.start_e_consultation(session, Actor(parent, child), "Feber i tre dager", NOW)
    assert thread.citizen_id == child and thread.messages[0].written_by == parent and thread.egenandel == 0


def test_a_reply_joins_the_thread_and_another_persons_thread_is_not_found(db, adults):
    first, other = int(adults.iloc[0].citizen_id), int(adults.iloc[1].citizen_id)
    with Session(engine_for(db)) as session:
        thread = gp_services.contact_office(session, Actor(first), "Spørsmål", NOW)
        answered = gp_services.reply(session, Actor(first), thread.thread_id, "Et tillegg", NOW + dt.timedelta(minutes=5))
        assert [m.body for m in answered.messages] == ["Spørsmål", "Et tillegg"]
        with pytest.raises(NotFound):
            gp_services.thread(session, Actor(other), thread.thread_id, NOW)


def test_renewal_writes_a_request_and_its_message_to_the_gp_office(db, data, adults):
    citizen, prescription, drug = _with_prescription(data, adults, offered=True)
    with Session(engine_for(db)) as session:
        renewal = gp_services.request_renewal(session, Actor(citizen), prescription, NOW)
        stored = session.get(RenewalRequest, renewal.id)
    assert (renewal.drug, renewal.status, renewal.thread.topic, renewal.thread.prescription_id) == (drug, "sendt", "fornyelse_resept", prescription)
    assert (stored.citizen_id, stored.prescription_id, stored.message_id) == (citizen, prescription, renewal.thread.messages[0].id)


def test_renewal_is_refused_where_the_gp_office_does_not_offer_it(db, data, adults):
    citizen, prescription, _ = _with_prescription(data, adults, offered=False)
    with Session(engine_for(db)) as session:
        with pytest.raises(NotOffered) as refused:
            gp_services.request_renewal(session, Actor(citizen), prescription, NOW)
        assert refused.value.field == "§10.6"
        assert _counts(session) == (0, 0)


def test_renewals_in_the_history_happened_only_at_offices_the_service_says_offer_it(data):
    portal = data.prescriptions[data.prescriptions["renewal"] == "portal"]
    threads = data.messages[(data.messages["topic"] == "fornyelse_resept") & data.messages["prescription_id"].isin(portal["prescription_id"])]
    offices = threads["gp_office_id"].unique()
    assert len(offices) > 10 and all(gp_services.office_offers_renewal(int(o)) for o in offices)
    every = data.gp_lists["gp_office_id"].unique()
    share = sum(gp_services.office_offers_renewal(int(o)) for o in every) / len(every)
    assert 0.5 < share < 0.9  # prescriptions.toml: 70 % of offices, and some do not


def test_a_new_drug_cannot_be_asked_for(db, data, adults):
    citizen, _, _ = _with_prescription(data, adults, offered=True)
    someone_elses = int(data.prescriptions[data.prescriptions["citizen_id"] != citizen]["prescription_id"].iloc[0])
    with Session(engine_for(db)) as session:
        with pytest.raises(NotFound) as refused:
            gp_services.request_renewal(session, Actor(citizen), someone_elses, NOW)
        assert refused.value.field == "§10.6"
        assert _counts(session) == (0, 0)


def test_a_second_renewal_of_the_same_prescription_is_refused_while_the_first_is_pending(db, data, adults):
    citizen, prescription, _ = _with_prescription(data, adults, offered=True)
    with Session(engine_for(db)) as session:
        gp_services.request_renewal(session, Actor(citizen), prescription, NOW)
        with pytest.raises(RuleBroken) as refused:
            gp_services.request_renewal(session, Actor(citizen), prescription, NOW + dt.timedelta(hours=1))
        assert refused.value.field == "prescription_id"
        assert _counts(session) == (1, 1)


def test_simultaneous_renewal_requests_for_one_prescription_leave_exactly_one(db, data, adults):
    """Ten sessions ask at the same moment: the database's one-pending index, not the check before the
    insert, decides; the others are told a request already waits, and nothing else is written."""
    citizen, prescription, _ = _with_prescription(data, adults, offered=True)
    start, outcomes = threading.Barrier(10), []

    def ask():
        with Session(engine_for(db)) as session:
            start.wait()
            try:
                gp_services.request_renewal(session, Actor(citizen), prescription, NOW)
                outcomes.append("sent")
            except RuleBroken as refused:
                outcomes.append(refused.field)

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["prescription_id"] * 9 + ["sent"]
    with Session(engine_for(db)) as session:
        assert _counts(session) == (1, 1)
