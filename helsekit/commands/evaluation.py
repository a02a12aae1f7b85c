"""CLI commands for pilot evaluation (issue #10): ``helsekit report pilot <id>`` (see helsekit/commands/__init__.py)."""

from __future__ import annotations


def _report_pilot(args) -> None:
    from helsekit.evaluation.report import render_pilot

    out = render_pilot(args.pilot, db=args.db, out=args.out, period_from=args.period_from, period_to=args.period_to,
                       metrics=args.metrics, comparison=args.comparison)
    print(out)


def register(groups: dict) -> None:
    """Add ``report pilot`` to the CLI's report group."""
    pilot = groups["report"].add_parser("pilot", help="evaluate a pilot against comparison sites (issue #10) and render it to HTML")
    pilot.add_argument("pilot", help="the pilot's id (a folder under pilots/)")
    pilot.add_argument("--db", default=None, help="the database to evaluate in (default: the demo database)")
    pilot.add_argument("--from", dest="period_from", default=None, help="first day of the period, YYYY-MM-DD (default: the history window's)")
    pilot.add_argument("--to", dest="period_to", default=None, help="last day of the period, YYYY-MM-DD (default: the day before the reference date)")
    pilot.add_argument("--metrics", default=None, help="comma-separated metric ids of evaluation.toml (default: every benefit the pilot promises)")
    pilot.add_argument("--comparison", default="matched", help="matched (nearest sites by kommune type and size, default) or all (every other site of the kind)")
    pilot.add_argument("--out", default=None, help="the HTML file (default: reports/output/pilot_evaluation_<id>.html)")
    pilot.set_defaults(run=_report_pilot)
