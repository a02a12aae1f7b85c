"""`helsekit report visits`: a report notebook rendered to HTML without code, and bad choices refused before it runs."""

from __future__ import annotations

import html
import re
import shutil

import nbformat
import pytest

from helsekit.analytics import visit_reports
from helsekit.cli import main
from helsekit.reports import NOTEBOOK_DIR, VISIT_REPORTS

EMBEDDED_IMAGE = re.compile(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{100,}')
SCALE = 0.00002  # about 14,000 visits from 2011: seconds to generate, and every year has visits

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db(tiny_db, tmp_path_factory) -> str:
    """A copy of the tiny database without a visit log (the report makes one)."""
    copy = tmp_path_factory.mktemp("report") / "helsekit.db"
    shutil.copyfile(tiny_db, copy)
    return str(copy)


@pytest.fixture(scope="module")
def yearly_html(db, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("html") / "aarlig.html"
    assert main(["report", "visits", "--db", db, "--scale", str(SCALE), "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def _code_lines(name: str) -> list[str]:
    cells = nbformat.read(NOTEBOOK_DIR / VISIT_REPORTS[name], as_version=4).cells
    return [line for cell in cells if cell.cell_type == "code" for line in cell.source.splitlines() if line.strip()]


def test_the_yearly_report_is_html_stamped_synthetic_data_with_its_charts_embedded(yearly_html):
    assert yearly_html.lstrip().lower().startswith("<!doctype html>")
    assert "Syntetiske data" in yearly_html
    assert len(EMBEDDED_IMAGE.findall(yearly_html)) >= 3  # published vs synthetic, over time, services


def test_the_report_shows_no_code(yearly_html):
    for line in _code_lines("aarlig"):
        assert html.escape(line) not in yearly_html and line not in yearly_html, line


def test_a_missing_visit_log_is_generated_at_the_scale_asked_for(db, yearly_html):  # noqa: ARG001
    assert visit_reports.log_scale(db) == pytest.approx(SCALE, rel=0.01)


def test_the_2011_2015_report_draws_the_seed_documents_chart_by_week(db, yearly_html, tmp_path):  # noqa: ARG001
    out = tmp_path / "sesong.html"
    assert main(["report", "visits", "--notebook", "2011-2015", "--grain", "week", "--db", db, "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "15. juni 2011 – 30. september 2015" in page
    assert EMBEDDED_IMAGE.search(page)
    assert "Syntetiske data" in page
    assert "visit_reports." not in page


@pytest.mark.parametrize(("options", "field"), [
    (["--from", "2030-01-01", "--to", "2030-12-31"], "period"),
    (["--from", "2015-01-01", "--to", "2014-12-31"], "period"),
    (["--from", "2011-13-45"], "period"),
    (["--services", "innboks,tannlege"], "services"),
    (["--grain", "fortnight"], "grain"),
    (["--backend", "polars"], "backend"),
    (["--notebook", "monthly"], "notebook"),
    (["--sites", "999999"], "sites"),
    (["--scale", "1.5"], "scale"),
])
def test_a_bad_choice_exits_2_naming_the_field_and_writes_nothing(db, tmp_path, capsys, options, field):
    out = tmp_path / "report.html"
    assert main(["report", "visits", "--db", db, "--out", str(out), *options]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: ") and field in error
    assert not out.exists()


def test_a_missing_database_exits_2_naming_the_field(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", "visits", "--db", str(tmp_path / "none.db"), "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: db: ")
    assert not out.exists()
    assert not (tmp_path / "none.visits").exists()


def test_the_yearly_figures_count_each_years_visits_logins_and_app_visits_in_the_log(db, yearly_html):  # noqa: ARG001
    import pyarrow.parquet as pq

    from helsekit.storage.archive import visit_log_path

    raw = pq.read_table(visit_log_path(db), columns=["start", "logged_in", "device"]).to_pandas()
    raw["device"] = raw["device"].astype(str)
    expected = raw.groupby(raw["start"].dt.year).agg(
        visits=("start", "size"), logins=("logged_in", "sum"), app_visits=("device", lambda d: int((d == "app").sum())))
    got = visit_reports.yearly(visit_reports.open_visits(db)).set_index("year")
    assert got[["visits", "logins", "app_visits"]].to_dict() == expected.astype("int64").to_dict()
    assert got.loc[2022, "growth"] == pytest.approx(expected.loc[2022, "visits"] / expected.loc[2021, "visits"] - 1)
