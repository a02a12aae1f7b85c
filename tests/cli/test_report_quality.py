"""`helsekit report quality`: the quality-indicator report rendered to HTML without code, and bad choices
refused before it runs."""

from __future__ import annotations

import html
import re

import nbformat
import pytest

from helsekit.analytics import indicators
from helsekit.cli import main
from helsekit.reports import NOTEBOOK_DIR

EMBEDDED_IMAGE = re.compile(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{100,}')

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tiny_db, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("quality") / "vurdert.html"
    assert main(["report", "quality", "--indicator", "vurdert_innen_10_virkedager", "--breakdown", "rhf",
                 "--period", "2024", "--db", tiny_db, "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_the_report_is_html_stamped_synthetic_data_with_the_funnel_and_the_ranked_chart_embedded(report):
    assert report.lstrip().lower().startswith("<!doctype html>")
    assert "Syntetiske data" in report
    assert len(EMBEDDED_IMAGE.findall(report)) == 2  # the funnel plot and the ranked chart


def test_the_report_names_the_indicator_and_spells_out_tolkes_med_varsomhet(report):
    assert html.escape(indicators.catalogue()["vurdert_innen_10_virkedager"].name) in report
    assert "tolkes med varsomhet" in report.lower()
    for reason in ("Tilfeldig variasjon", "Pasientsammensetning", "Koding og registrering"):
        assert reason in report


def test_the_report_shows_no_code(report):
    cells = nbformat.read(NOTEBOOK_DIR / "quality_indicators.ipynb", as_version=4).cells
    code = [line for cell in cells if cell.cell_type == "code" for line in cell.source.splitlines() if line.strip()]
    for line in code:
        assert html.escape(line) not in report and line not in report, line


@pytest.mark.parametrize(("options", "field"), [
    (["--indicator", "ventelister"], "indicator"),
    (["--indicator", "andel_e_konsultasjoner", "--breakdown", "rhf"], "breakdown"),
    (["--indicator", "fristbrudd_somatikk", "--period", "2024-T4"], "period"),
    (["--indicator", "fristbrudd_somatikk", "--period", "1999"], "period"),
])
def test_a_bad_choice_exits_2_listing_the_valid_ones_and_writes_nothing(tiny_db, tmp_path, capsys, options, field):
    out = tmp_path / "report.html"
    assert main(["report", "quality", "--db", tiny_db, "--out", str(out), *options]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"error: {field} ")
    assert "choose" in error or "give" in error  # the valid choices, or the valid forms of a period
    assert not out.exists()
