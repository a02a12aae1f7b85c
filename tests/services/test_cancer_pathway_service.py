"""Pakkeforløp for kreft: who may see a pathway (Henvisninger, Full tilgang, 16+), its coordinator (§12.2),
its dates against the standard times (§12.3, §12.4), and the messages to the coordinator (contact and the
shared decision aid), each written once with the hospital, or not at all when refused.

The standard times are typed here from domain-facts §12.3 and §12.4, independently of the spec files.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session, select

from helsekit.domain.inbox import PortalMessage, Topic
from helsekit.errors import InvalidInput, NotFound
from helsekit.generator import specs
from helsekit.services import cancer_pathways
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage.database import engine_for

STANDARD_STEPS = {"brystkreft": [7, 12, 13], "skjoldbruskkjertelkreft": [10, 10, 21]}  # §12.3, §12.4 (to surgery)
STANDARD_TOTAL = {"brystkreft": 32, "skjoldbruskkjertelkreft": 41}
CLOSED = {"Avsluttet", "Avvist", "Videresendt"}


def _noon(day) -> dt.datetime:
    return dt.datetime.combine(pd.Timestamp(day).date(), dt.time(12))


def _full(data) -> pd.Series:
    return data.helsenorge_profiles.loc[data.helsenorge_profiles["consent_level"] == "full", "citizen_id"]


@pytest.fixture(scope="module")
def on_pathway(data) -> pd.DataFrame:
    """Pathway referrals of living, unprotected citizens with Full tilgang, one row per referral."""
    r = data.referrals[data.referrals["pathway"].notna()]
    living = data.citizens.loc[data.citizens["address_protection"] == "none", "id"]
    return r[r["citizen_id"].isin(_full(data)) & r["citizen_id"].isin(living)]


def _single(on_pathway: pd.DataFrame) -> pd.Series:
    """A referral of a citizen with exactly one pathway."""
    counts = on_pathway["citizen_id"].value_counts()
    return on_pathway[on_pathway["citizen_id"].isin(counts.index[counts == 1])].iloc[0]


def _messages(db: str, citizen_id: int) -> list[PortalMessage]:
    with Session(engine_for(db)) as session:
        return list(session.exec(select(PortalMessage).where(PortalMessage.citizen_id == citizen_id)).all())


def _fullmakt(data, on_pathway: pd.DataFrame, scope: str) -> tuple[int, int]:
    """(holder, giver) of a fullmakt with ``scope`` in force on the reference date, from a giver on a pathway."""
    f, day = data.fullmakter, data.reference_date
    citizens = data.citizens.set_index("id")
    ok = (f["valid_from"] <= day) & (f["valid_to"].isna() | (f["valid_to"] >= day)) & (f["scope"] == scope)
    ok &= f["giver_id"].isin(on_pathway["citizen_id"]) & f["holder_id"].map(citizens["address_protection"]).eq("none")
    ok &= f["holder_id"].map(citizens["age"]).ge(19)
    row = f[ok].iloc[0]
    return int(row.holder_id), int(row.giver_id)


ANSWERS = {"matters": ["bevare_kroppen", "hverdagen"], "leaning": "usikker", "questions": "Hvor lenge blir jeg sykmeldt?"}


def test_a_person_without_a_cancer_pathway_sees_none_and_cannot_write_to_a_coordinator(db, data, on_pathway):
    r = data.referrals
    without = _full(data)[~_full(data).isin(r.loc[r["pathway"].notna(), "citizen_id"])]
    subject = int(without[without.isin(data.citizens.loc[data.citizens["address_protection"] == "none", "id"])].iloc[0])
    now = _noon(data.reference_date)
    with Session(engine_for(db)) as session:
        seen = cancer_pathways.view(session, Actor(subject), now)
        with pytest.raises(NotFound) as refused:
            cancer_pathways.contact_coordinator(session, Actor(subject), "Hei", now)
        with pytest.raises(NotFound):
            cancer_pathways.share_decision_aid(session, Actor(subject), ANSWERS, now)
    assert seen.pathways == [] and seen.decision_aid is None
    assert refused.value.field == "pathway" and "pakkeforløp" in refused.value.message_nb
    assert _messages(db, subject) == []


def test_a_15_year_old_cannot_view_the_pathway_page_of_henvisninger(default_db, data):
    # Henvisninger needs own full access (16+) and Full tilgang; 13–15 have ungdomstilgang only (§3.4, §3.5).
    c = data.citizens
    young = int(c.loc[(c["age"] == 15) & (c["address_protection"] == "none"), "id"].iloc[0])
    with Session(engine_for(default_db)) as session:
        with pytest.raises(AccessDenied):
            cancer_pathways.view(session, Actor(young), _noon(data.reference_date))


def test_the_coordinator_shown_is_the_referrals_own_forlopskoordinator_at_its_hospital(default_db, data, on_pathway):
    row = _single(on_pathway)
    with Session(engine_for(default_db)) as session:
        seen = cancer_pathways.view(session, Actor(int(row.citizen_id)), _noon(data.reference_date))
    (pathway,) = seen.pathways
    staff = data.practitioners.set_index("id").loc[int(row.pathway_coordinator_id)]
    assert pathway.referral_id == row.referral_id and pathway.hospital_id == row.hospital_id
    assert pathway.coordinator.practitioner_id == row.pathway_coordinator_id
    assert pathway.coordinator.name == f"{staff.given_name} {staff.family_name}"
    assert pathway.coordinator.role == staff.role == "forløpskoordinator" and staff.organisation_id == row.hospital_id


def test_dates_against_the_standard_times_follow_the_raw_archive_rows(default_db, data, on_pathway):
    day = pd.Timestamp(data.reference_date)
    subjects = on_pathway["citizen_id"].drop_duplicates().iloc[:40]
    with Session(engine_for(default_db)) as session:
        seen = {p.referral_id: p for s in subjects for p in cancer_pathways.view(session, Actor(int(s)), _noon(day)).pathways}
    rows = on_pathway[on_pathway["citizen_id"].isin(subjects)]
    assert set(seen) == set(rows["referral_id"])
    for row in rows.itertuples():
        shown, total = seen[row.referral_id], STANDARD_TOTAL[row.pathway]
        first, last = shown.milestones[0], shown.milestones[-1]
        assert first.reached_on == row.received_on.date() and shown.standard_total_days == total
        assert last.target_on == (row.received_on + pd.Timedelta(days=total)).date()
        started = pd.notna(row.start_of_care) and row.start_of_care <= day
        expected_days = (row.start_of_care - row.received_on).days if started else None
        assert last.days_used == expected_days
        assert last.within_standard == (None if expected_days is None else expected_days <= total)
        assert shown.active == (row.status not in CLOSED)


def test_a_pathway_whose_treatment_has_not_started_is_active_and_shows_no_start_date(default_db, data, on_pathway):
    row = _single(on_pathway[on_pathway["status"] == "Avsluttet"])
    day = row.received_on + pd.Timedelta(days=2)  # the referral is received, nothing more has happened
    with Session(engine_for(default_db)) as session:
        (pathway,) = cancer_pathways.view(session, Actor(int(row.citizen_id)), _noon(day)).pathways
    assert pathway.active and pathway.status not in CLOSED
    assert pathway.milestones[-1].reached_on is None and pathway.milestones[-1].within_standard is None
    assert all(change.at <= day.date() for change in pathway.history)


def test_the_standard_step_times_are_the_facts_and_sum_to_the_generators_pathway_totals():
    steps = specs.load("cancer_pathways")["pathways"]
    generator = specs.load("referrals")["pathways"]
    assert {name: p["step_days"] for name, p in steps.items()} == STANDARD_STEPS
    assert dict(zip(generator["name"], generator["standard_days"])) == {name: sum(days) for name, days in STANDARD_STEPS.items()}


def test_a_message_to_the_coordinator_lands_once_in_portal_message_with_the_hospital(db, data, on_pathway):
    row = _single(on_pathway)
    subject = int(row.citizen_id)
    with Session(engine_for(db)) as session:
        sent = cancer_pathways.contact_coordinator(session, Actor(subject), "  Når er neste time?  ", _noon(data.reference_date))
    (message,) = _messages(db, subject)
    assert (message.id, message.thread_id, message.topic) == (sent.message_id, sent.message_id, Topic.PATHWAY_COORDINATOR)
    assert (message.organisation_id, message.written_by, message.body) == (row.hospital_id, subject, "Når er neste time?")


@pytest.mark.parametrize("answers, field", [
    ({**ANSWERS, "leaning": "kjemoterapi"}, "leaning"),
    ({**ANSWERS, "matters": ["bevare_kroppen", "<script>"]}, "matters"),
    ({**ANSWERS, "matters": []}, "matters"),
    ({**ANSWERS, "matters": ["bevare_kroppen", "unnga_ny_behandling", "kort_behandling", "hverdagen"]}, "matters"),
    ({**ANSWERS, "matters": ["hverdagen", "hverdagen"]}, "matters"),
    ({**ANSWERS, "matters": "bevare_kroppen"}, "matters"),
    ({**ANSWERS, "questions": "x" * 1001}, "questions"),
    ({**ANSWERS, "citizen_id": 1}, "answers"),
])
def test_a_decision_aid_answer_it_does_not_offer_is_refused_naming_the_field_and_nothing_is_written(db, data, on_pathway, answers, field):
    subject = int(_single(on_pathway).citizen_id)
    with Session(engine_for(db)) as session:
        with pytest.raises(InvalidInput) as refused:
            cancer_pathways.share_decision_aid(session, Actor(subject), answers, _noon(data.reference_date))
    assert refused.value.field == field
    assert _messages(db, subject) == []


def test_an_option_of_the_other_pathway_is_not_offered(db, data, on_pathway):
    row = _single(on_pathway[on_pathway["pathway"] == "skjoldbruskkjertelkreft"])
    with Session(engine_for(db)) as session:
        with pytest.raises(InvalidInput) as refused:
            cancer_pathways.share_decision_aid(session, Actor(int(row.citizen_id)), {**ANSWERS, "leaning": "mastektomi"}, _noon(data.reference_date))
    assert refused.value.field == "leaning" and _messages(db, int(row.citizen_id)) == []


def test_the_shared_answers_reach_the_coordinator_as_one_samvalg_message(db, data, on_pathway):
    row = _single(on_pathway[on_pathway["pathway"] == "brystkreft"])
    subject = int(row.citizen_id)
    answers = {"matters": ["bevare_kroppen"], "leaning": "brystbevarende", "questions": "Hvor lenge varer strålebehandlingen?"}
    with Session(engine_for(db)) as session:
        sent = cancer_pathways.share_decision_aid(session, Actor(subject), answers, _noon(data.reference_date))
    (message,) = _messages(db, subject)
    assert (message.id, message.topic, message.organisation_id) == (sent.message_id, Topic.SHARED_DECISION, row.hospital_id)
    assert "Å beholde mest mulig av kroppen slik den er" in message.body
    assert "Jeg heller mot: Brystbevarende operasjon med strålebehandling" in message.body
    assert message.body.endswith("Hvor lenge varer strålebehandlingen?")


def test_an_innsyn_fullmakt_holder_sees_the_pathway_but_cannot_write_to_the_coordinator(db, data, on_pathway):
    # §3.6: innsyn lets the holder view, not act.
    holder, giver = _fullmakt(data, on_pathway, "innsyn")
    now = _noon(data.reference_date)
    with Session(engine_for(db)) as session:
        assert cancer_pathways.view(session, Actor(holder, giver), now).pathways
        with pytest.raises(AccessDenied) as refused:
            cancer_pathways.share_decision_aid(session, Actor(holder, giver), ANSWERS, now)
    assert refused.value.field == "§3.6" and _messages(db, giver) == []


def test_a_holder_of_a_fullmakt_to_act_writes_on_the_givers_behalf(db, data, on_pathway):
    holder, giver = _fullmakt(data, on_pathway, "digitale_helsetjenester")
    with Session(engine_for(db)) as session:
        cancer_pathways.contact_coordinator(session, Actor(holder, giver), "Jeg skriver for min mor.", _noon(data.reference_date))
    (message,) = _messages(db, giver)
    assert (message.citizen_id, message.written_by) == (giver, holder)
