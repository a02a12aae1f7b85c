"""Every gallery pilot gets an evaluation on the tiny database, and `helsekit report pilot` refuses bad choices.

On `tiny` (4 GP offices, one per kommune) no pilot has 3 sites and 3 comparison sites, so every one must say it
cannot be evaluated yet, with its reasons, and give no number: that is the correct outcome there (issue #10).
The notebook itself runs in the papermill harness (tests/notebooks).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import helsekit
from helsekit.cli import main
from helsekit.evaluation import evaluate, plots, tables
from helsekit.pilots import discover


@pytest.fixture(scope="module")
def tiny(tiny_db):
    return helsekit.open(tiny_db)


def test_every_pilot_on_tiny_says_it_cannot_be_evaluated_yet_and_gives_no_number_in_its_tables_and_charts(tiny):
    for pilot in discover()[0]:
        result = evaluate.evaluate(tiny, pilot)
        assert not result.ready and result.reasons, pilot.id
        for benefit in result.results:
            assert benefit.estimate is None and benefit.verdict.startswith("Kan ikke evalueres ennå"), pilot.id
            figure = plots.metric(benefit, pilot.started)
            assert any(text.get_text() == "Syntetiske data" for text in figure.texts)
            plt.close(figure)
        assert set(tables.benefits(result)["effekt"]) <= {"kan ikke evalueres ennå"}, pilot.id
        assert len(tables.sites(result)) == len(result.pilot_sites)
        plt.close(plots.uptake(result))


def test_only_the_chosen_metrics_are_evaluated_and_all_other_offices_can_be_the_comparison(tiny):
    pilot = next(p for p in discover()[0] if p.id == "fastlegetime")
    result = evaluate.evaluate(tiny, pilot, metrics=["no_show_rate"], comparison="all")
    assert [r.metric.id for r in result.results] == ["no_show_rate"]
    offices = set(tiny.sites.loc[tiny.sites["kind"] == "gp_office", "id"])
    assert set(result.comparison_sites) == offices - set(result.pilot_sites["id"])


def test_a_pilot_at_one_gp_office_of_four_has_too_few_sites_and_gets_two_comparison_offices(tiny):
    pilot = next(p for p in discover()[0] if p.id == "fastlegetime")  # GP offices in kommune 5001: one on tiny
    result = evaluate.evaluate(tiny, pilot)
    assert len(result.pilot_sites) == 1 and len(result.comparison_sites) == 2
    assert "For få pilotsteder: 1, men minst 3 trengs." in result.reasons


def test_a_pilot_at_every_hospital_has_no_comparison_sites(tiny):
    pilot = next(p for p in discover()[0] if p.id == "sykehustimer")
    assert evaluate.evaluate(tiny, pilot).comparison_sites == []


def test_uptake_without_a_visit_log_says_how_to_make_one(tiny):
    pilot = next(p for p in discover()[0] if p.id == "fastlegetime")
    result = evaluate.evaluate(tiny, pilot)
    assert result.uptake is None and "helsekit generate-visits" in result.uptake_note


@pytest.mark.parametrize("argv, field", [
    (["report", "pilot", "ingen-slik-pilot"], "pilot"),
    (["report", "pilot", "fastlegetime", "--metrics", "lykke"], "metric"),
    (["report", "pilot", "fastlegetime", "--comparison", "naboer"], "comparison"),
    (["report", "pilot", "fastlegetime", "--from", "i går"], "from"),
])
def test_report_pilot_refuses_a_bad_choice_with_exit_2_naming_it_and_writes_nothing(argv, field, tiny_db, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(argv + ["--db", tiny_db, "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {field}") and not out.exists()


def test_fastlegetime_runs_at_enough_offices_of_the_default_database_to_be_evaluated_with_no_effect_where_none_was_planted(default_db):
    import helsekit
    from helsekit.evaluation.evaluate import evaluate

    pilot = next(p for p in discover()[0] if p.id == "fastlegetime")
    result = evaluate(helsekit.open(default_db), pilot)
    assert result.ready and not result.reasons
    for metric in result.results:  # the ordinary world has no effect: every interval holds zero
        assert metric.estimate.low < 0 < metric.estimate.high, metric.metric.id
