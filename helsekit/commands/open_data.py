"""``helsekit export open-data``: quality indicators and waiting times as open data (CSV, JSON and a data
dictionary; helsekit.analytics.open_data)."""

from __future__ import annotations

from helsekit import config


def register(groups: dict) -> None:
    """Add this topic's sub-commands to the CLI's parser groups."""
    command = groups["export"].add_parser("open-data", help="quality indicators and waiting times per treatment and site as CSV and JSON, with a data dictionary")
    command.add_argument("--out", required=True, help="the folder to write into (created if missing; files of the same names are replaced)")
    command.add_argument("--db", default=None, help=f"SQLite file or SQLAlchemy URL (default: {config.default_database()})")
    command.add_argument("--period", default=None,
                         help="a year (2024), tertial (2024-T1) or half year (2024-H1), or two dates FIRST,LAST (YYYY-MM-DD); "
                              "default: the last full year before the database's reference date")
    command.set_defaults(run=_open_data)


def _open_data(args) -> None:
    from helsekit.analytics import HelseData, indicators, open_data

    db = args.db or config.default_database()
    HelseData(db)  # a clear error if there is no database there
    period, _, _ = indicators.checked_period(db, args.period)
    written = open_data.export(db, args.out, period)
    print(f"wrote {len(written)} files to {args.out}: {', '.join(p.name for p in written)} — Syntetiske data")
