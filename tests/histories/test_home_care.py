"""Hjemmetjenester (issue #9): recipients by age as home_care.toml's shares, mostly elderly; every recipient's plan
repeats week by week, done before the reference date and planned from it; messages are with recipients, begun by
the home-care service, replies after their thread's first message."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import helsekit
from helsekit.generator import specs

SPEC = specs.load("home_care")


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


def test_the_share_of_recipients_by_age_is_the_specs_and_most_are_elderly(data):
    people = data.citizens[["id", "birth_date"]].copy()
    reference = pd.Timestamp(data.reference_date)
    born = people["birth_date"]
    people["age"] = reference.year - born.dt.year - ((born.dt.month > reference.month) | ((born.dt.month == reference.month) & (born.dt.day > reference.day)))
    people["recipient"] = people["id"].isin(set(data.home_care_visits["citizen_id"]))
    bounds = SPEC["recipients"]["age_from"] + [200]
    for low, high, share in zip(bounds, bounds[1:], SPEC["recipients"]["share"]):
        group = people[(people["age"] >= low) & (people["age"] < high)]
        got, sd = group["recipient"].mean(), math.sqrt(share * (1 - share) / len(group))
        assert abs(got - share) < 4 * sd + 0.002, (low, got, share)
    assert people.loc[people["recipient"], "age"].ge(67).mean() > 0.5


def test_every_plan_repeats_each_week_with_its_number_of_visits(data):
    visits = data.home_care_visits
    reference = pd.Timestamp(data.reference_date)
    plan = SPEC["plan"]
    first_monday = reference - pd.Timedelta(days=reference.day_of_week) - pd.Timedelta(weeks=plan["weeks_before"] - 1)
    full = visits[(visits["starts_at"] >= first_monday) & (visits["starts_at"] < first_monday + pd.Timedelta(weeks=plan["weeks_before"] + plan["weeks_after"] - 2))]
    full = full.assign(week=(full["starts_at"] - first_monday).dt.days // 7, slot=full["starts_at"].dt.day_of_week * 86400
                       + full["starts_at"].dt.hour * 3600 + full["starts_at"].dt.minute * 60)
    per_week = full.groupby(["citizen_id", "week"]).agg(n=("visit_id", "size"), plan=("visits_per_week", "first"))
    assert (per_week["n"] == per_week["plan"]).all()
    patterns = full.groupby(["citizen_id", "week"])["slot"].apply(lambda s: tuple(sorted(s))).groupby("citizen_id").nunique()
    assert (patterns == 1).all()
    assert set(visits["visits_per_week"]) <= set(plan["visits_per_week"])


def test_visits_before_the_reference_date_are_done_and_from_it_planned(data):
    visits = data.home_care_visits
    reference = pd.Timestamp(data.reference_date)
    coming = visits["starts_at"] >= reference
    assert coming.any() and (~coming).any()
    assert (visits.loc[coming, "status"] == "planlagt").all() and (visits.loc[~coming, "status"] == "utført").all()
    minutes = dict(zip(SPEC["services"]["names"], SPEC["services"]["minutes"]))
    assert (visits["minutes"] == visits["service"].map(minutes)).all()


def test_messages_are_with_recipients_begun_by_the_service_and_replies_follow_their_first_message(data):
    messages, reference = data.home_care_messages, pd.Timestamp(data.reference_date)
    assert len(messages) > 100
    assert messages["citizen_id"].isin(set(data.home_care_visits["citizen_id"])).all()
    assert (messages["sent_at"] < reference).all()
    first = messages[messages["message_id"] == messages["thread_id"]]
    assert (first["sender"] == "hjemmetjenesten").all()
    replies = messages[messages["message_id"] != messages["thread_id"]].merge(first[["message_id", "sent_at"]], left_on="thread_id",
                                                                             right_on="message_id", suffixes=("", "_first"))
    assert len(replies) and (replies["sender"] == "innbygger").all()
    assert np.all(replies["sent_at"] > replies["sent_at_first"])
