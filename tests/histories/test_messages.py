"""Messages with the GP office and the influenza-vaccination notices.

Checked against the sources the threads come from (gp_contacts, prescriptions), the GP list
memberships and the register, with working days from the public-holiday list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helsekit
from helsekit.domain.calendar import public_holidays
from helsekit.generator import specs
from helsekit.storage import archive


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


@pytest.fixture(scope="module")
def messages(data):
    return data.messages


@pytest.fixture(scope="module")
def holidays(data):
    last = data.reference_date.year
    return {pd.Timestamp(d) for y in range(last - 11, last + 1) for d in public_holidays(y)}


def _office_hours(at: pd.Series, holidays: set) -> pd.Series:
    return (at.dt.day_of_week < 5) & ~at.dt.normalize().isin(holidays) & (at.dt.hour >= 8) & (at.dt.hour < 16)


def _office_on(data, citizen_id: pd.Series, day: pd.Series) -> pd.Series:
    """The GP office of each citizen's membership in force on the day (NaN: not on a list yet)."""
    memberships = data.gp_list_memberships.merge(data.gp_lists[["id", "gp_office_id"]], left_on="gp_list_id", right_on="id")
    memberships = memberships.assign(valid_from=memberships["valid_from"].astype("datetime64[ns]")).sort_values("valid_from")
    asked = pd.DataFrame({"citizen_id": citizen_id.to_numpy(), "day": day.dt.normalize().astype("datetime64[ns]").to_numpy(),
                          "row": np.arange(len(day))}).sort_values("day")
    found = pd.merge_asof(asked, memberships[["citizen_id", "valid_from", "valid_to", "gp_office_id"]], left_on="day",
                          right_on="valid_from", by="citizen_id")
    ended = found["valid_to"].notna() & (found["day"] > found["valid_to"])
    return found.assign(gp_office_id=found["gp_office_id"].where(~ended)).sort_values("row")["gp_office_id"].reset_index(drop=True)


def test_ids_follow_the_citizen_and_threads_are_numbered_in_order(messages):
    assert messages["message_id"].is_unique
    assert (messages["thread_id"] // 10_000 == messages["citizen_id"]).all()
    assert (messages["message_id"] // 10 == messages["thread_id"]).all()
    number = messages["message_id"] % 10
    by_thread = messages.assign(number=number).sort_values(["thread_id", "number"])
    threads = by_thread.groupby("thread_id")
    assert (by_thread["number"] == threads.cumcount()).all()  # 0, 1, 2 … within each thread
    assert (threads["sent_at"].diff().dropna() >= pd.Timedelta(0)).all()
    assert (by_thread.groupby("thread_id")[["citizen_id", "gp_office_id", "topic"]].nunique() == 1).all().all()
    key = messages[["citizen_id", "sent_at"]]
    assert key.equals(key.sort_values(["citizen_id", "sent_at"], kind="stable"))


def test_no_message_before_birth_or_listing_on_or_after_death_or_outside_the_window(data, messages):
    people = data.register.set_index("id")
    born = messages["citizen_id"].map(people["birth_date"])
    died = messages["citizen_id"].map(people["death_date"])
    assert (messages["sent_at"].dt.normalize() >= born).all()
    assert (died.isna() | (messages["sent_at"] < died)).all()
    assert died.notna().sum() > 0
    assert (messages["sent_at"] < data.reference_date).all()
    assert (messages["sent_at"] >= data.reference_date - pd.DateOffset(years=10)).all()
    first_listed = data.gp_list_memberships.groupby("citizen_id")["valid_from"].min()
    assert (messages["sent_at"].dt.normalize() >= messages["citizen_id"].map(first_listed)).all()


def test_every_thread_is_with_the_office_the_citizen_was_listed_with_the_day_it_began(data, messages):
    first = messages[messages["message_id"] % 10 == 0]
    office = _office_on(data, first["citizen_id"], first["sent_at"])
    assert (office.to_numpy() == first["gp_office_id"].to_numpy()).all()
    # The rest of the thread stays with that office (the thread test checks one office per thread).


def test_every_e_consultation_gets_an_answer_from_the_office_on_a_working_day(data, messages, holidays):
    c = data.gp_contacts
    people = data.register.set_index("id")
    first_listed = data.gp_list_memberships.groupby("citizen_id")["valid_from"].min()
    e = c[(c["kind"] == "e_consultation") & c["gp_office_id"].notna()]
    died = e["citizen_id"].map(people["death_date"])
    settled = (e["start"] < data.reference_date - pd.Timedelta(days=10)) & (died.isna() | (died > e["start"] + pd.Timedelta(days=10)))
    e = e[settled & (e["start"].dt.normalize() >= e["citizen_id"].map(first_listed))]
    assert len(e) > 10_000
    threads = messages[messages["topic"] == "e_konsultasjon"]
    assert threads["contact_id"].notna().all()
    number = threads["message_id"] % 10
    asked = threads[number == 0].set_index("contact_id")
    answered = threads[number == 1].set_index("contact_id")
    assert e["contact_id"].isin(answered.index).all()
    assert (asked.loc[e["contact_id"], "sent_at"].to_numpy() == e["start"].to_numpy()).all()
    assert (asked["sender"] == "innbygger").all() and (answered["sender"] == "legekontor").all()
    assert (answered["sent_at"] > asked.loc[answered.index, "sent_at"]).all()
    assert _office_hours(answered["sent_at"], holidays).all()
    # Within a few working days: at most 3 working days after the day it was sent, one more if sent after closing.
    holiday_days = np.array(sorted(holidays), dtype="datetime64[D]")
    waited = np.busday_count(asked.loc[answered.index, "sent_at"].to_numpy().astype("datetime64[D]"),
                             answered["sent_at"].to_numpy().astype("datetime64[D]"), holidays=holiday_days)
    assert waited.max() <= 4
    # The fastlege in the thread is the one the contact was with.
    gp = c.set_index("contact_id")["practitioner_id"].reindex(answered.index)
    assert (answered["practitioner_id"].fillna(-1).to_numpy() == gp.fillna(-1).to_numpy()).all()


def test_follow_ups_alternate_between_citizen_and_office(messages, holidays):
    threads = messages[messages["topic"] == "e_konsultasjon"]
    number = threads["message_id"] % 10
    assert (threads.loc[number % 2 == 0, "sender"] == "innbygger").all()
    assert (threads.loc[number % 2 == 1, "sender"] == "legekontor").all()
    assert _office_hours(threads.loc[number % 2 == 1, "sent_at"], holidays).all()
    with_follow_up = threads.loc[number == 2, "thread_id"].nunique() / threads.loc[number == 0, "thread_id"].nunique()
    assert with_follow_up == pytest.approx(specs.load("messages")["e_consultation"]["follow_up_share"], abs=0.02)


def test_reception_questions_are_answered_by_the_office_and_grew_with_helsenorge_messaging(messages, holidays):
    reception = messages[messages["topic"] == "kontakt_legekontoret"]
    number = reception["message_id"] % 10
    assert (reception.loc[number == 0, "sender"] == "innbygger").all()
    answers = reception[number == 1]
    assert (answers["sender"] == "legekontor").all() and answers["practitioner_id"].isna().all()
    assert _office_hours(answers["sent_at"], holidays).all()
    asked = reception[number == 0]["sent_at"].dt.year.value_counts()
    assert asked[2021] / asked[2020] == pytest.approx(2.53, rel=0.2)  # domain-facts §13.5: messaging +153 % 2020→2021


def test_renewal_requests_are_for_portal_renewals_and_answered_on_the_day_the_prescription_is_written(data, messages, holidays):
    rx = data.prescriptions.set_index("prescription_id")
    threads = messages[messages["topic"] == "fornyelse_resept"]
    assert len(threads) > 1000 and threads["prescription_id"].notna().all()
    renewed = rx.loc[threads["prescription_id"].astype("int64")]
    assert (renewed["renewal"] == "portal").all()  # "Forny resept" on Helsenorge (§10.6)
    assert (renewed["citizen_id"].to_numpy() == threads["citizen_id"].to_numpy()).all()
    assert (renewed["prescriber_office_id"].to_numpy() == threads["gp_office_id"].to_numpy()).all()
    number = threads["message_id"] % 10
    asked, answered = threads[number == 0].set_index("thread_id"), threads[number == 1].set_index("thread_id")
    assert (asked["sender"] == "innbygger").all() and (answered["sender"] == "legekontor").all()
    written = rx.loc[answered["prescription_id"].astype("int64"), "prescribed_on"].to_numpy()
    assert (answered["sent_at"].dt.normalize().to_numpy() == written).all()
    assert ((answered["sent_at"].dt.hour >= 8) & (answered["sent_at"].dt.hour < 16)).all()
    assert (asked.loc[answered.index, "sent_at"] < answered["sent_at"]).all()
    # Most portal renewals in the window have their request (not those written before the citizen was listed or the window).
    portal = rx[(rx["renewal"] == "portal") & (rx["prescribed_on"] >= data.reference_date - pd.DateOffset(years=9))]
    assert portal.index.isin(threads["prescription_id"]).mean() > 0.95


def test_each_gp_office_publishes_one_influenza_notice_each_autumn(data):
    notices = data.gp_notices
    last = data.reference_date.year - 1
    years = range(last - 9, last + 1)
    assert notices["notice_id"].is_unique
    offices = set(data.gp_lists["gp_office_id"])
    assert set(notices["gp_office_id"]) == offices
    published = notices["published_on"]
    assert sorted(zip(notices["gp_office_id"], published.dt.year)) == sorted((o, y) for o in offices for y in years)
    assert ((published.dt.month == 10) & (published.dt.day <= 14)).all()
    assert (notices["valid_to"] > published).all() and (notices["valid_to"].dt.year == published.dt.year).all()
    assert (notices["kind"] == "influensavaksine").all()
    assert all(str(y) in title for y, title in zip(published.dt.year, notices["title"]))
    # Every block stores the notices of its offices: the copies are the same row.
    stored = archive.read(data.db, "gp_notices").to_pandas()
    assert len(stored) > len(notices)
    assert len(stored.drop_duplicates()) == len(notices)


def test_the_influenza_notice_goes_to_listed_citizens_65_and_over_each_autumn(data, messages):
    notices = data.gp_notices.set_index("notice_id")
    varsel = messages[messages["topic"] == "varsel"]
    assert (varsel["sender"] == "legekontor").all() and varsel["practitioner_id"].isna().all()
    sent_notice = notices.loc[varsel["notice_id"].astype("int64")]
    assert (sent_notice["gp_office_id"].to_numpy() == varsel["gp_office_id"].to_numpy()).all()
    assert (sent_notice["published_on"].to_numpy() == varsel["sent_at"].dt.normalize().to_numpy()).all()
    year = varsel["sent_at"].dt.year
    assert not pd.DataFrame({"c": varsel["citizen_id"], "y": year}).duplicated().any()  # one a year

    # Everyone alive today who was 65 or over on the notice day of their office and listed then got it.
    people = data.citizens.set_index("id")
    first_listed = data.gp_list_memberships.groupby("citizen_id")["valid_from"].min()
    last = data.reference_date.year - 1
    for y in (last - 9, last - 4, last):
        october = pd.Series(pd.Timestamp(f"{y}-10-01"), index=people.index)
        office = _office_on(data, people.index.to_series(), october).set_axis(people.index)
        day = pd.Series(office.map(notices[notices["published_on"].dt.year == y].set_index("gp_office_id")["published_on"]), index=people.index)
        born = people["birth_date"]
        age = day.dt.year - born.dt.year - ((day.dt.month < born.dt.month) | ((day.dt.month == born.dt.month) & (day.dt.day < born.dt.day)))
        due = people.index[(age >= 65) & office.notna() & (people.index.map(first_listed) <= october)]
        assert len(due) > 1000
        got = set(varsel.loc[year == y, "citizen_id"])
        assert set(due) <= got, y

    # Those under 65 who got it are in a risk group: a prescription for a risk drug valid on the day.
    under = varsel.assign(day=varsel["sent_at"].dt.normalize()).merge(data.register[["id", "birth_date"]], left_on="citizen_id", right_on="id")
    born, day = under["birth_date"], under["day"]
    under = under[(day.dt.year - born.dt.year - ((day.dt.month < born.dt.month) | ((day.dt.month == born.dt.month) & (day.dt.day < born.dt.day)))) < 65]
    assert len(under) > 100
    rx = data.prescriptions[data.prescriptions["atc_code"].isin(specs.load("messages")["influenza"]["risk_atc"])]
    cover = under.merge(rx, on="citizen_id")
    valid = (cover["prescribed_on"] <= cover["day"]) & (cover["day"] <= cover["valid_until"]) & ~(cover["discontinued_on"] <= cover["day"])
    assert set(under["message_id"]) == set(cover.loc[valid, "message_id"])
