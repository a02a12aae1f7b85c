"""Benchmark: the national visit log (issue #6), its generation and the standard monthly report.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_visits.py``). All data is synthetic
("Syntetiske data"). It measures, in one run:

a. The full national log: ``generate_visits(db, 42, scale=1.0)`` on the norway database (``--db``,
   default the Makefile's ``BENCH_NORWAY``) in its own subprocess, written to a temporary folder in
   ``--out`` (default: beside the database, the same disk): wall time, visits/s, peak resident memory
   of the process tree (the months are drawn by worker processes), size on disk. Then the standard
   monthly report (``report.monthly_report``, the whole log, every service) on DuckDB: cold (a new
   connection's first run; the operating system's file cache may still hold the freshly written
   files) and warm (best of two more runs on that connection); with ``--with-previous`` also the
   report's previous expression (see b). The log is removed unless ``--keep``.
   Refused, with a message, when the disk has less than ``--min-free-gib`` (10) GiB free.
b. About 20 M visits (``--rows``): a log generated at scale rows / national visits into the same
   temporary folder; the same report on DuckDB against a straightforward pandas implementation in
   this file (``pd.read_parquet`` of the five columns, then group-bys; the baseline), checked to give
   identical numbers, with the ratio; and the report's previous expression (one group-by of every
   visit with ``COUNT(DISTINCT citizen_id)`` and a bit test per service per visit) for the speed-up.
c. Optionally (``--spark``) the same report on Spark (local[2]) over the 20 M visits.

Timings depend on the machine and are only printed, never asserted: the script exits 0 whether or
not a target is met (issue #6: generation <= 5 minutes on 2 cores, the report <= 30 s).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench_generate import _tree_rss_kib
from helsekit.analytics import visit_reports
from helsekit.analytics.visits import backends, metrics, report, services
from helsekit.generator import specs, visit_volumes
from helsekit.storage import database

DEFAULT_NORWAY = Path(tempfile.gettempdir()) / "hkbench" / "norway.db"
TARGETS = {"generate": 300.0, "report": 30.0}
CHILD = (
    "import sys, time\n"
    "from helsekit.generator.visits import generate_visits\n"
    "start = time.perf_counter()\n"
    "result = generate_visits(sys.argv[1], 42, scale=float(sys.argv[3]), progress=False, out=sys.argv[2])\n"
    "print(result.visits, time.perf_counter() - start)\n"
)


def row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<50} {value:>16}  {note}".rstrip())


def national_visits(db: str) -> int:
    """Visits of the full national log up to the database's reference date (visits.toml, scale 1)."""
    import datetime as dt

    end = dt.date.fromisoformat(database.read_meta(db)["reference_date"])
    return sum(m.visits for m in visit_volumes.months(specs.load("visits"), end, 1.0))


def generate(db: str, out: Path, scale: float) -> dict:
    """``generate_visits`` in a fresh interpreter: wall time, time inside, peak memory of the process tree."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, db, str(out), repr(scale)], stdout=subprocess.PIPE, text=True)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kib(child.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = child.stdout.read()
    child.wait()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"generate_visits failed with exit code {child.returncode}")
    visits, inner = output.split()[-2:]
    return {"wall": time.perf_counter() - start, "inner": float(inner), "visits": int(visits), "gib": peak[0] / 1024**2,
            "bytes": sum(p.stat().st_size for p in out.rglob("*.parquet"))}


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def previous_monthly(t, catalogue):
    """The report's expression before this benchmark: one group-by of every visit (the baseline)."""
    t = t.drop("year", "month") if "year" in t.columns else t
    flags = {name: ((t.services & (1 << i)) != 0).sum() for i, name in enumerate(catalogue)}
    table = t.group_by(t.start.truncate("M").date().name("period")).agg(
        visits=t.count(), logins=t.logged_in.sum(), unique_visitors=t.citizen_id.nunique(),
        app_visits=(t.device == "app").sum(), **flags)
    return metrics.growth(table).drop("previous").order_by("period")


def pandas_monthly(log: Path, catalogue) -> tuple[float, pd.DataFrame]:
    """The same report the straightforward pandas way: read the five columns, group by month.

    Returns the seconds spent reading and the report."""
    read, frame = timed(lambda: pd.read_parquet(log, columns=["start", "logged_in", "citizen_id", "device", "services"]))
    month = frame["start"].dt.to_period("M").dt.start_time.rename("period")
    grouped = frame.groupby(month)
    out = pd.DataFrame({
        "visits": grouped.size(),
        "logins": grouped["logged_in"].sum(),
        "unique_visitors": grouped["citizen_id"].nunique(),
        "app_visits": (frame["device"] == "app").groupby(month).sum(),
    })
    bits = frame["services"].to_numpy()
    for i, name in enumerate(catalogue):
        out[name] = pd.Series((bits >> i) & 1, index=frame.index).groupby(month).sum()
    out["growth"] = out["visits"] / out["visits"].shift() - 1
    return read, out.reset_index()


def differences(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """Columns whose values differ (growth compared to 1e-12), or a differing shape."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"columns/rows {list(a.columns)}x{len(a)} against {list(b.columns)}x{len(b)}"]
    bad = []
    for column in a.columns:
        x, y = a[column], b[column]
        if column == "period":
            same = (pd.to_datetime(x).to_numpy() == pd.to_datetime(y).to_numpy()).all()
        elif column == "growth":
            same = np.allclose(x.astype(float), y.astype(float), rtol=1e-12, equal_nan=True)
        else:
            same = (x.astype("int64").to_numpy() == y.astype("int64").to_numpy()).all()
        if not same:
            bad.append(column)
    return bad


def duckdb_report(log: Path):
    """A new DuckDB connection's first run of the report (cold), then the best of two more (warm)."""
    con = backends.connect("duckdb")
    cold, frame = timed(lambda: report.monthly_report(log=log, con=con))
    warm = min(timed(lambda: report.monthly_report(log=log, con=con))[0] for _ in range(2))
    return cold, warm, frame


def full_log(args, tmp: Path, catalogue) -> list[str]:
    print(f"\na. the full national log (scale 1.0) of {args.db}")
    free = shutil.disk_usage(tmp).free / 1024**3
    if free < args.min_free_gib:
        print(f"  refused: {free:.1f} GiB free on the disk of {tmp}; the log needs about 5.3 GB and this benchmark "
              f"keeps {args.min_free_gib:.0f} GiB free (free some disk or give --out on another disk)")
        return []
    out = tmp / "norway.visits"
    print(f'  command: generate_visits({str(args.db)!r}, 42, scale=1.0, progress=False, out={str(out)!r}) in a subprocess')
    g = generate(str(args.db), out, 1.0)
    row("wall time (interpreter start + imports + run)", f"{g['wall']:.1f} s")
    row("generate_visits inside the child", f"{g['inner']:.1f} s", f"{g['visits'] / g['inner']:,.0f} visits/s")
    row("visits", f"{g['visits']:,}")
    row("peak resident memory, whole process tree", f"{g['gib']:.2f} GiB")
    row("size on disk (Parquet)", f"{g['bytes'] / 1024**3:.2f} GiB", f"{g['bytes'] / g['visits']:.1f} bytes/visit")
    print(f"\n  standard monthly report on DuckDB: monthly_report(log=..., con=duckdb) (whole log, {len(catalogue)} services)")
    cold, warm, frame = duckdb_report(out)
    row("cold (a new connection's first run)", f"{cold:.1f} s", f"{g['visits'] / cold:,.0f} visits/s")
    row("warm (best of 2 more)", f"{warm:.1f} s", f"{len(frame)} months")
    calibration = yearly_against_published(frame)
    if args.with_previous:
        t = backends.read_visits(backends.connect("duckdb"), out)
        before = timed(lambda: previous_monthly(t, catalogue).to_pandas())[0]
        row("the previous expression (one run)", f"{before:.1f} s", f"speed-up previous / now (warm): {before / warm:.1f}x")
    if args.keep:
        kept = args.db.with_suffix(".visits")
        shutil.rmtree(kept, ignore_errors=True)
        shutil.move(out, kept)
        print(f"  kept the log as {kept} (remove with rm -r {kept})")
    else:
        shutil.rmtree(out)
        print("  log removed (--keep keeps it)")
    return [f"generation: {g['wall']:.0f} s wall (target <= {TARGETS['generate']:.0f} s): {verdict(g['wall'] <= TARGETS['generate'])}",
            f"monthly report on DuckDB: {cold:.1f} s cold, {warm:.1f} s warm (target <= {TARGETS['report']:.0f} s): "
            f"{verdict(cold <= TARGETS['report'])}", calibration]


def yearly_against_published(frame: pd.DataFrame) -> str:
    """Print the full log's yearly visits beside the published figures (§13.1); the issue wants them within 5 %."""
    print("\n  yearly visits of the full log against the published figures (§13.1, visits.toml [yearly])")
    per_year = frame.groupby(pd.to_datetime(frame["period"]).dt.year)["visits"].sum()
    worst = 0.0
    for year, row_ in visit_reports.published().iterrows():
        year = int(row_.year)
        got = int(per_year.get(year, 0))
        off = got / row_.published - 1
        worst = max(worst, abs(off))
        row(f"{year}", f"{got / 1e6:,.1f} M", f"published {row_.published / 1e6:,.1f} M, {100 * off:+.2f} %")
    return f"yearly totals 2019-2023 within {100 * worst:.2f} % of the published (target <= 5 %): {verdict(worst <= 0.05)}"


def scaled_log(args, tmp: Path, catalogue, total: int) -> None:
    scale = min(1.0, args.rows / total)
    out = tmp / "scaled.visits"
    print(f"\nb. {args.rows:,} visits: generate_visits(scale={scale:.5f}) of {args.db}; the report on DuckDB against pandas")
    g = generate(str(args.db), out, scale)
    row("generated (wall, subprocess)", f"{g['wall']:.1f} s", f"{g['visits']:,} visits, {g['bytes'] / 1024**2:,.0f} MiB")
    cold, warm, frame = duckdb_report(out)
    row("DuckDB, monthly_report: cold / warm", f"{cold:.2f} / {warm:.2f} s")
    t = backends.read_visits(backends.connect("duckdb"), out)
    before = min(timed(lambda: previous_monthly(t, catalogue).to_pandas())[0] for _ in range(2))
    row("DuckDB, the previous expression (best of 2)", f"{before:.2f} s", f"speed-up previous / now (warm): {before / warm:.1f}x")
    whole, (read, baseline) = timed(lambda: pandas_monthly(out, catalogue))
    row("pandas: read_parquet + group-bys", f"{whole:.2f} s", f"of which reading {read:.2f} s")
    row("ratio pandas / DuckDB (warm)", f"{whole / warm:.1f}x", f"cold: {whole / cold:.1f}x")
    bad = differences(frame, baseline)
    row("identical numbers (DuckDB = pandas)", "yes" if not bad else "NO", ", ".join(bad))
    if args.spark:
        print("\nc. the same report on Spark (local[2]) over the same visits")
        start = time.perf_counter()
        con = backends.connect("spark")
        row("Spark session started", f"{time.perf_counter() - start:.1f} s")
        first, on_spark = timed(lambda: report.monthly_report(log=out, con=con))
        second = timed(lambda: report.monthly_report(log=out, con=con))[0]
        row("Spark, monthly_report: first / second run", f"{first:.1f} / {second:.1f} s", f"{second / warm:.0f}x DuckDB warm")
        bad = differences(frame, on_spark)
        row("identical numbers (Spark = DuckDB)", "yes" if not bad else "NO", ", ".join(bad))
    shutil.rmtree(out)


def verdict(ok: bool) -> str:
    return "target met" if ok else "target missed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_NORWAY, metavar="PATH", help=f"the database whose citizens visit (default {DEFAULT_NORWAY})")
    parser.add_argument("--out", type=Path, metavar="DIR", help="where the temporary logs are written (default: the database's folder)")
    parser.add_argument("--keep", action="store_true", help="keep the full log beside the database (DB.visits)")
    parser.add_argument("--skip-full", action="store_true", help="leave out the full national log (a)")
    parser.add_argument("--rows", type=int, default=20_000_000, metavar="N", help="visits of the scaled log (b; default 20 M)")
    parser.add_argument("--with-previous", action="store_true", help="also time the report's previous expression on the full log (about a minute)")
    parser.add_argument("--spark", action="store_true", help="also run the report on Spark over the scaled log (c)")
    parser.add_argument("--min-free-gib", type=float, default=10.0, metavar="GIB", help="refuse the full log below this free disk (default 10)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if not args.db.is_file():
        parser.error(f"--db: no database at {args.db} (make bench's bench_generate.py keeps one there)")

    print("helsekit visit-log benchmark - Syntetiske data (synthetic data only, no real persons)")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, {platform.platform()}, Python {platform.python_version()}")
    catalogue = services()
    total = national_visits(str(args.db))
    print(f"national log: {total:,} visits to the reference date of {args.db.name}")
    out = args.out or args.db.parent
    out.mkdir(parents=True, exist_ok=True)
    targets = []
    with tempfile.TemporaryDirectory(prefix=".bench-visits-", dir=out) as tmp:
        if args.skip_full:
            print("\na. the full national log: skipped (--skip-full)")
        else:
            targets += full_log(args, Path(tmp), catalogue)
        scaled_log(args, Path(tmp), catalogue, total)
    print("\ntargets from the issue (information only; this script never fails on timing):")
    for line in targets or ["(the full log was not measured)"]:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
