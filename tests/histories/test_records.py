"""Hospital record documents and the access log: who may look, when it is shown (§4.5–§4.8, §5.1–§5.3).

Rules are checked against independent data: birth and death dates from the citizen register, the
citizens' reservations from their Helsenorge profiles, employers from the practitioner register,
regions from the organisations, kommuner and fylker, and the appointments and consultations.
"""

from __future__ import annotations

import pandas as pd
import pytest

import helsekit

DAY, WEEK = pd.Timedelta(days=1), pd.Timedelta(days=7)
KJERNEJOURNAL_OPEN = pd.Timestamp("2017-03-01")  # §4.5: open nationwide
SOR_OST_DOCUMENTS_FROM = pd.Timestamp("2018-10-15")  # §5.3
VEST_SOMATIC_LOG_FROM = pd.Timestamp("2016-03-01")  # §5.3


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def people(data):
    """Everyone in the register, the deceased included, by citizen id."""
    return data.register.set_index("id")[["birth_date", "death_date"]]


@pytest.fixture(scope="module")
def documents(data, people):
    d = data.hospital_documents.join(people, on="citizen_id")
    d["sixteen"] = d["birth_date"] + pd.DateOffset(years=16)
    return d


@pytest.fixture(scope="module")
def log(data, people):
    return data.access_log.join(people, on="citizen_id")


def region_of_organisation(data) -> pd.Series:
    """Each organisation's health region, through its kommune and fylke."""
    fylke = data.kommuner.set_index("number")["fylke_number"]
    region = data.fylker.set_index("number")["region"]
    return data.organisations.set_index("id")["kommune_number"].map(fylke).map(region)


def test_there_are_documents_and_lookups_of_every_kind(data):
    kinds = set(data.hospital_documents["kind"])
    assert {"poliklinisk notat", "epikrise", "brev til pasient", "behandlingsplan"} <= kinds  # §5.2
    assert set(data.access_log["record"]) == {"kjernejournal", "pasientjournal"}
    assert data.hospital_documents["document_id"].is_unique
    assert data.access_log["entry_id"].is_unique


@pytest.mark.parametrize("table, column", [("hospital_documents", "written_at"), ("hospital_documents", "approved_at"),
                                           ("access_log", "accessed_at")])
def test_nothing_happens_before_birth_from_the_day_of_death_or_from_the_reference_date(data, people, table, column):
    frame = getattr(data, table).join(people, on="citizen_id").dropna(subset=[column])
    assert len(frame) > 1000
    assert (frame[column] >= frame["birth_date"]).all()
    assert (frame[column] < data.reference_date).all()
    died = frame.dropna(subset=["death_date"])
    assert (died[column] < died["death_date"]).all()


def test_tables_are_sorted_by_citizen_then_time(data):
    for frame, column in ((data.hospital_documents, "written_at"), (data.access_log, "accessed_at")):
        order = frame.sort_values(["citizen_id", column], kind="stable")
        assert order.index.equals(frame.index)


def test_documents_appear_24_hours_after_approval(documents, data):
    shown = documents.dropna(subset=["visible_from"])
    assert len(shown) > 1000
    assert (shown["visible_from"] >= shown["approved_at"] + DAY).all()
    adults = shown[shown["approved_at"] + DAY >= shown["sixteen"]]
    assert (adults["visible_from"] == adults["approved_at"] + DAY).all()  # §5.3
    assert documents.loc[documents["approved_at"].isna(), "visible_from"].isna().all()
    assert (documents["approved_at"].dropna() >= documents.dropna(subset=["approved_at"])["written_at"]).all()


def test_a_child_sees_documents_only_from_the_16th_birthday(documents):
    shown = documents.dropna(subset=["visible_from"])
    assert (shown["visible_from"] >= shown["sixteen"]).all()  # §5.3: no digital access for children under 16
    written_as_child = shown[shown["approved_at"] + DAY < shown["sixteen"]]
    assert len(written_as_child) > 50
    assert (written_as_child["visible_from"] == written_as_child["sixteen"]).all()  # at 16, older documents too


def test_documents_are_shown_only_where_and_when_the_region_showed_them(documents, data):
    region = documents["hospital_id"].map(region_of_organisation(data))
    sor_ost = documents[region == "Sør-Øst"]
    assert len(sor_ost) > 1000
    before = sor_ost["written_at"] < SOR_OST_DOCUMENTS_FROM
    assert before.any() and sor_ost.loc[before, "visible_from"].isna().all()
    after = sor_ost[~before & sor_ost["approved_at"].notna() & sor_ost["death_date"].isna()]
    assert after["visible_from"].notna().all()


def test_nothing_is_shown_to_the_deceased(documents, log):
    for frame, columns in ((documents, ["visible_from"]), (log, ["organisation_visible_from", "person_visible_from"])):
        died = frame.dropna(subset=["death_date"])
        for column in columns:
            shown = died.dropna(subset=[column])
            assert (shown[column] < shown["death_date"]).all()  # §5.4: through Norsk helsearkiv


def test_no_kjernejournal_lookup_for_a_citizen_who_reserved_or_blocked_personnel(data):
    profiles = data.helsenorge_profiles
    closed = set(profiles.loc[profiles["kj_reserved"] | profiles["kj_block_health_personnel"], "citizen_id"])
    assert len(closed) > 10
    kj = data.access_log[data.access_log["record"] == "kjernejournal"]
    assert not kj["citizen_id"].isin(closed).any()  # §4.7
    assert data.access_log.loc[data.access_log["citizen_id"].isin(closed), "record"].eq("pasientjournal").any()


def test_no_kjernejournal_lookup_before_it_opened_nationwide(data):
    kj = data.access_log[data.access_log["record"] == "kjernejournal"]
    assert len(kj) > 1000
    assert (kj["accessed_at"] >= KJERNEJOURNAL_OPEN).all()  # §4.5


def test_the_person_behind_a_kjernejournal_lookup_is_shown_after_one_week(log):
    kj = log[log["record"] == "kjernejournal"]
    assert (kj["organisation_visible_from"] == kj["accessed_at"]).all()  # §4.8: the organisation at once
    living = kj[kj["death_date"].isna()]
    assert (living["person_visible_from"] == living["accessed_at"] + WEEK).all()


def test_hospital_record_lookups_appear_in_the_log_after_7_days(log, data):
    pj = log[log["record"] == "pasientjournal"]
    assert (pj["organisation_visible_from"].isna() == pj["person_visible_from"].isna()).all()
    shown = pj.dropna(subset=["person_visible_from"])
    assert len(shown) > 1000
    assert (shown["organisation_visible_from"] == shown["person_visible_from"]).all()
    assert (shown["person_visible_from"] >= shown["accessed_at"] + WEEK).all()  # §5.3
    adults = shown[shown["accessed_at"] + WEEK >= shown["birth_date"] + pd.DateOffset(years=16)]
    assert (adults["person_visible_from"] == adults["accessed_at"] + WEEK).all()
    vest = pj[pj["organisation_id"].map(region_of_organisation(data)) == "Vest"]
    assert vest.loc[vest["accessed_at"] < VEST_SOMATIC_LOG_FROM, "person_visible_from"].isna().all()


def test_lookups_are_made_by_staff_of_the_hospital_or_the_fastlege(data):
    staff = data.practitioners.set_index("id")
    employer = staff[["organisation_id", "role"]].rename(columns={"organisation_id": "organisation_id_of_practitioner"})
    log = data.access_log.join(employer, on="practitioner_id")
    assert (log["organisation_id"] == log["organisation_id_of_practitioner"]).all()
    kind = data.organisations.set_index("id")["kind"]
    at = log["organisation_id"].map(kind)
    assert at[log["record"] == "pasientjournal"].eq("hospital").all()
    assert at[log["record"] == "kjernejournal"].isin(["hospital", "gp_office"]).all()
    assert log.loc[at == "gp_office", "role"].eq("fastlege").all()
    assert log.loc[at == "hospital", "role"].isin(["lege", "sykepleier", "forløpskoordinator"]).all()


def test_the_fastlege_looks_in_the_kjernejournal_only_at_an_attended_consultation(data):
    kj = data.access_log[(data.access_log["record"] == "kjernejournal")]
    kj = kj[kj["organisation_id"].map(data.organisations.set_index("id")["kind"]) == "gp_office"].sort_values("accessed_at")
    gp = data.gp_contacts
    seen = gp[(gp["status"] == "attended") & (gp["kind"] == "consultation")].sort_values("start")
    matched = pd.merge_asof(kj, seen[["citizen_id", "start", "gp_office_id", "practitioner_id"]], left_on="accessed_at",
                            right_on="start", by="citizen_id", direction="backward", tolerance=pd.Timedelta(minutes=15))
    assert len(matched) > 1000
    assert (matched["gp_office_id"] == matched["organisation_id"]).all()
    assert (matched["practitioner_id_y"] == matched["practitioner_id_x"]).all()
    share = len(kj) / len(seen[seen["start"] >= KJERNEJOURNAL_OPEN])
    assert 0.05 < share < 0.5


def test_documents_are_written_by_doctors_and_nurses_of_the_hospital(data):
    d = data.hospital_documents.join(data.practitioners.set_index("id")[["organisation_id", "profession"]], on="author_id")
    assert (d["organisation_id"] == d["hospital_id"]).all()
    assert d["profession"].isin(["lege", "sykepleier"]).all()
    assert d.loc[d["kind"].isin(["epikrise", "behandlingsplan", "operasjonsbeskrivelse dagkirurgi"]), "profession"].eq("lege").all()


def test_every_attended_appointment_has_a_note_and_the_record_is_opened_that_day(data, people):
    a = data.hospital_appointments.join(people, on="citizen_id")
    attended = a[(a["status"] == "attended") & (a["death_date"].isna() | (a["start"] < a["death_date"]))]
    notes = data.hospital_documents[data.hospital_documents["kind"] == "poliklinisk notat"]
    assert attended["appointment_id"].isin(notes["appointment_id"]).all()
    day = lambda frame, column: frame["citizen_id"].astype(str) + "/" + frame[column].dt.strftime("%Y-%m-%d")  # noqa: E731
    pj = data.access_log[data.access_log["record"] == "pasientjournal"]
    assert day(attended, "start").isin(set(day(pj, "accessed_at"))).all()
    assert notes["written_at"].dt.normalize().eq(notes["appointment_id"].map(attended.set_index("appointment_id")["start"]).dt.normalize()).all()


def test_hospital_staff_work_on_working_days_in_working_hours(data):
    staff_at = [data.hospital_documents["written_at"], data.hospital_documents["approved_at"].dropna(),
                data.access_log.loc[data.access_log["organisation_id"].map(data.organisations.set_index("id")["kind"]) == "hospital", "accessed_at"]]
    for at in staff_at:
        assert (at.dt.day_of_week < 5).all()
        minutes = at.dt.hour * 60 + at.dt.minute
        assert ((minutes >= 8 * 60) & (minutes < 16 * 60)).all()
        assert not at.dt.strftime("%m-%d").isin(["01-01", "05-01", "05-17", "12-25", "12-26"]).any()


def test_a_few_lookups_have_no_treatment_relation(data):
    """Lookups by hospital staff with no appointment or document at that hospital within two weeks (§4.8: misuse analyses)."""
    log = data.access_log
    hospital = log[log["organisation_id"].map(data.organisations.set_index("id")["kind"]) == "hospital"]
    a = data.hospital_appointments
    events = pd.concat([
        a.loc[a["status"] == "attended", ["citizen_id", "hospital_id", "start"]].rename(columns={"start": "at"}),
        data.hospital_documents[["citizen_id", "hospital_id", "written_at"]].rename(columns={"written_at": "at"}),
    ]).rename(columns={"hospital_id": "organisation_id"}).sort_values("at")
    events["event_at"] = events["at"]
    matched = pd.merge_asof(hospital.sort_values("accessed_at"), events, left_on="accessed_at", right_on="at",
                            by=["citizen_id", "organisation_id"], direction="nearest", tolerance=pd.Timedelta(days=14))
    unrelated = matched["event_at"].isna()
    assert 0 < unrelated.sum() < 0.01 * len(matched)
    per_person_year = unrelated.sum() / (len(data.citizens) * 10)
    assert 0.0003 < per_person_year < 0.003
