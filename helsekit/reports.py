"""Rendered reports: a report notebook run with papermill and written as self-contained HTML without code.

``helsekit report visits`` checks the analyst's choices first (nothing is run or written for a bad one),
makes the visit log when it is missing, executes the notebook (the executed copy is kept in
``reports/output/executed/reports/`` for debugging) and writes the HTML, charts embedded as images, to
``reports/output/<notebook>.html`` unless told where: ``reports/output/`` holds every generated file
and is not kept in git (reports/README.md). ``helsekit report quality`` does the same for the
quality-indicator report (:func:`render_quality`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from helsekit import config
from helsekit.analytics import visit_reports
from helsekit.errors import HelsekitError, InvalidOption

#: The visit reports by the name the CLI takes: the seed document's chart, and the yearly overview.
VISIT_REPORTS = {"2011-2015": "visits_2011_2015.ipynb", "aarlig": "visits_yearly.ipynb"}
#: Each report's own default period (None: the whole log).
DEFAULT_PERIODS = {"2011-2015": ("2011-06-15", "2015-09-30"), "aarlig": (None, None)}
NOTEBOOK_DIR = config.PROJECT_ROOT / "notebooks" / "reports"
OUTPUT_DIR = config.REPORTS_DIR / "output"
KERNEL_NAME = "python3"


def _say(message: str) -> None:
    print(f"report: {message}", file=sys.stderr, flush=True)


def notebook_for(name: str) -> Path:
    """The notebook of the visit report ``name``; an unknown name is refused listing the known ones."""
    if name not in VISIT_REPORTS:
        raise InvalidOption(f"notebook {name!r} is unknown; choose one of: {', '.join(VISIT_REPORTS)}",
                            f"Rapporten {name!r} finnes ikke; velg en av: {', '.join(VISIT_REPORTS)}.", "notebook")
    return NOTEBOOK_DIR / VISIT_REPORTS[name]


def to_html(executed: Path) -> str:
    """An executed notebook as one HTML page without code: inputs and prompts left out, images embedded,
    no MathJax or require.js fetched from outside."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True, mathjax_url="", require_js_url="")
    body, _resources = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    return body


def render_visits(name: str = "aarlig", *, db: str | None = None, period_from=None, period_to=None,
                  granularity: str | None = None, services=None, sites=None, scale: float | None = None,
                  backend: str = "duckdb", out: str | Path | None = None, progress: bool = True) -> Path:
    """Run the visit report ``name`` (:data:`VISIT_REPORTS`) with the given choices and write its HTML.

    Every choice is checked before anything runs (:func:`visit_reports.check_choices`); a missing
    visit log is generated at ``scale`` first. Returns the HTML file."""
    source = notebook_for(name)
    default_from, default_to = DEFAULT_PERIODS[name]
    granularity = granularity or "month"
    chosen = visit_reports.check_choices(db, period_from or default_from, period_to or default_to, granularity,
                                         services, sites, scale, backend)
    out = _html_file(out, f"{source.stem}.html")
    _, generated = visit_reports.prepare_log(chosen.db, chosen.scale, progress=progress)
    if generated:
        _say(f"generated the visit log beside {chosen.db}")
    _say(f"running {source.name} on {chosen.backend} ({chosen.period_from} – {chosen.period_to}, {granularity})")
    return _run(source, chosen.parameters(), out, progress)


def render_quality(indicator: str, *, breakdown: str | None = None, period=None, db: str | None = None,
                   out: str | Path | None = None, progress: bool = True) -> Path:
    """Run the quality-indicator report (notebooks/reports/quality_indicators.ipynb) and write its HTML,
    by default to ``reports/output/quality_<indicator>_<breakdown>.html``. Every choice is checked before
    anything runs (:func:`helsekit.analytics.quality_report.check_choices`). Returns the HTML file."""
    from helsekit.analytics import quality_report

    chosen = quality_report.check_choices(db, indicator, breakdown, period)
    out = _html_file(out, f"quality_{chosen.indicator}_{chosen.breakdown}.html")
    _say(f"running quality_indicators.ipynb: {chosen.indicator} per {chosen.breakdown}, {chosen.period_label}")
    return _run(NOTEBOOK_DIR / "quality_indicators.ipynb", chosen.parameters(), out, progress)


def _html_file(out: str | Path | None, default_name: str) -> Path:
    """The HTML file to write: ``out``, or ``default_name`` in reports/output/; a folder is refused."""
    out = Path(out) if out is not None else OUTPUT_DIR / default_name
    if out.is_dir():
        raise InvalidOption(f"out: {out} is a folder; name the HTML file", f"{out} er en mappe; oppgi en HTML-fil.", "out")
    return out


def _run(source: Path, parameters: dict, out: Path, progress: bool) -> Path:
    """Execute ``source`` with papermill (the executed copy in reports/output/executed/reports/) and write
    it to ``out`` as HTML without code; a failing cell raises a HelsekitError naming the copy."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = OUTPUT_DIR / "executed" / "reports" / source.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(str(source), str(executed), parameters=parameters, kernel_name=KERNEL_NAME,
                                   cwd=str(source.parent), progress_bar=progress, log_output=False)
    except PapermillExecutionError as error:
        raise HelsekitError(f"notebook {source.name} failed in cell {error.exec_count}: {error.ename}: {error.evalue} "
                            f"(executed copy: {executed})",
                            f"Rapporten {source.name} feilet: {error.ename} (se {executed}).", "notebook") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_html(executed), encoding="utf-8")
    _say(f"wrote {out}")
    return out
