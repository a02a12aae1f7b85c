"""Kjernejournal on Min helse: a parent reads a young child's, is refused a 13-year-old's, and every
read (and nothing else) lands in the subject's log of reads."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

import helsekit
from helsekit.services import kjernejournal
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage.database import engine_for


def _pair(data, low, high):
    access = data.parental_access
    profiles = data.helsenorge_profiles.set_index("citizen_id")
    ok = access[(access["child_age"] >= low) & (access["child_age"] <= high) & (access["access"] != "ingen")]
    return next((int(r.parent_id), int(r.child_id)) for r in ok.itertuples()
                if r.parent_id in profiles.index)


def test_a_parent_reads_a_10_year_olds_kjernejournal_and_the_read_is_logged(db):
    data = helsekit.open(db)
    parent, child = _pair(data, 10, 10)
    now = dt.datetime.combine(data.reference_date.date(), dt.time(9, 30))
    with Session(engine_for(db)) as session:
        seen = kjernejournal.view(session, Actor(parent, child), now)
        assert seen.subject_id == child
        expected = data.critical_information[data.critical_information["citizen_id"] == child]
        assert len(seen.critical_information) == len(expected)
        log = kjernejournal.reads(session, child)
    assert [(r.actor_id, r.basis, r.record, r.read_at) for r in log] == [(parent, "parent", "kjernejournal", now)]


def test_a_parent_is_refused_a_13_year_olds_kjernejournal_and_nothing_is_logged(db):
    data = helsekit.open(db)
    parent, child = _pair(data, 13, 13)
    now = dt.datetime.combine(data.reference_date.date(), dt.time(9, 30))
    with Session(engine_for(db)) as session:
        with pytest.raises(AccessDenied) as refused:
            kjernejournal.view(session, Actor(parent, child), now)
        assert refused.value.field == "§3.2" and "12–15" in refused.value.message_nb
        assert kjernejournal.reads(session, child) == []
