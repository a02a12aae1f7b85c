"""The frikort panel (helsekit.widgets.copayments), built without a browser on the tiny database.

Expected amounts come from the raw history rows (``copayments``, ``frikort``) and the egenandelstak of
domain-facts §2.2, never from the widget; they are written the Norwegian way here ("3 165 kr", with
non-breaking spaces) to check the page does the same.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from traitlets import TraitError

import helsekit
from helsekit.services import copayments
from helsekit.services.actors import Actor
from helsekit.widgets.copayments import SOURCE_NB, FrikortPanel, YearShown, source_table

from widget_support import ESCAPED, HOSTILE, sessions

CEILING_2024 = 3165  # domain-facts §2.2
SEPTEMBER = dt.datetime(2024, 9, 30, 12)


def nok(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


@pytest.fixture(scope="module")
def data(tiny_db):
    return helsekit.open(tiny_db)


@pytest.fixture(scope="module")
def viewers(data) -> pd.Series:
    """Adults whose Helsenorge consent lets them see their own egenandeler (§3.5)."""
    profiles = data.helsenorge_profiles
    grown = data.citizens.loc[data.citizens["age"] >= 20, "id"]
    return profiles.loc[profiles["consent_level"].isin(["basis", "full"]) & profiles["citizen_id"].isin(grown), "citizen_id"]


def paid_between(data, start: str, end: str) -> pd.DataFrame:
    rows = data.copayments
    return rows[(rows["date"] >= start) & (rows["date"] <= end)]


def top_payer(data, viewers: pd.Series) -> int:
    """Of the viewers, the one with the most payments from January to September 2024."""
    paid = paid_between(data, "2024-01-01", "2024-09-30")
    return int(paid.loc[paid["citizen_id"].isin(viewers), "citizen_id"].value_counts().index[0])


def test_the_bar_shows_what_counted_toward_this_years_ceiling_and_what_is_left(tiny_db, data, viewers):
    paid = paid_between(data, "2024-01-01", "2024-09-30")
    totals = paid[paid["citizen_id"].isin(viewers)].groupby("citizen_id")["charged"].sum()
    subject = int(totals.index[(totals > 1000) & (totals < CEILING_2024)][0])
    counted = int(totals[subject])
    panel = FrikortPanel(sessions(tiny_db), Actor(subject), now=SEPTEMBER)
    shown = panel.progress.value
    assert panel.status.value == "" and panel.year.value == 2024
    assert f"Betalt i 2024: {nok(counted)}." in shown and f"Egenandelstak: {nok(CEILING_2024)}." in shown
    assert f"Igjen til frikort: {nok(CEILING_2024 - counted)}." in shown
    assert f'aria-valuemax="{CEILING_2024}" aria-valuenow="{counted}"' in shown


def test_the_years_egenandeler_are_shown_per_source_with_their_sum(tiny_db, data, viewers):
    paid = paid_between(data, "2023-01-01", "2023-12-31")
    subject = int(paid.loc[paid["citizen_id"].isin(viewers), "citizen_id"].value_counts().index[0])  # the most payments
    mine = paid[paid["citizen_id"] == subject]
    panel = FrikortPanel(sessions(tiny_db), Actor(subject), now=SEPTEMBER)
    panel.year.value = 2023
    table = panel.sources.value
    for source, rows in mine.groupby("source"):
        cells = (SOURCE_NB[source], len(rows), nok(int(rows["egenandel"].sum())), nok(int(rows["charged"].sum())))
        assert "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>" in table
    assert f"<td><b>{nok(int(mine['charged'].sum()))}</b></td>" in table
    assert "Betalt i 2023:" in panel.progress.value and "Igjen til frikort" not in panel.progress.value


def test_the_curve_has_a_dot_per_day_with_payments_giving_the_years_total_so_far(tiny_db, data, viewers):
    paid = paid_between(data, "2024-01-01", "2024-09-30")
    subject = top_payer(data, viewers)
    daily = paid[paid["citizen_id"] == subject].groupby("date")["charged"].sum().cumsum()
    panel = FrikortPanel(sessions(tiny_db), Actor(subject), now=SEPTEMBER)
    drawn = panel.curve.value
    assert drawn.count('class="hk-frikort-step"') == len(daily)
    for on, total in daily.items():
        assert f"<title>{on:%d.%m.%Y}: {nok(int(total))}</title>" in drawn
    assert f"Egenandelstak {nok(CEILING_2024)}" in drawn


def test_every_earlier_year_with_payments_is_in_the_years_table(tiny_db, data, viewers):
    subject = int(data.copayments.loc[data.copayments["citizen_id"].isin(viewers), "citizen_id"].iloc[0])
    mine = paid_between(data, "2000-01-01", "2024-09-30")
    mine = mine[mine["citizen_id"] == subject]
    panel = FrikortPanel(sessions(tiny_db), Actor(subject), now=SEPTEMBER)
    for year, charged in mine.groupby(mine["date"].dt.year)["charged"].sum().items():
        assert f"<tr><td>{year}</td>" in panel.history.value and f"<td>{nok(int(charged))}</td>" in panel.history.value
    assert [year for _, year in panel.year.options] == sorted({2024, *mine["date"].dt.year}, reverse=True)


def test_a_citizen_with_a_frikort_sees_it_from_the_day_it_was_reached(tiny_db, data, viewers):
    cards = data.frikort
    card = cards[(cards["year"] == 2024) & cards["citizen_id"].isin(viewers) & (cards["refund"] > 0)].iloc[0]
    panel = FrikortPanel(sessions(tiny_db), Actor(int(card.citizen_id)), now=dt.datetime(2024, 12, 31, 12))
    shown = panel.progress.value
    assert f"Du har frikort fra {card.reached_on:%d.%m.%Y}." in shown and "Igjen til frikort" not in shown
    assert f"{nok(int(card.refund))} (innen {card.refund_by:%d.%m.%Y})" in shown
    before = FrikortPanel(sessions(tiny_db), Actor(int(card.citizen_id)), now=(card.reached_on - pd.Timedelta(days=1)).to_pydatetime())
    assert "frikort fra" not in before.progress.value and "Igjen til frikort" in before.progress.value


def test_a_child_under_16_shown_to_a_parent_sees_the_exemption_and_no_bar(tiny_db, data):
    pairs = data.parental_access
    pair = pairs[(pairs["child_age"] < 16) & (pairs["access"] == "full")].iloc[0]
    panel = FrikortPanel(sessions(tiny_db), Actor(int(pair.parent_id), int(pair.child_id)))
    assert panel.status.value == ""
    assert "Barn under 16 år betaler ikke egenandel" in panel.progress.value and "hk-frikort-bar" not in panel.progress.value
    assert panel.curve.value == ""


def test_an_actor_the_policy_refuses_sees_the_bokmal_refusal_and_no_amounts(tiny_db, data, viewers):
    me = top_payer(data, viewers)
    stranger = int(viewers[viewers != me].iloc[0])
    panel = FrikortPanel(sessions(tiny_db), Actor(me), now=SEPTEMBER)
    assert all("kr" in part.value for part in (panel.progress, panel.curve, panel.sources, panel.history))
    panel.show(Actor(me, stranger))
    assert "Ikke tillatt" in panel.status.value and panel.view is None
    assert panel.progress.value == panel.curve.value == panel.sources.value == panel.history.value == ""
    assert panel.year.options == () and panel.year.layout.display == "none"


def test_a_year_the_selector_never_offered_is_refused(tiny_db, viewers):
    panel = FrikortPanel(sessions(tiny_db), Actor(int(viewers.iloc[0])))
    shown = panel.progress.value
    with pytest.raises(TraitError):
        panel.year.value = 1999
    panel.show_year(1999)
    assert "Velg et år fra listen." in panel.status.value and panel.progress.value == shown


def test_a_source_name_the_panel_does_not_know_is_shown_escaped():
    odd = copayments.SourceTotal(HOSTILE, 1, 100, 100)
    year = YearShown(2024, CEILING_2024, 100, None, False, (odd,))
    shown = source_table(year)
    assert HOSTILE not in shown and ESCAPED in shown
