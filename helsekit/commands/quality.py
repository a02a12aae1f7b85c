"""``helsekit report quality``: the quality-indicator report (issue #7) rendered to HTML without code."""

from __future__ import annotations

import argparse


def _report_quality(args: argparse.Namespace) -> None:
    from helsekit.reports import render_quality

    render_quality(args.indicator, breakdown=args.breakdown, period=args.period, db=args.db, out=args.out)


def register(groups: dict) -> None:
    """Add ``report quality`` to the CLI's report group."""
    quality = groups["report"].add_parser(
        "quality", help="a quality indicator compared across sites or areas: funnel plot and ranked chart with intervals")
    quality.add_argument("--indicator", required=True,
                         help="the indicator's id in synthetic_data/specs/indicators.toml, e.g. fristbrudd_somatikk")
    quality.add_argument("--breakdown", default=None,
                         help="site, hf, rhf, kommune or fylke, as the indicator offers (default: hf; kommune for the GP indicators)")
    quality.add_argument("--period", default=None,
                         help="2024, 2024-T1..T3, 2024-H1/H2 or FIRST,LAST (ISO dates); default: the latest full year of the histories")
    quality.add_argument("--db", default=None, help="the database (default: synthetic_data/helsekit.db or HELSEKIT_DB)")
    quality.add_argument("--out", default=None, help="the HTML file (default: reports/output/quality_<indicator>_<breakdown>.html)")
    quality.set_defaults(run=_report_quality)
