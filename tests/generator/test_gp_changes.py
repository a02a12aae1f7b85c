"""Fastlege changes: at most two a calendar year, from the 1st of a month, never overlapping (§9.1–§9.2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helsekit
from helsekit.generator.histories.common import ListRelations, list_in_force


@pytest.fixture(scope="module")
def memberships(default_db):
    data = helsekit.open(default_db)
    return data, data.gp_list_memberships.sort_values(["citizen_id", "valid_from"])


def test_nobody_changes_fastlege_more_than_twice_in_a_calendar_year(memberships):
    _, m = memberships
    changes = m[m["citizen_id"].eq(m["citizen_id"].shift())]  # every relation after a citizen's first
    assert len(changes) > 0
    assert changes.groupby(["citizen_id", changes["valid_from"].dt.year]).size().max() <= 2  # §9.1


def test_a_change_takes_effect_on_the_first_of_a_month(memberships):
    data, m = memberships
    changes = m[m["citizen_id"].eq(m["citizen_id"].shift())]
    assert (changes["valid_from"].dt.day == 1).all()  # §9.2


def test_a_citizens_list_relations_follow_each_other_without_overlap_and_only_the_last_is_open(memberships):
    data, m = memberships
    same = m["citizen_id"].eq(m["citizen_id"].shift(-1))
    assert (m.loc[same, "valid_to"] + pd.Timedelta(days=1) == m["valid_from"].shift(-1)[same]).all()
    living = m["citizen_id"].isin(data.citizens["id"])
    assert m.loc[~same & living, "valid_to"].isna().all() and m.loc[same, "valid_to"].notna().all()
    born = data.register.set_index("id")["birth_date"]
    assert (m["valid_from"].to_numpy() >= born.loc[m["citizen_id"]].to_numpy()).all()


def test_the_deceased_leave_their_list_on_the_day_of_death(memberships):
    data, m = memberships
    last = m.groupby("citizen_id").last()
    died = data.deceased.set_index("id")["death_date"]
    on_a_list = died.index.intersection(last.index)
    assert len(on_a_list) > 0.9 * len(died)
    assert (last.loc[on_a_list, "valid_to"] == died.loc[on_a_list]).all()
    assert (last.loc[on_a_list, "valid_from"] <= died.loc[on_a_list]).all()


def test_a_contact_is_with_the_list_the_citizen_was_on_that_day(memberships):
    data, m = memberships
    c = data.gp_contacts.dropna(subset=["gp_list_id"]).sample(2000, random_state=1)
    c = c.assign(day=c["start"].dt.normalize().astype("datetime64[s]"))
    m = m.assign(valid_from=m["valid_from"].astype("datetime64[s]"))
    on_day = pd.merge_asof(c.sort_values("day"), m.sort_values("valid_from"),
                           left_on="day", right_on="valid_from", by="citizen_id", direction="backward")
    known = on_day["gp_list_id_y"].notna()
    assert (on_day.loc[known, "gp_list_id_x"] == on_day.loc[known, "gp_list_id_y"]).all()


def test_list_in_force_takes_the_latest_relation_begun_by_the_day_and_the_first_before_any():
    relations = ListRelations(
        person=np.array([0, 0, 1]), valid_from=np.array(["2016-01-01", "2020-03-01", "2018-01-01"], dtype="datetime64[D]"),
        gp_list_id=np.array([5, 6, 7]), gp_office_id=np.array([50, 60, 70]), practitioner_id=np.array([-1, 2, 3]),
    )
    days = np.array(["2015-06-01", "2020-02-29", "2020-03-01", "2024-01-01", "2019-01-01"], dtype="datetime64[D]")
    lists, offices, gps = list_in_force(relations, np.array([0, 0, 0, 1, 2]), days)
    assert lists.tolist() == [5, 5, 6, 7, -1]
    assert gps.tolist() == [-1, -1, 2, 3, -1]


def test_a_change_is_asked_for_before_it_takes_effect_and_waiting_lists_take_longer(memberships):
    _, m = memberships
    asked = m[m["requested_on"].notna()]
    assert len(asked) > 0 and (asked["requested_on"] < asked["valid_from"]).all()
    direct = asked[~asked["via_waiting_list"]]
    assert ((direct["valid_from"] - direct["requested_on"]).dt.days <= 31).all()  # §9.2: from the 1st of the next month
    waited = asked[asked["via_waiting_list"]]
    assert (waited["valid_from"] - waited["requested_on"]).dt.days.mean() > 2 * (direct["valid_from"] - direct["requested_on"]).dt.days.mean()
    first = m[~m["citizen_id"].eq(m["citizen_id"].shift())]
    assert first["requested_on"].isna().all() and not first["via_waiting_list"].any()
