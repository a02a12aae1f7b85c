"""The hospital record panel (helsekit.widgets.records.HospitalRecordPanel), built without a browser on a
sandbox copy of the tiny database.

Expected documents come from the raw history rows (``hospital_documents``), reads from the live log of
reads (``kjernejournal.reads``), refusals from the service itself; never from the widget.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

import helsekit
from helsekit.errors import HelsekitError
from helsekit.services import access, hospital_record, kjernejournal
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.common import esc
from helsekit.widgets.records import AccessLogTable, HospitalRecordPanel, document_table

from widget_support import ESCAPED, HOSTILE, sessions


@pytest.fixture(scope="module")
def data(tiny_db):
    return helsekit.open(tiny_db)


def reference_now(db: str) -> dt.datetime:
    with Session(engine_for(db)) as session:
        return access.reference_now(session)


def shown_documents(data, now: dt.datetime) -> pd.DataFrame:
    """The raw documents Helsenorge shows on ``now`` (visible_from passed), newest approval first."""
    docs = data.hospital_documents
    return docs[docs["visible_from"].notna() & (docs["visible_from"] <= pd.Timestamp(now))].sort_values(
        ["approved_at", "document_id"], ascending=False)


@pytest.fixture(scope="module")
def reader(data, tiny_db) -> int:
    """An adult with a consent level and hospital documents shown on the reference date."""
    profiles = data.helsenorge_profiles
    consenting = set(profiles.loc[profiles["consent_level"].isin(["basis", "full"]), "citizen_id"])
    adults = set(data.citizens.loc[(data.citizens["age"] >= 20) & (data.citizens["address_protection"] == "none"), "id"])
    with_docs = shown_documents(data, reference_now(tiny_db))["citizen_id"]
    return int(next(c for c in with_docs if c in consenting and c in adults))


def own_reads(db: str, subject: int, record: str) -> int:
    with Session(engine_for(db)) as session:
        return sum(r.record == record for r in kjernejournal.reads(session, subject))


def test_opening_the_hospital_record_lands_once_in_the_log_of_use_shown_below(work, reader):
    log = AccessLogTable(sessions(work), Actor(reader))
    panel = HospitalRecordPanel(sessions(work), Actor(reader), log_table=log)
    row = "<td>Helsenorge</td><td>pasientjournal</td>"
    before_rows, before_reads = log.table.value.count(row), own_reads(work, reader, "pasientjournal")
    assert panel.content.value == "" and own_reads(work, reader, "pasientjournal") == before_reads  # shown, not yet opened
    panel.open_button.click()
    assert own_reads(work, reader, "pasientjournal") == before_reads + 1
    assert log.table.value.count(row) == before_rows + 1
    assert "Pasientjournalen er åpnet" in panel.status.value


def test_the_documents_are_shown_newest_first_with_kind_hospital_and_author(work, data, reader):
    panel = HospitalRecordPanel(sessions(work), Actor(reader))
    panel.open_record()
    now = reference_now(work)
    mine = shown_documents(data, now)
    mine = mine[mine["citizen_id"] == reader]
    table = panel.content.value
    positions = [table.index(f"<td>{d.approved_at:%d.%m.%Y}</td><td>{d.kind[:1].upper() + d.kind[1:]}</td>") for d in mine.head(50).itertuples()]
    assert positions == sorted(positions) and len(positions) == min(len(mine), 50)
    first = panel.open_record().documents[0]
    assert f"<td>{esc(first.hospital_name)}</td><td>{esc(first.author_name)}</td>" in panel.content.value


def test_a_parent_of_a_child_under_16_sees_the_bokmal_refusal_and_no_documents_and_no_read_is_logged(work, data):
    pairs = data.parental_access
    pair = pairs[(pairs["child_age"] < 16) & (pairs["access"] == "full") & pairs["foreldreansvar"] & pairs["parent_at_childs_address"]].iloc[0]
    actor = Actor(int(pair.parent_id), int(pair.child_id))
    with Session(engine_for(work)) as session, pytest.raises(HelsekitError) as refused:
        hospital_record.view(session, actor, access.reference_now(session))
    log = AccessLogTable(sessions(work), actor)
    shown_log = log.table.value
    panel = HospitalRecordPanel(sessions(work), actor, log_table=log)
    before = own_reads(work, actor.subject, "pasientjournal")
    assert panel.open_record() is None
    assert esc(refused.value.message_nb) in panel.status.value and "§5.3" in panel.status.value
    assert panel.content.value == "" and log.table.value == shown_log
    assert own_reads(work, actor.subject, "pasientjournal") == before


def test_a_panel_nobody_has_logged_in_to_asks_for_a_log_in_and_reads_nothing(work, reader):
    panel = HospitalRecordPanel(sessions(work))
    before = own_reads(work, reader, "pasientjournal")
    assert panel.open_record() is None and "Logg inn først." in panel.status.value
    assert own_reads(work, reader, "pasientjournal") == before


def test_hostile_text_in_a_document_is_shown_escaped():
    at = dt.datetime(2024, 5, 2, 10)
    odd = hospital_record.HospitalDocument(1, HOSTILE, 2, HOSTILE, at, at, at, HOSTILE, 3, None)
    shown = document_table(hospital_record.HospitalRecordView(9, [odd]))
    assert HOSTILE not in shown and shown.count(f"<td>{ESCAPED}</td>") == 3  # kind, hospital and author


def test_a_long_record_shows_the_newest_documents_and_says_how_many_there_are():
    at = dt.datetime(2024, 5, 2, 10)
    docs = [hospital_record.HospitalDocument(i, "epikrise", 2, "Sykehus", at, at, at, "Lege", 3, None) for i in range(7)]
    shown = document_table(hospital_record.HospitalRecordView(9, docs), shown=5)
    assert shown.count("<tr><td>") == 5 and "Viser de 5 nyeste av 7 dokumenter." in shown
