"""``helsekit report pilot <id>``: the pilot-evaluation notebook run with papermill and written as HTML without code.

The choices are checked before anything runs (an unknown pilot, metric, comparison rule or a bad period is refused
naming the field); the HTML goes to ``reports/output/pilot_evaluation_<id>.html`` unless told where, through
:func:`helsekit.reports.to_html`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helsekit import config, pilots, reports
from helsekit.errors import HelsekitError, InvalidOption
from helsekit.evaluation import benefits
from helsekit.evaluation.evaluate import check_comparison

NOTEBOOK = reports.NOTEBOOK_DIR / "pilot_evaluation.ipynb"


def _day(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise InvalidOption(f"{name}: {value!r} is not a date (YYYY-MM-DD)", f"{value!r} er ikke en dato (ÅÅÅÅ-MM-DD).", name) from None


def parameters(pilot: str, db: str | None = None, period_from=None, period_to=None, metrics=None, comparison: str = "matched") -> dict:
    """The notebook's papermill parameters, each checked (a HelsekitError naming the field for a bad one)."""
    known = {p.id: p for p in pilots.discover()[0]}
    if pilot not in known:
        raise InvalidOption(f"pilot {pilot!r} is unknown; choose one of: {', '.join(sorted(known))}",
                            f"Piloten {pilot!r} finnes ikke; velg en av: {', '.join(sorted(known))}.", "pilot")
    chosen = [m.strip() for m in metrics.split(",") if m.strip()] if isinstance(metrics, str) else list(metrics or [])
    for metric_id in chosen:
        benefits.metric(metric_id)
    check_comparison(comparison)
    first, last = _day(period_from, "from"), _day(period_to, "to")
    if first and last and first > last:
        raise InvalidOption(f"from {first} is after to {last}", f"Fra-datoen {first} er etter til-datoen {last}.", "from")
    db = str(db or config.default_database())
    if not Path(db).is_file():
        raise InvalidOption(f"db: no helsekit database at {db}", f"Fant ingen helsekit-database i {db}.", "db")
    return {"pilot": pilot, "db": db, "period_from": first, "period_to": last, "metrics": ",".join(chosen), "comparison": comparison}


def render_pilot(pilot: str, *, db: str | None = None, out: str | Path | None = None, progress: bool = False, **choices) -> Path:
    """Run the evaluation notebook for ``pilot`` and write its HTML; returns the HTML file."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    chosen = parameters(pilot, db, **choices)
    out = Path(out) if out is not None else reports.OUTPUT_DIR / f"pilot_evaluation_{pilot}.html"
    if out.is_dir():
        raise InvalidOption(f"out: {out} is a folder; name the HTML file", f"{out} er en mappe; oppgi en HTML-fil.", "out")
    executed = reports.OUTPUT_DIR / "executed" / "reports" / f"pilot_evaluation_{pilot}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(str(NOTEBOOK), str(executed), parameters=chosen, kernel_name=reports.KERNEL_NAME,
                                   cwd=str(NOTEBOOK.parent), progress_bar=progress, log_output=False)
    except PapermillExecutionError as error:
        raise HelsekitError(f"notebook {NOTEBOOK.name} failed for {pilot}: {error.ename}: {error.evalue} (executed copy: {executed})",
                            f"Evalueringen av {pilot} feilet: {error.ename} (se {executed}).", "notebook") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(reports.to_html(executed), encoding="utf-8")
    return out
