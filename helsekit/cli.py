"""The ``helsekit`` command line. Errors print one line, ``error: …``, and exit with code 2."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

import numpy as np

from helsekit import SYNTHETIC_DATA_LABEL, config
from helsekit.errors import HelsekitError, InvalidOption

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as for every other bad input
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see `{self.prog} --help`)\n")


def _generate(args: argparse.Namespace) -> None:
    from helsekit.analytics.summary import summary_text
    from helsekit.generator import generate_database

    started = time.perf_counter()
    result = generate_database(args.profile, args.seed, args.db, chunk_size=args.chunk_size, progress=not args.quiet,
                               histories=not args.no_histories, workers=args.workers, scenario=args.scenario)
    if not args.no_histories:
        _prepare_treatment_figures(result.db)
    seconds = time.perf_counter() - started
    citizens = result.citizens
    print(f"wrote {result.db}: profile {result.profile}, seed {result.seed}, {citizens:,} citizens "
          f"(and {result.rows['citizen'] - citizens:,} who died in the history window) "
          f"in {seconds:.1f} s ({citizens / seconds:,.0f} citizens/s) — {SYNTHETIC_DATA_LABEL}")
    if args.summary:
        print()
        print(summary_text(result.db))


def _prepare_treatment_figures(db: str) -> None:
    """Velg behandlingssted's waits and site indicators, stored beside the new database (treatment_waits.prepare)."""
    from sqlmodel import Session

    from helsekit.analytics import treatment_waits
    from helsekit.services.access import reference_now
    from helsekit.storage.database import engine_for

    with Session(engine_for(db)) as session:
        today = reference_now(session).date()
    treatment_waits.prepare(db, today)


def _generate_visits(args: argparse.Namespace) -> None:
    from helsekit.generator.visits import generate_visits

    started = time.perf_counter()
    result = generate_visits(args.db, args.seed, args.scale, progress=not args.quiet)
    seconds = time.perf_counter() - started
    print(f"wrote {result.path}: {result.visits:,} visits in {result.months} months at scale {result.scale:.6g}, seed {result.seed}, "
          f"in {seconds:.1f} s ({result.visits / seconds:,.0f} visits/s) — {SYNTHETIC_DATA_LABEL}")


def _report_visits(args: argparse.Namespace) -> None:
    from helsekit.reports import render_visits

    def listed(text: str | None) -> list[str] | None:
        return None if text is None else [item.strip() for item in text.split(",") if item.strip()]

    render_visits(args.notebook, db=args.db, period_from=args.period_from, period_to=args.period_to, granularity=args.grain,
                  services=listed(args.services), sites=listed(args.sites), scale=args.scale, backend=args.backend,
                  out=args.out)


def _summary(args: argparse.Namespace) -> None:
    from helsekit.analytics import HelseData
    from helsekit.analytics.summary import summary_text

    HelseData(args.db)  # a clear error if there is no database there
    print(summary_text(args.db or config.default_database()))


def _profiles(args: argparse.Namespace) -> None:  # noqa: ARG001
    from helsekit.generator import specs

    for name in specs.profile_names():
        profile = specs.profile(name)
        print(f"{name:<8} {profile['citizens']:>10,} citizens, reference date {profile['reference_date']}")


def _pilots_list(args: argparse.Namespace) -> None:
    from pathlib import Path

    from sqlmodel import Session

    from helsekit import pilots
    from helsekit.errors import DatabaseError
    from helsekit.services import roster
    from helsekit.storage.database import engine_for, is_url

    db = args.db or config.default_database()
    if not is_url(db) and not Path(db).is_file():
        raise DatabaseError(f"db: no helsekit database at {db}; create one with `make demo`",
                            f"Fant ingen helsekit-database i {db}; lag en med `make demo`.", "db")
    found, broken = pilots.discover(args.pilots and Path(args.pilots))
    for error in broken:  # a broken manifest is named; the others are still listed
        print(f"error: {error.message_en}", file=sys.stderr)
    with Session(engine_for(db)) as session:
        for pilot in found:
            print(f"{pilot.id}\t{pilot.title}\t{pilot.status}")
            sites = roster.pilot_sites(session, pilot) if pilot.status == "pilot" else []
            for site in sites:
                print(f"  {site.id}\t{site.name}\t{site.kind}\t{site.kommune_number}")
            if not sites:
                print("  (enabled at no site in this database)")


def _check_numbers(args: argparse.Namespace) -> None:
    from helsekit.domain import person_numbers

    for number in args.numbers:
        decoded = person_numbers.decode(number)
        print(f"{decoded.number}  synthetic {decoded.kind.value}  born {decoded.birth_date}  sex {decoded.sex.value}")


def _make_numbers(args: argparse.Namespace) -> None:
    from helsekit.domain import person_numbers

    try:
        born = dt.date.fromisoformat(args.birth_date)
    except ValueError:
        raise InvalidOption(
            f"birth_date must be a date written YYYY-MM-DD, got {args.birth_date!r}",
            f"Fødselsdatoen må skrives ÅÅÅÅ-MM-DD, fikk {args.birth_date!r}.", "birth_date",
        ) from None
    if not 1854 <= born.year <= 2039:
        raise InvalidOption(
            f"birth_date must lie in 1854–2039, the span of the individnummer series (§1.2), got {born}",
            f"Fødselsdatoen må ligge i 1854–2039 (§1.2), fikk {born}.", "birth_date",
        )
    if not 1 <= args.count <= 100:
        raise InvalidOption(f"count must be 1–100, got {args.count}", f"Antall må være 1–100, fikk {args.count}.", "count")
    rng = np.random.default_rng(args.seed)
    numbers = person_numbers.make_many(
        np.full(args.count, np.datetime64(born, "D")), np.full(args.count, args.sex), np.full(args.count, args.kind), rng
    )
    print("\n".join(str(n) for n in numbers))


def _serve(args: argparse.Namespace) -> None:
    from helsekit.serve import serve

    code = serve(args.db, args.pilots, args.host, args.port)
    if code:
        sys.exit(code)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the test that checks the README documents every command)."""
    parser = _Parser(prog="helsekit", description=f"helsekit: synthetic Norwegian citizens for prototyping helsenorge.no services. {SYNTHETIC_DATA_LABEL}.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    generate = commands.add_parser("generate", help="generate a synthetic population into a database")
    generate.add_argument("--profile", default="default", help="tiny (~200), default (~50,000) or norway (~5.6 million); default: default")
    generate.add_argument("--seed", type=int, default=42, help="master seed; the same seed gives the same content (default: 42)")
    generate.add_argument("--db", default=None, help=f"SQLite file or SQLAlchemy URL (default: {config.default_database()})")
    generate.add_argument("--chunk-size", type=int, default=100_000, help="rows per write batch; does not change the content (default: 100000)")
    generate.add_argument("--workers", type=int, default=None, help="processes for the histories (default: one per core); does not change the content")
    generate.add_argument("--no-histories", action="store_true", help="skip the ten-year health histories (GP contacts, co-payments, frikort)")
    generate.add_argument("--scenario", default=None, help="PILOT:METRIC:EFFECT, e.g. fastlegetime:phone_bookings_per_listed:-0.3: plant a pilot's true effect at its sites from its start date, to check `helsekit report pilot` against (issue #10)")
    generate.add_argument("--summary", action="store_true", help="print the summary afterwards")
    generate.add_argument("--quiet", action="store_true", help="no progress bars")
    generate.set_defaults(run=_generate)

    visits = commands.add_parser("generate-visits", help="generate the visit log (helsenorge.no visits since 2011-06-15) beside a database")
    visits.add_argument("--db", default=None, help=f"the database whose citizens visit (default: {config.default_database()})")
    visits.add_argument("--seed", type=int, default=42, help="master seed; the same seed gives the same files (default: 42)")
    visits.add_argument("--scale", type=float, default=None, help="share of the national volume, above 0 and at most 1 (default: the database's share of Norway's population)")
    visits.add_argument("--quiet", action="store_true", help="no progress bar")
    visits.set_defaults(run=_generate_visits)

    report = commands.add_parser("report", help="render an analysts' report notebook to HTML without code")
    report_kinds = report.add_subparsers(dest="kind", required=True, parser_class=_Parser)
    report_visits = report_kinds.add_parser("visits", help="the visit statistics: the 2011-2015 chart or the yearly overview")
    report_visits.add_argument("--notebook", default="aarlig", help="2011-2015 (the seed document's chart, 15 June 2011 – 30 September 2015) or aarlig (the yearly overview against the published figures); default: aarlig")
    report_visits.add_argument("--db", default=None, help=f"the database whose visit log is reported (default: {config.default_database()}); a missing log is generated")
    report_visits.add_argument("--from", dest="period_from", default=None, help="first day, YYYY-MM-DD (default: the report's own)")
    report_visits.add_argument("--to", dest="period_to", default=None, help="last day, YYYY-MM-DD (default: the report's own)")
    report_visits.add_argument("--grain", default=None, help="day, week, month or year (default: month)")
    report_visits.add_argument("--services", default=None, help="comma-separated service areas of specs/visits.toml (default: all visits)")
    report_visits.add_argument("--sites", default=None, help="comma-separated treatment-site ids: only visits through a pilot there (default: all visits)")
    report_visits.add_argument("--backend", default="duckdb", help="duckdb (default) or spark")
    report_visits.add_argument("--scale", type=float, default=None, help="scale of the visit log if it must be generated (default: the database's share of Norway)")
    report_visits.add_argument("--out", default=None, help="the HTML file (default: reports/output/<notebook>.html)")
    report_visits.set_defaults(run=_report_visits)

    export = commands.add_parser("export", help="write the synthetic data in open formats")
    export_kinds = export.add_subparsers(dest="kind", required=True, parser_class=_Parser)
    imports = commands.add_parser("import", help="load data from open formats into a helsekit database")
    import_kinds = imports.add_subparsers(dest="kind", required=True, parser_class=_Parser)
    groups = {"top": commands, "export": export_kinds, "import": import_kinds, "report": report_kinds}
    from helsekit.commands import evaluation, fhir, open_data, quality

    for topic in (open_data, quality, fhir, evaluation):
        topic.register(groups)

    summary = commands.add_parser("summary", help="print a readable summary of a database")
    summary.add_argument("--db", default=None, help="SQLite file or SQLAlchemy URL (default: the embedded file)")
    summary.set_defaults(run=_summary)

    profiles = commands.add_parser("profiles", help="list the generator profiles")
    profiles.set_defaults(run=_profiles)

    pilot_commands = commands.add_parser("pilots", help="the pilot services and the sites where they are enabled")
    pilot_actions = pilot_commands.add_subparsers(dest="action", required=True, parser_class=_Parser)
    listing = pilot_actions.add_parser("list", help="list each pilot with its status and the treatment sites where it is enabled")
    listing.add_argument("--db", default=None, help="the database whose sites are listed (default: the embedded file)")
    listing.add_argument("--pilots", default=None, help="the folder of pilot folders (default: pilots/)")
    listing.set_defaults(run=_pilots_list)

    numbers = commands.add_parser("person-number", help="check or make synthetic person numbers")
    actions = numbers.add_subparsers(dest="action", required=True, parser_class=_Parser)
    check = actions.add_parser("check", help="validate and decode synthetic numbers (real ones are refused)")
    check.add_argument("numbers", nargs="+", help="11-digit fødselsnummer or D-nummer")
    check.set_defaults(run=_check_numbers)
    make = actions.add_parser("make", help="make synthetic numbers for a birth date and sex")
    make.add_argument("--birth-date", required=True, help="YYYY-MM-DD, 1854–2039")
    make.add_argument("--sex", required=True, choices=["M", "F"])
    make.add_argument("--kind", default="FNR", choices=["FNR", "DNR"])
    make.add_argument("--count", type=int, default=1, help="how many (1–100)")
    make.add_argument("--seed", type=int, default=0)
    make.set_defaults(run=_make_numbers)

    serve = commands.add_parser("serve", help="publish the running pilots and a gallery, and serve them with Voilà")
    serve.add_argument("--db", default=None, help="the database the pilots use (default: the embedded file)")
    serve.add_argument("--pilots", default=None, help="the folder of pilot folders (default: pilots/)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8866, help="port (default: 8866)")
    serve.set_defaults(run=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0, or 2 for bad input)."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except HelsekitError as error:
        print(f"error: {error.message_en}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
