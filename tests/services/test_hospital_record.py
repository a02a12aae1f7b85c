"""Pasientjournal: documents shown from 24 h after approval where the region shows them (§5.1, §5.3),
never on behalf of a child under 16 (§5.3), and every read (only a read) in the subject's log."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session, select

from helsekit.domain.record_reads import RecordRead
from helsekit.services import hospital_record
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage.database import engine_for


@pytest.fixture(scope="module")
def docs(data):
    """Documents of citizens of 30 or more who may use the hospital record themselves."""
    profiles = data.helsenorge_profiles
    adults = data.citizens.loc[data.citizens["age"] >= 30, "id"]
    allowed = profiles.loc[profiles["consent_level"].isin(["basis", "full"]) & profiles["citizen_id"].isin(adults), "citizen_id"]
    return data.hospital_documents[data.hospital_documents["citizen_id"].isin(allowed)]


def _reads(session: Session, subject: int) -> list[RecordRead]:
    return list(session.exec(select(RecordRead).where(RecordRead.subject_id == subject).order_by(RecordRead.id)).all())


def test_a_parent_cannot_open_a_childs_hospital_record(db, data):
    # §5.3: no digital access to the hospital record on behalf of a child under 16, even under 12.
    access = data.parental_access
    pair = access[(access["child_age"] == 10) & (access["access"] == "full")].iloc[0]
    with Session(engine_for(db)) as session:
        with pytest.raises(AccessDenied) as refused:
            hospital_record.view(session, Actor(int(pair.parent_id), int(pair.child_id)), dt.datetime(2025, 1, 1, 12))
        assert _reads(session, int(pair.child_id)) == []
    assert refused.value.field == "§5.3"


def test_every_hospital_record_read_is_in_the_subjects_log(db, data):
    f, day = data.fullmakter, data.reference_date
    profiles = data.helsenorge_profiles.set_index("citizen_id")["consent_level"]
    citizens = data.citizens.set_index("id")
    ok = (f["valid_from"] <= day) & f["valid_to"].isna() & f["giver_id"].map(profiles).isin(["basis", "full"])
    ok &= f["giver_id"].map(citizens["address_protection"]).eq("none") & f["holder_id"].map(citizens["address_protection"]).eq("none")
    ok &= f["giver_id"].map(citizens["age"]).ge(17) & f["holder_id"].map(citizens["age"]).ge(19)
    mandate = f[ok].iloc[0]
    giver, holder = int(mandate.giver_id), int(mandate.holder_id)
    first, second = dt.datetime(2025, 1, 1, 9, 15), dt.datetime(2025, 1, 1, 10, 40)
    with Session(engine_for(db)) as session:
        hospital_record.view(session, Actor(giver), first)
        hospital_record.view(session, Actor(holder, giver), second)
        log = _reads(session, giver)
    assert [(r.actor_id, r.basis, r.record, r.read_at) for r in log] == [
        (giver, "self", "pasientjournal", first), (holder, "fullmakt", "pasientjournal", second)]


def test_a_document_is_not_shown_before_24_hours_after_approval(db, docs):
    doc = docs[docs["visible_from"] == docs["approved_at"] + pd.Timedelta(hours=24)].iloc[0]
    subject = int(doc.citizen_id)
    almost = (doc.approved_at + pd.Timedelta(hours=24) - pd.Timedelta(minutes=1)).to_pydatetime()
    with Session(engine_for(db)) as session:
        before = hospital_record.view(session, Actor(subject), almost)
        after = hospital_record.view(session, Actor(subject), almost + dt.timedelta(minutes=1))
    assert doc.document_id not in {d.document_id for d in before.documents}
    assert doc.document_id in {d.document_id for d in after.documents}


def test_a_document_the_region_did_not_show_is_never_shown(db, data, docs):
    hidden = docs[docs["approved_at"].notna() & docs["visible_from"].isna()].iloc[0]
    with Session(engine_for(db)) as session:
        seen = hospital_record.view(session, Actor(int(hidden.citizen_id)), dt.datetime(2025, 1, 1, 12))
    assert hidden.document_id not in {d.document_id for d in seen.documents}
    shown = docs[(docs["citizen_id"] == hidden.citizen_id) & (docs["visible_from"] <= data.reference_date + pd.Timedelta(hours=12))]
    assert sorted(d.document_id for d in seen.documents) == sorted(shown["document_id"])


def test_a_document_names_its_hospital_and_author_newest_approval_first(db, data, docs):
    subject = int(docs.loc[docs["visible_from"].notna(), "citizen_id"].value_counts().index[0])
    with Session(engine_for(db)) as session:
        seen = hospital_record.view(session, Actor(subject), dt.datetime(2025, 1, 1, 12))
    organisations = data.organisations.set_index("id")["name"]
    staff = data.practitioners.set_index("id")
    rows = docs.set_index("document_id")
    for d in seen.documents:
        author = staff.loc[rows.loc[d.document_id, "author_id"]]
        assert d.hospital_name == organisations[rows.loc[d.document_id, "hospital_id"]]
        assert d.author_name == f"{author.given_name} {author.family_name}"
    assert [d.approved_at for d in seen.documents] == sorted((d.approved_at for d in seen.documents), reverse=True)
