"""Parental representation (§3.1, §3.2, §3.7): by the child's age and whether a parent lives at the child's address."""

from __future__ import annotations

import numpy as np
import pytest

import helsekit
from helsekit.domain.representation import parental_access


def one(age, foreldreansvar=True, at_address=True, child_protected=False, parent_protected=False) -> str:
    return str(parental_access(np.array([age]), np.array([foreldreansvar]), np.array([at_address]),
                               np.array([child_protected]), np.array([parent_protected]))[0])


@pytest.mark.parametrize("age, expected", [(0, "full"), (11, "full"), (12, "begrenset"), (15, "begrenset"), (16, "ingen"), (40, "ingen")])
def test_access_follows_the_childs_age(age, expected):
    assert one(age) == expected


def test_without_a_parent_at_the_childs_address_neither_parent_may_act():
    assert one(5, at_address=False) == "ingen"


def test_a_parent_without_foreldreansvar_may_not_act():
    assert one(5, foreldreansvar=False) == "ingen"


def test_nobody_acts_for_or_as_a_person_with_a_confidential_address():
    assert one(5, child_protected=True) == "ingen"
    assert one(5, parent_protected=True) == "ingen"


def test_both_parents_with_foreldreansvar_may_act_for_a_young_child_when_one_lives_with_it(tiny_db):
    data = helsekit.open(tiny_db)
    access = data.parental_access
    people = data.citizens.set_index("id")
    young = access[(access["child_age"] < 12) & access["foreldreansvar"]].copy()
    assert len(young) > 0
    home = people["household_id"]
    lives_with = young.assign(here=home.loc[young["parent_id"]].to_numpy() == home.loc[young["child_id"]].to_numpy())
    someone_home = lives_with.groupby("child_id")["here"].transform("any")
    protected = people["address_protection"] != "none"
    open_pair = ~protected.loc[young["child_id"]].to_numpy() & ~protected.loc[young["parent_id"]].to_numpy()
    expected = np.where(someone_home & open_pair, "full", "ingen")
    assert (young["access"].to_numpy() == expected).all()
    assert (access.loc[access["child_age"] >= 16, "access"] == "ingen").all()
    assert (access.loc[~access["foreldreansvar"], "access"] == "ingen").all()
