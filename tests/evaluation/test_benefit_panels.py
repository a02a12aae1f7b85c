"""Benefit metrics per site and month, recomputed by hand from the history tables of the tiny database."""

from __future__ import annotations

import pandas as pd
import pytest

import helsekit
from helsekit.evaluation import benefits


@pytest.fixture(scope="module")
def tiny(tiny_db):
    return helsekit.open(tiny_db)


def _row(panel, site, month):
    return panel[(panel["site_id"] == site) & (panel["month"] == pd.Timestamp(month))].iloc[0]


def test_phone_bookings_per_listed_counts_phone_booked_consultations_over_citizens_listed_on_the_15th(tiny):
    site = int(tiny.sites[tiny.sites["kind"] == "gp_office"]["id"].min())
    c = tiny.gp_contacts
    by_phone = ((c["gp_office_id"] == site) & (c["kind"] == "consultation") & (c["booking_channel"] == "phone")
                & (c["start"] >= "2020-03-01") & (c["start"] < "2020-04-01")).sum()
    lists = tiny.gp_lists.loc[tiny.gp_lists["gp_office_id"] == site, "id"]
    m = tiny.gp_list_memberships
    day = pd.Timestamp("2020-03-15")
    listed = (m["gp_list_id"].isin(lists) & (m["valid_from"] <= day) & (m["valid_to"].isna() | (m["valid_to"] >= day))).sum()
    row = _row(benefits.panel(tiny, "phone_bookings_per_listed"), site, "2020-03-01")
    assert (row["numerator"], row["denominator"]) == (by_phone, listed)


def test_no_show_rate_is_no_shows_over_all_booked_consultations(tiny):
    site = int(tiny.sites[tiny.sites["kind"] == "gp_office"]["id"].max())
    c = tiny.gp_contacts
    year = c[(c["gp_office_id"] == site) & (c["kind"] == "consultation") & (c["start"] >= "2022-01-01") & (c["start"] < "2023-01-01")]
    panel = benefits.panel(tiny, "no_show_rate")
    rows = panel[(panel["site_id"] == site) & (panel["month"].dt.year == 2022)]
    assert rows["numerator"].sum() == (year["status"] == "no_show").sum()
    assert rows["denominator"].sum() == len(year)  # attended, no-show and cancelled alike


def test_days_from_referral_to_care_are_summed_per_hospital_and_month_received(tiny):
    r = tiny.referrals
    started = r[r["start_of_care"].notna() & (pd.to_datetime(r["start_of_care"]) < tiny.reference_date)]
    first = started.sort_values("received_on").iloc[0]
    month = pd.Timestamp(first["received_on"]).to_period("M").to_timestamp()
    same = started[(started["hospital_id"] == first["hospital_id"]) & (pd.to_datetime(started["received_on"]).dt.to_period("M").dt.to_timestamp() == month)]
    days = (pd.to_datetime(same["start_of_care"]) - pd.to_datetime(same["received_on"])).dt.days.sum()
    row = _row(benefits.panel(tiny, "referral_to_care_days", "hospital"), int(first["hospital_id"]), month)
    assert (row["numerator"], row["denominator"]) == (days, len(same))


def test_an_unknown_metric_is_refused_naming_the_field(tiny):
    with pytest.raises(Exception) as error:
        benefits.panel(tiny, "lykke")
    assert getattr(error.value, "field", None) == "metric"
