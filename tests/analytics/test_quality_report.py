"""The quality report's choices are checked before anything runs, and its tables say why a unit has no value."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from helsekit.analytics import indicators, quality_report
from helsekit.errors import HelsekitError


def test_without_a_period_the_report_reads_the_latest_full_year_of_the_histories(tiny_db):
    # tiny's reference date is 2025-01-01 (profiles.toml); the histories end the day before, on 31 December 2024.
    choices = quality_report.check_choices(tiny_db, "fristbrudd_somatikk")
    assert (choices.period, choices.first, choices.last) == ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert choices.breakdown == "hf"


def test_gp_indicators_have_no_health_trust_so_their_report_defaults_to_kommune(tiny_db):
    assert quality_report.check_choices(tiny_db, "andel_e_konsultasjoner").breakdown == "kommune"


@pytest.mark.parametrize(("indicator", "breakdown", "period", "field", "listed"), [
    ("ventelister", None, None, "indicator", ", ".join(indicators.catalogue())),
    ("andel_e_konsultasjoner", "hf", None, "breakdown", "site, kommune, fylke"),
    ("fristbrudd_somatikk", "national", None, "breakdown", "site, hf, rhf, kommune, fylke"),
    ("fristbrudd_somatikk", "hf", "2024-T4", "period", "2024-T1, 2024-T2, 2024-T3"),
    ("fristbrudd_somatikk", "hf", "2030", "period", "2015-01-01 – 2024-12-31"),
    ("fristbrudd_somatikk", "hf", "2024-06-30,2024-01-01", "period", "two ISO dates"),
])
def test_a_bad_choice_is_refused_naming_the_field_and_listing_the_valid_ones(tiny_db, indicator, breakdown, period, field, listed):
    with pytest.raises(HelsekitError) as error:
        quality_report.check_choices(tiny_db, indicator, breakdown, period)
    assert error.value.field == field
    assert listed in error.value.message_en
    assert error.value.message_nb


def test_a_missing_database_is_refused_naming_the_field(tmp_path):
    with pytest.raises(HelsekitError) as error:
        quality_report.check_choices(str(tmp_path / "none.db"), "fristbrudd_somatikk")
    assert error.value.field == "db"


@pytest.mark.parametrize(("period", "label", "parameter"), [
    ("2024-T2", "2. tertial 2024", "2024-T2"),
    ("2024-H1", "1. halvår 2024", "2024-H1"),
    ("2024-03-01,2024-06-30", "1. mars 2024 – 30. juni 2024", ["2024-03-01", "2024-06-30"]),
])
def test_a_period_is_named_in_bokmaal_and_passed_to_the_notebook_as_given(tiny_db, period, label, parameter):
    choices = quality_report.check_choices(tiny_db, "fristbrudd_somatikk", "rhf", period)
    assert choices.period_label == label
    assert choices.parameters() == {"db": tiny_db, "indicator": "fristbrudd_somatikk", "breakdown": "rhf", "period": parameter}


def test_the_unit_table_shows_shares_as_percentages_and_why_a_unit_has_no_value():
    table = pd.DataFrame({
        "unit_id": ["1", "2", "3"], "unit_name": ["Ås sykehus", "By sykehus", "Ny sykehus"],
        "numerator": pd.array([3, pd.NA, pd.NA], dtype="Int64"), "denominator": [40, 6, 0],
        "value": [0.075, None, None], "low": [0.0258, None, None], "high": [0.1989, None, None],
        "suppressed": [False, True, False], "reason": [None, "færre enn 10 tilfeller", "ingen data"],
        "goal_level": ["moderat", None, None],
    })
    shown = quality_report.unit_table(table, indicators.catalogue()["fristbrudd_somatikk"])
    assert shown.to_dict("records") == [
        {"Enhet": "Ås sykehus", "Tilfeller": 40, "Teller": 3, "Verdi": "7,5\u00a0%", "95 % KI": "2,6\u00a0% – 19,9\u00a0%",
         "Måloppnåelse": "moderat", "Merknad": ""},
        {"Enhet": "By sykehus", "Tilfeller": 6, "Teller": "", "Verdi": "", "95 % KI": "", "Måloppnåelse": "",
         "Merknad": "færre enn 10 tilfeller"},
        {"Enhet": "Ny sykehus", "Tilfeller": 0, "Teller": "", "Verdi": "", "95 % KI": "", "Måloppnåelse": "",
         "Merknad": "ingen data"},
    ]


def test_the_definition_spells_out_the_goal_levels_in_the_indicators_direction():
    rows = dict(quality_report.definition(indicators.catalogue()["vurdert_innen_10_virkedager"]).to_numpy())
    assert rows["Måloppnåelse"] == "høy: 95,0\u00a0% eller høyere; lav: under 90,0\u00a0%"  # goal_high 0.95, goal_low 0.90
    assert rows["Best er"] == "høyere verdi"
