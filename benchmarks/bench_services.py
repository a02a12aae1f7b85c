"""Benchmark: one citizen's history and the Min helse overview, on the default and the norway database.

Run with ``make bench`` (after bench_generate.py) or ``.venv/bin/python benchmarks/bench_services.py``.
All data is synthetic ("Syntetiske data"). For each database it draws 1,000 living citizens aged
16 or more with a Helsenorge consent of basis or full (fixed seed) and measures, in one warm
process (imports done and a few untimed calls on other citizens first):

a. ``archive.read_citizen`` (all columns) of every history table the overview reads: p50/p95 per
   table, the sum over the tables per citizen, and reads per second. Parsed footers are cached as
   the services cache them (the last few dozen parts), so at country scale most reads parse theirs.
b. The baseline in the same process: the parts of two blocks rewritten as they were before the
   row-group index (one row group per part) and read the old way, ``pq.read_table(part,
   filters=...)``, for 30 citizens of those blocks, with the new read of the same citizens beside
   it. A part holds one block of 12,500 citizens at every scale, so two blocks stand for all.
c. If ``helsekit.services.overview.overview`` exists: the overview call with ``Actor(citizen)`` at
   ``access.reference_now(session)``, a new session per call: p50/p95/p99 and calls per second,
   and the same 30 citizens with the old reads patched in, for the ratio.

The norway database (about 8 minutes on two cores, 6.5 GiB of memory, 18 GB of disk) is made once
at ``--db-norway`` and reused while its spec digest matches the spec files. Timings are printed,
never asserted; the script exits 0 (issue #4 target: the overview p95 <= 20 ms on norway).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlmodel import Session

from helsekit.domain.consents import ConsentLevel
from helsekit.generator import generate_database, spec_digest
from helsekit.services import access
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage import archive, database

#: The history tables the overview's tiles read.
TABLES = ("appointment_events", "gp_contacts", "hospital_appointments", "prescriptions", "dispensings",
          "referrals", "referral_statuses", "copayments", "frikort", "messages")
OWN_ACCESS_FROM = 16  # §3.4: full own access from 16
DEFAULT_NORWAY = Path(tempfile.gettempdir()) / "hkbench" / "norway.db"


def row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<46} {value:>22}  {note}".rstrip())


def ms(seconds, q: float) -> float:
    return float(np.percentile(np.asarray(seconds), q) * 1e3)


def pcts(seconds, qs=(50, 95)) -> str:
    return " / ".join(f"{ms(seconds, q):.2f}" for q in qs) + " ms"


def _has_histories(db: Path) -> bool:
    if not db.is_file() or not archive.archive_path(str(db)).is_dir():
        return False
    meta = database.read_meta(str(db))
    return meta.get("histories") == "yes" and meta.get("spec_sha256") == spec_digest() and meta.get("profile") == "norway"


def norway_database(db: Path) -> Path:
    """``db`` if it is a norway database with histories from the current spec files, else made there."""
    if _has_histories(db):
        print(f"\nnorway: reusing {db} (spec digest matches)")
        return db
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_generate  # its run_child reports wall time and peak memory of the generation

    db.parent.mkdir(parents=True, exist_ok=True)
    print(f"\nnorway: generating {db} with histories (about 8 minutes, 18 GB of disk)")
    r = bench_generate.run_child("norway", db, True)
    row("generation wall time", f"{r['wall']:.0f} s")
    row("peak resident memory, whole process tree", f"{r['tree_gib']:.2f} GiB")
    row("history archive (Parquet) size", f"{r['archive_bytes'] / 1024**3:,.1f} GiB")
    return db


def eligible_citizens(db: str, reference: dt.date) -> np.ndarray:
    """Living citizens aged 16 or more on the reference date with a Helsenorge consent of basis or
    full: those whose own overview the policy shows."""
    born_by = dt.date(reference.year - OWN_ACCESS_FROM, reference.month, reference.day)
    levels = ConsentLevel.ORDER[ConsentLevel.ORDER.index(ConsentLevel.BASIS):]  # §3.5: the overview needs basis
    query = sa.select(sa.column("id")).select_from(sa.text("citizen c JOIN helsenorge_profile p ON p.citizen_id = c.id")).where(
        sa.text("c.death_date IS NULL AND c.birth_date <= :born_by"), sa.column("consent_level").in_(levels)).order_by(sa.column("id"))
    with database.engine_for(db).connect() as conn:
        return np.array(conn.execute(query, {"born_by": born_by}).scalars().all(), dtype=np.int64)


def old_layout(db: str, blocks: list[int], folder: Path) -> None:
    """The parts of ``blocks`` as they were written before the row-group index: one row group each."""
    for table in TABLES:
        (folder / table).mkdir(parents=True, exist_ok=True)
        for block in blocks:
            part = pq.read_table(archive.archive_path(db) / table / f"part-{block:05d}.parquet")
            text = [f.name for f in part.schema if pa.types.is_string(f.type)]
            key = "referral_id" if table == "referral_statuses" else "citizen_id"
            pq.write_table(part, folder / table / f"part-{block:05d}.parquet", compression="zstd", row_group_size=1 << 20,
                           use_dictionary=text or False, write_statistics=[key])


def old_read_citizen(folder: Path):
    """``archive.read_citizen`` as it was: the whole part, filtered while it is read."""
    def read(db: str, table_name: str, citizen_id: int, block_size: int, columns=None):
        key, factor = ("referral_id", 1000) if table_name == "referral_statuses" else ("citizen_id", 1)
        low, high = citizen_id * factor, citizen_id * factor + factor - 1
        path = folder / table_name / f"part-{(citizen_id - 1) // block_size:05d}.parquet"
        return pq.read_table(path, columns=columns, filters=[(key, ">=", low), (key, "<=", high)])
    return read


def time_reads(read, db: str, citizens, block_size: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {t: [] for t in TABLES}
    for citizen in citizens:
        for table in TABLES:
            start = time.perf_counter()
            read(db, table, int(citizen), block_size)
            times[table].append(time.perf_counter() - start)
    return times


def time_overviews(overview, db: str, citizens) -> tuple[list[float], list[float], int]:
    """Each call's time, the part of it spent in ``archive.read_citizen``, and the number refused."""
    engine = database.engine_for(db)
    with Session(engine) as session:
        now = access.reference_now(session)
    times, in_reads, refused = [], [], 0
    spent = [0.0]
    read = archive.read_citizen

    def timed_read(*args, **kwargs):
        start = time.perf_counter()
        try:
            return read(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    with patched_read(timed_read):
        for citizen in citizens:
            with Session(engine) as session:
                spent[0] = 0.0
                start = time.perf_counter()
                try:
                    overview(session, Actor(int(citizen)), now)
                except AccessDenied:  # counted, not timed
                    refused += 1
                    continue
                times.append(time.perf_counter() - start)
                in_reads.append(spent[0])
    return times, in_reads, refused


@contextlib.contextmanager
def patched_read(read):
    original = archive.read_citizen
    archive.read_citizen = read
    try:
        yield
    finally:
        archive.read_citizen = original


def find_overview():
    try:
        module = importlib.import_module("helsekit.services.overview")
    except ImportError:
        return None
    return getattr(module, "overview", None)


def measure(label: str, db: str, n: int, n_baseline: int, seed: int) -> list[str]:
    """Every measurement on one database; returns its target lines."""
    meta = database.read_meta(db)
    block_size = int(meta["history_block_size"])
    reference = dt.date.fromisoformat(meta["reference_date"])
    everyone = eligible_citizens(db, reference)
    rng = np.random.default_rng(seed)
    drawn = rng.choice(everyone, size=min(n + 20, everyone.size), replace=False)
    warmup, citizens = drawn[:20], drawn[20:]
    blocks = sorted({int((c - 1) // block_size) for c in rng.choice(everyone, 2, replace=False)})
    in_blocks = everyone[np.isin((everyone - 1) // block_size, blocks)]
    base_citizens = rng.choice(in_blocks, size=min(n_baseline, in_blocks.size), replace=False)
    print(f"\n{label}: {db}")
    print(f"  {meta.get('profile')} profile, {everyone.size:,} eligible citizens, {len(citizens):,} drawn (seed {seed}), "
          f"archive {sum(p.stat().st_size for p in archive.archive_path(db).rglob('*.parquet')) / 1024**3:.2f} GiB")

    print("\n  a. archive.read_citizen, all columns, p50 / p95 per table")
    time_reads(archive.read_citizen, db, warmup, block_size)
    new = time_reads(archive.read_citizen, db, citizens, block_size)
    for table in TABLES:
        row(table, pcts(new[table]))
    per_citizen = np.sum([new[t] for t in TABLES], axis=0)
    row(f"all {len(TABLES)} tables of one citizen", pcts(per_citizen))
    row("throughput", f"{len(TABLES) * len(citizens) / per_citizen.sum():,.0f} reads/s")

    with tempfile.TemporaryDirectory(prefix="helsekit-bench-old-") as old:
        old_layout(db, blocks, Path(old))
        old_read = old_read_citizen(Path(old))
        print(f"\n  b. baseline: one row group per part, pq.read_table(part, filters=...); {len(base_citizens)} citizens of blocks {blocks}")
        time_reads(old_read, db, base_citizens[:2], block_size)
        before = time_reads(old_read, db, base_citizens, block_size)
        after = time_reads(archive.read_citizen, db, base_citizens, block_size)
        for table in TABLES:
            ratio = np.median(before[table]) / np.median(after[table])
            row(table, pcts(before[table]), f"now {pcts(after[table])}, {ratio:,.0f}x faster at p50")
        old_sum, new_sum = np.sum([before[t] for t in TABLES], axis=0), np.sum([after[t] for t in TABLES], axis=0)
        row(f"all {len(TABLES)} tables of one citizen", pcts(old_sum), f"now {pcts(new_sum)}, {np.median(old_sum) / np.median(new_sum):,.0f}x faster at p50")

        overview = find_overview()
        if overview is None:
            print("\n  c. overview: helsekit.services.overview.overview not found, skipped")
            return []
        print(f"\n  c. overview(session, Actor(citizen), access.reference_now(session)), p50 / p95 / p99")
        time_overviews(overview, db, warmup)
        times, in_reads, refused = time_overviews(overview, db, citizens)
        row(f"{len(times):,} calls", pcts(times, (50, 95, 99)), f"{refused} refused (not timed)" if refused else "")
        row("  of which in archive.read_citizen", pcts(in_reads, (50, 95, 99)))
        row("  the rest (SQL, policy, Python)", pcts(np.subtract(times, in_reads), (50, 95, 99)))
        row("throughput", f"{len(times) / sum(times):,.0f} calls/s")
        with patched_read(old_read):
            time_overviews(overview, db, base_citizens[:2])
            before, _, _ = time_overviews(overview, db, base_citizens)
        after, _, _ = time_overviews(overview, db, base_citizens)
        row(f"baseline, {len(before)} citizens of blocks {blocks}", pcts(before, (50, 95, 99)),
            f"now {pcts(after, (50, 95, 99))}, {np.median(before) / np.median(after):,.0f}x faster at p50")
    if not times:
        return []
    p95 = ms(times, 95)
    return [f"overview on {meta.get('profile')}: p95 {p95:.1f} ms (target <= 20 ms on norway): "
            f"{'target met' if p95 <= 20 else 'target missed'}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-default", type=Path, metavar="PATH", help="a default database with histories (default: generate one into a temporary folder)")
    parser.add_argument("--db-norway", type=Path, metavar="PATH", default=DEFAULT_NORWAY,
                        help=f"the norway database, made there if missing or from other spec files (default {DEFAULT_NORWAY})")
    parser.add_argument("--skip-norway", action="store_true", help="measure the default database only")
    parser.add_argument("--citizens", type=int, default=1000, metavar="N", help="citizens drawn per database (default 1,000)")
    parser.add_argument("--baseline-citizens", type=int, default=30, metavar="N", help="citizens read the old way (default 30)")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the draw")
    args = parser.parse_args(argv)

    print("helsekit services benchmark - Syntetiske data (synthetic data only, no real persons)")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, {platform.platform()}, Python {platform.python_version()}")
    targets = []
    with tempfile.TemporaryDirectory(prefix="helsekit-bench-") as tmp:
        default_db = args.db_default
        if default_db is None:
            default_db = Path(tmp) / "default.db"
            start = time.perf_counter()
            generate_database("default", 42, str(default_db), progress=False)
            print(f"\ndefault: generated in {time.perf_counter() - start:.1f} s")
        targets += measure("default", str(default_db), args.citizens, args.baseline_citizens, args.seed)
    if args.skip_norway:
        print("\nnorway: skipped (--skip-norway)")
    else:
        norway = norway_database(args.db_norway)
        targets += measure("norway", str(norway), args.citizens, args.baseline_citizens, args.seed)
        print(f"\n  kept {norway} and its archive for the next run ({shutil.disk_usage(norway.parent).free / 1024**3:.0f} GiB free; "
              f"remove with rm -r {norway} {archive.archive_path(str(norway))})")
    print("\ntargets from the issue (information only; this script never fails on timing):")
    for line in targets:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
