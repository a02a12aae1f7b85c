"""Benchmark: the Velg behandlingssted search per treatment (issue #7: under 200 ms on the default database).

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_treatment_search.py [--db-default PATH]``.
All data is synthetic ("Syntetiske data"). Without ``--db-default`` a default database (seed 42) is made in
a temporary folder first (about 10 s). Measured, each with p50, p95 and max:

a. baseline: the search with nothing computed before, as the sector comparison worked until now (every
   call in a new kernel reads the referrals, groups them and computes the site indicators): memory caches
   cleared and the stored figures moved aside before each of ``--cold`` calls;
b. a new process (a new pilot kernel) whose figures are stored beside the archive: the first search in
   a fresh Python process, ``--cold`` times (imports excluded);
c. warm: ``--calls`` searches in one process over every treatment, random home kommuner, region and fylke
   filters and sort orders (fixed seed).

``--db-norway PATH`` adds the same on that database when it exists (BENCH_NORWAY of make bench). Timings are
printed, never asserted; the script exits 0.
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from helsekit.analytics import treatment_waits
from helsekit.domain.geography import Kommune
from helsekit.generator import generate_database
from helsekit.services import access, treatment_sites
from helsekit.storage.database import engine_for

TARGET_MS = 200
FIRST_SEARCH = """
import sys, time
from sqlmodel import Session
from helsekit.services import access, treatment_sites
from helsekit.storage.database import engine_for
with Session(engine_for(sys.argv[1])) as session:
    today = access.reference_now(session).date()
    started = time.perf_counter()
    treatment_sites.search(session, "hofteprotese", today, home_kommune="0301")
    print(time.perf_counter() - started)
"""


def row(label: str, times: list[float], note: str = "") -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"  {label:<52} p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  max {max(ms):7.1f} ms  n={len(ms)}  {note}".rstrip())


def _forget(db: str) -> None:
    """Nothing computed: the memory caches cleared and the stored figures moved aside."""
    for cached in (treatment_waits._started, treatment_waits._site_waits, treatment_waits._site_indicators):
        cached.cache_clear()
    treatment_sites._SITES.clear()
    treatment_sites._CELLS.clear()
    shutil.rmtree(treatment_waits.derived_path(db), ignore_errors=True)


def measure(db: str, cold: int, calls: int) -> None:
    """Sections a–c on one database."""
    print(f"{db}")
    with Session(engine_for(db)) as session:
        today = access.reference_now(session).date()
        kommuner = list(session.exec(select(Kommune.number)).all())
        regions, fylker = treatment_sites.places(session)
        baseline = []
        for _ in range(cold):
            _forget(db)
            started = time.perf_counter()
            treatment_sites.search(session, "hofteprotese", today, home_kommune="0301")
            baseline.append(time.perf_counter() - started)
        row("a. baseline: nothing computed before", baseline)
    fresh = [float(subprocess.run([sys.executable, "-c", FIRST_SEARCH, db], capture_output=True, text=True, check=True).stdout)
             for _ in range(cold)]
    row("b. first search in a new process, figures stored", fresh, f"target {TARGET_MS} ms")
    rng = random.Random(42)
    names = list(treatment_sites.treatments())
    warm = []
    with Session(engine_for(db)) as session:
        for _ in range(calls):
            filters = rng.choice([{}, {"region": rng.choice(regions)}, {"fylke": rng.choice(fylker)}])
            started = time.perf_counter()
            treatment_sites.search(session, rng.choice(names), today, home_kommune=rng.choice(kommuner),
                                   sort=rng.choice(treatment_sites.SORTS), **filters)
            warm.append(time.perf_counter() - started)
    row("c. warm: random treatment, kommune, filter, sort", warm, f"target {TARGET_MS} ms")
    print(f"  baseline / warm p50: {statistics.median(baseline) / statistics.median(warm):.0f}x; "
          f"baseline / new process p50: {statistics.median(baseline) / statistics.median(fresh):.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-default", default=None, help="a default-profile database (default: make one in a temporary folder)")
    parser.add_argument("--db-norway", default=None, help="also measure on this norway database, if it exists")
    parser.add_argument("--cold", type=int, default=5, help="cold calls for a and b (default 5)")
    parser.add_argument("--calls", type=int, default=300, help="warm calls for c (default 300)")
    args = parser.parse_args()
    print(f"Velg behandlingssted search — Syntetiske data — {platform.python_version()}, {platform.machine()}")
    with tempfile.TemporaryDirectory() as folder:
        db = args.db_default
        if db is None:
            db = str(Path(folder) / "default.db")
            generate_database("default", 42, db, progress=False)
        measure(db, args.cold, args.calls)
        if args.db_norway and Path(args.db_norway).exists():
            measure(args.db_norway, max(1, args.cold // 2), args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
