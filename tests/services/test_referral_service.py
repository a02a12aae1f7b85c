"""Henvisninger: Full tilgang needed (§3.5), two tabs (§6.2), the status on the day (§6.1), the rights
text of the phase (§6.4, §6.5, §7.1) and the referral's own appointments."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from helsekit.errors import InvalidInput
from helsekit.generator import specs
from helsekit.services import referrals
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage.database import engine_for

CLOSED = {"Avsluttet", "Avvist", "Videresendt"}  # §6.1: closed by the hospital, rejected, or forwarded


def _consenting(data, level: str) -> pd.Series:
    return data.helsenorge_profiles.loc[data.helsenorge_profiles["consent_level"] == level, "citizen_id"]


@pytest.fixture(scope="module")
def refs(data):
    """Referrals of citizens with Full tilgang, with the age at receipt."""
    r = data.referrals[data.referrals["citizen_id"].isin(_consenting(data, "full"))]
    born = r["citizen_id"].map(data.citizens.set_index("id")["birth_date"])
    return r.assign(age_at_receipt=(r["received_on"] - born).dt.days // 365.25)


def _noon(day) -> dt.datetime:
    return dt.datetime.combine(pd.Timestamp(day).date(), dt.time(12))


def _fullmakt_from(data, level: str) -> tuple[int, int]:
    """(holder, giver) of a fullmakt in force on the reference date from a giver with this consent level."""
    f, day = data.fullmakter, data.reference_date
    citizens = data.citizens.set_index("id")
    ok = (f["valid_from"] <= day) & (f["valid_to"].isna() | (f["valid_to"] >= day)) & f["giver_id"].isin(_consenting(data, level))
    ok &= f["giver_id"].map(citizens["address_protection"]).eq("none") & f["holder_id"].map(citizens["address_protection"]).eq("none")
    ok &= f["giver_id"].map(citizens["age"]).ge(17) & f["holder_id"].map(citizens["age"]).ge(19)
    row = f[ok].iloc[0]
    return int(row.holder_id), int(row.giver_id)


def test_a_fullmakt_holder_with_basis_consent_cannot_see_referrals(default_db, data):
    # §3.5: Henvisninger needs Full tilgang, and a holder never gets more than the giver has (§3.1).
    holder, giver = _fullmakt_from(data, "basis")
    with Session(engine_for(default_db)) as session:
        with pytest.raises(AccessDenied) as refused:
            referrals.view(session, Actor(holder, giver), _noon(data.reference_date))
    assert refused.value.field == "§3.5"


def test_a_fullmakt_holder_for_a_giver_with_full_consent_sees_the_referrals(default_db, data):
    holder, giver = _fullmakt_from(data, "full")
    with Session(engine_for(default_db)) as session:
        seen = referrals.view(session, Actor(holder, giver), _noon(data.reference_date))
    assert len(seen.active) + len(seen.closed) == int((data.referrals["citizen_id"] == giver).sum())


def test_closed_referrals_are_in_their_own_tab_and_the_status_is_the_archives(default_db, data, refs):
    both = refs.assign(closed=refs["status"].isin(CLOSED)).groupby("citizen_id")["closed"].nunique()
    subject = int(both.index[both == 2][0])
    with Session(engine_for(default_db)) as session:
        seen = referrals.view(session, Actor(subject), _noon(data.reference_date))
    archive = refs[refs["citizen_id"] == subject].set_index("referral_id")["status"]
    assert {r.referral_id: r.status for r in seen.active + seen.closed} == archive.to_dict()
    assert seen.closed and all(r.status in CLOSED for r in seen.closed)
    assert seen.active and all(r.status not in CLOSED for r in seen.active)


def test_the_status_is_the_latest_reached_by_the_day(default_db, data, refs):
    done = refs[refs["status"] == "Avsluttet"].iloc[0]
    steps = data.referral_statuses[data.referral_statuses["referral_id"] == done.referral_id]
    third = steps.iloc[2]
    with Session(engine_for(default_db)) as session:
        seen = referrals.view(session, Actor(int(done.citizen_id)), _noon(third["at"]))
    shown = next(r for r in seen.active if r.referral_id == done.referral_id)
    assert shown.status == third["status"] and [h.status for h in shown.history] == list(steps["status"].iloc[:3])


def test_a_referral_not_yet_received_is_not_shown(default_db, refs):
    r = refs.iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = referrals.view(session, Actor(int(r.citizen_id)), _noon(r.received_on - pd.Timedelta(days=1)))
    assert r.referral_id not in {x.referral_id for x in seen.active + seen.closed}


def _rights(default_db, r, day) -> list[referrals.RightsText]:
    with Session(engine_for(default_db)) as session:
        seen = referrals.view(session, Actor(int(r.citizen_id)), _noon(day))
    return list(next(x for x in seen.active + seen.closed if x.referral_id == r.referral_id).rights)


def test_a_referral_waiting_for_assessment_tells_of_the_10_working_days_and_fritt_behandlingsvalg(default_db, refs):
    adult = refs[(refs["sector"] == "somatikk") & (refs["assessed_on"] > refs["received_on"])].iloc[0]
    rights = _rights(default_db, adult, adult.received_on)
    assert [t.key for t in rights] == ["til_vurdering", "fritt_behandlingsvalg"]
    assert "10 virkedager" in rights[0].text_nb and "§6.4" in rights[0].source and "§7.1" in rights[1].source


def test_one_under_23_referred_to_mental_health_care_is_told_of_the_65_day_rule(default_db, refs):
    young = refs[refs["sector"].isin(["psykisk_helsevern_voksne", "tsb"]) & (refs["age_at_receipt"] < 22)
                 & (refs["assessed_on"] > refs["received_on"])].iloc[0]
    older = refs[refs["sector"].isin(["psykisk_helsevern_voksne", "tsb"]) & (refs["age_at_receipt"] > 30)
                 & (refs["assessed_on"] > refs["received_on"])].iloc[0]
    assert any("65 virkedager" in t.text_nb for t in _rights(default_db, young, young.received_on))
    assert not any("65 virkedager" in t.text_nb for t in _rights(default_db, older, older.received_on))


def test_a_right_to_care_shows_the_legal_deadline(default_db, refs):
    given = refs[(refs["status"] == "Time tildelt") & (refs["outcome"] == "rett_til_helsehjelp")].iloc[0]
    day = given.legal_deadline
    rights = _rights(default_db, given, given.assessed_on)
    assert rights[0].key == "rett_til_helsehjelp" and f"{day.day:02d}.{day.month:02d}.{day.year}" in rights[0].text_nb


def test_a_missed_deadline_shows_the_fristbrudd_rights_and_when_helfo_was_told(default_db, refs):
    # §6.5: care not started by the legal deadline; Helfo finds another provider, Fristbruddtelefonen 23 32 70 03.
    late = refs[refs["fristbrudd"] & refs["helfo_notified_on"].notna() & (refs["start_of_care"] > refs["helfo_notified_on"])].iloc[0]
    before_helfo = _rights(default_db, late, late.legal_deadline + pd.Timedelta(days=1)) if late.helfo_notified_on > late.legal_deadline + pd.Timedelta(days=1) else None
    after_helfo = _rights(default_db, late, late.helfo_notified_on)
    assert [t.key for t in after_helfo] == ["fristbrudd", "helfo_varslet"]
    assert "23 32 70 03" in after_helfo[0].text_nb and "§6.5" in after_helfo[0].source
    if before_helfo is not None:
        assert [t.key for t in before_helfo] == ["fristbrudd"]
    started = _rights(default_db, late, late.start_of_care)
    assert "fristbrudd" not in [t.key for t in started]


def test_a_rejected_referral_tells_of_fornyet_vurdering_and_statsforvalteren(default_db, data, refs):
    rejected = refs[refs["status"] == "Avvist"].iloc[0]
    rights = _rights(default_db, rejected, data.reference_date)
    assert [t.key for t in rights] == ["avvist"]
    assert "fornyet vurdering" in rights[0].text_nb and "Statsforvalteren" in rights[0].text_nb


def test_the_linked_appointments_are_the_referrals_own_and_the_names_are_shown(default_db, data, refs):
    visited = refs[refs["referral_id"].isin(data.hospital_appointments["referral_id"]) & refs["referred_by_id"].notna()].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = referrals.view(session, Actor(int(visited.citizen_id)), _noon(data.reference_date))
    shown = next(x for x in seen.active + seen.closed if x.referral_id == visited.referral_id)
    own = data.hospital_appointments.loc[data.hospital_appointments["referral_id"] == visited.referral_id, "appointment_id"]
    assert sorted(a.appointment_id for a in shown.appointments) == sorted(own)
    organisations = data.organisations.set_index("id")["name"]
    gp = data.practitioners.set_index("id").loc[int(visited.referred_by_id)]
    assert shown.hospital_name == organisations[visited.hospital_id]
    assert shown.referrer_name == f"{gp.given_name} {gp.family_name}"


def test_the_overview_gets_the_active_referrals_only(default_db, data, refs):
    both = refs.assign(closed=refs["status"].isin(CLOSED)).groupby("citizen_id")["closed"].nunique()
    subject = int(both.index[both == 2][0])
    with Session(engine_for(default_db)) as session:
        listed = referrals.statuses_for_overview(session, subject, data.reference_date.date())
    active = refs[(refs["citizen_id"] == subject) & ~refs["status"].isin(CLOSED)]
    assert {s.referral_id: s.status for s in listed} == active.set_index("referral_id")["status"].to_dict()


def test_every_rights_text_names_its_domain_facts_source():
    for key, text in specs.load("referral_rights")["texts"].items():
        assert text["source"].startswith("domain-facts §"), key


def test_each_shown_referral_names_the_treatment_the_archive_gives_it_in_bokmal(default_db, data):
    names = {t["id"]: t["name"] for t in specs.load("treatments")["treatment"]}
    subject = int(data.referrals["citizen_id"].iloc[len(data.referrals) // 2])
    with Session(engine_for(default_db)) as session:
        seen = referrals.view(session, Actor(subject), _noon(data.reference_date))
    archive = data.referrals.set_index("referral_id")["treatment"]
    shown = seen.active + seen.closed
    assert shown
    for r in shown:
        assert r.treatment == archive[r.referral_id] and r.treatment_name == names[r.treatment]


def test_an_archive_from_before_referrals_named_their_treatment_still_shows_the_referrals(tiny_db, tmp_path):
    import shutil

    import pyarrow.parquet as pq

    from helsekit.storage import archive

    db = tmp_path / "helsekit.db"
    shutil.copy(tiny_db, db)
    shutil.copytree(archive.archive_path(tiny_db), archive.archive_path(str(db)))
    for part in (archive.archive_path(str(db)) / "referrals").glob("part-*.parquet"):
        pq.write_table(pq.read_table(part).drop_columns(["treatment"]), part)
    shown = []
    with Session(engine_for(str(db))) as session:
        for subject in sorted(set(pq.read_table(archive.archive_path(tiny_db) / "referrals", columns=["citizen_id"])["citizen_id"].to_pylist())):
            try:
                seen = referrals.view(session, Actor(subject), _noon(dt.date(2025, 1, 1)))
            except (AccessDenied, InvalidInput):  # a child, a consent level below Full tilgang (§3.5), or died
                continue
            shown += seen.active + seen.closed
    assert shown and all(r.treatment is None and r.treatment_name is None for r in shown)
