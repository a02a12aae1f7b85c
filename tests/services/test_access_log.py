"""Who has seen my data: health personnel's lookups as shown on the day (§4.8, §5.3) and the reads on
Min helse by name (§3.8), newest first; not for a parent of a 12–15-year-old (§3.2)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from helsekit.services import access_log, kjernejournal
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage.database import engine_for


@pytest.fixture(scope="module")
def log(data):
    """Log entries of citizens of 30 or more who may see their own access log."""
    profiles = data.helsenorge_profiles
    adults = data.citizens.loc[data.citizens["age"] >= 30, "id"]
    allowed = profiles.loc[profiles["consent_level"].isin(["basis", "full"]) & profiles["citizen_id"].isin(adults), "citizen_id"]
    return data.access_log[data.access_log["citizen_id"].isin(allowed)]


def _entry(seen: access_log.AccessLogView, at: pd.Timestamp, record: str) -> list[access_log.LogEntry]:
    return [e for e in seen.entries if e.source == access_log.HEALTH_PERSONNEL and e.at == at.to_pydatetime() and e.record == record]


def test_the_person_in_a_log_entry_is_hidden_for_seven_days(default_db, log):
    # §4.8: the kjernejournal log shows the organisation at once and the person's name after a week.
    row = log[(log["record"] == "kjernejournal") & (log["organisation_visible_from"] == log["accessed_at"])
              & (log["person_visible_from"] == log["accessed_at"] + pd.Timedelta(days=7))].iloc[0]
    subject = Actor(int(row.citizen_id))
    with Session(engine_for(default_db)) as session:
        next_day = access_log.view(session, subject, (row.accessed_at + pd.Timedelta(days=1)).to_pydatetime())
        a_week_on = access_log.view(session, subject, (row.accessed_at + pd.Timedelta(days=7)).to_pydatetime())
    [early] = _entry(next_day, row.accessed_at, "kjernejournal")
    [late] = _entry(a_week_on, row.accessed_at, "kjernejournal")
    assert early.organisation_name is not None and early.person_name is None
    assert late.person_name is not None and late.organisation_name == early.organisation_name
    assert late.reason == row.reason


def test_a_hospital_record_lookup_is_left_out_until_its_seven_days_have_passed(default_db, log):
    # §5.3: a log entry of the hospital record appears 7 days after the lookup.
    row = log[(log["record"] == "pasientjournal") & (log["organisation_visible_from"] == log["accessed_at"] + pd.Timedelta(days=7))].iloc[0]
    subject = Actor(int(row.citizen_id))
    with Session(engine_for(default_db)) as session:
        early = access_log.view(session, subject, (row.accessed_at + pd.Timedelta(days=6)).to_pydatetime())
        later = access_log.view(session, subject, (row.accessed_at + pd.Timedelta(days=7)).to_pydatetime())
    assert _entry(early, row.accessed_at, "pasientjournal") == []
    assert len(_entry(later, row.accessed_at, "pasientjournal")) == 1


def test_the_log_shows_every_lookup_shown_by_the_day_newest_first(default_db, data, log):
    subject = int(log["citizen_id"].value_counts().index[0])
    now = dt.datetime(2025, 1, 1, 12)
    mine = log[log["citizen_id"] == subject]
    shown = (mine["organisation_visible_from"] <= pd.Timestamp(now)) | (mine["person_visible_from"] <= pd.Timestamp(now))
    with Session(engine_for(default_db)) as session:
        seen = access_log.view(session, Actor(subject), now)
        newest = access_log.view(session, Actor(subject), now, limit=10)
    assert len(seen.entries) == int(shown.sum())
    assert [e.at for e in seen.entries] == sorted((e.at for e in seen.entries), reverse=True)
    assert newest.entries == seen.entries[:10]


def test_a_parents_read_of_a_childs_kjernejournal_is_in_the_childs_log_by_name(db, data):
    access = data.parental_access
    pair = access[(access["child_age"] == 9) & (access["access"] == "full")].iloc[0]
    parent, child = int(pair.parent_id), int(pair.child_id)
    read_at, looked_at = dt.datetime(2025, 1, 1, 9, 30), dt.datetime(2025, 1, 1, 9, 45)
    with Session(engine_for(db)) as session:
        kjernejournal.view(session, Actor(parent, child), read_at)
        seen = access_log.view(session, Actor(parent, child), looked_at)
    person = data.citizens.set_index("id").loc[parent]
    portal = [e for e in seen.entries if e.source == access_log.MIN_HELSE]
    assert [(e.at, e.record, e.person_name, e.basis) for e in portal] == [
        (read_at, "kjernejournal", f"{person.given_name} {person.family_name}", "parent")]


def test_a_parent_cannot_see_a_13_year_olds_access_log(default_db, data):
    access = data.parental_access
    pair = access[(access["child_age"] == 13) & (access["access"] == "begrenset")].iloc[0]
    with Session(engine_for(default_db)) as session:
        with pytest.raises(AccessDenied) as refused:
            access_log.view(session, Actor(int(pair.parent_id), int(pair.child_id)), dt.datetime(2025, 1, 1, 12))
    assert refused.value.field == "§3.2"
