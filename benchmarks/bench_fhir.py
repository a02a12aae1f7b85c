"""Benchmark: the FHIR export of the ``default`` population (issue #8: under 60 s), and its validation.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_fhir.py``). All data is synthetic
("Syntetiske data"). It generates ``default`` (seed 42) into a temporary folder unless ``--db`` names
a database, then:

a. ``export_fhir`` into a temporary folder: wall time, resources/s, bytes written (NDJSON and bundles).
b. A second export and a byte comparison of the two (the export must be deterministic).
c. Validation (:func:`helsekit.fhir.validation.check`: R4 structure with the fhirclient models and
   helsekit's identifier and code-system rules) of every resource, or of every ``--every``-th line of
   each NDJSON file (``--every 1``: all of them; about 8,000 resources/s on one core, so all of
   ``default`` takes about 20 minutes).

Timings are printed, never asserted; the output is removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from helsekit import SYNTHETIC_DATA_LABEL
from helsekit.fhir import validation
from helsekit.fhir.export import export_fhir
from helsekit.generator import generate_database


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _same(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    if names != sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()):
        return False
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module docstring); always returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="an existing database (default: generate default, seed 42)")
    parser.add_argument("--every", type=int, default=100, help="validate every N-th resource of each type (1: all; default 100)")
    parser.add_argument("--types", default=None, help="validate only these resource types, e.g. Immunization,Observation (default: all)")
    parser.add_argument("--no-second", action="store_true", help="skip the second export and comparison")
    parser.add_argument("--keep", action="store_true", help="keep the exported folders")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="hkbench-fhir-"))
    try:
        db = args.db
        if db is None:
            db = str(work / "default.db")
            generate_database("default", 42, db, progress=False)
        result = export_fhir(db, work / "first")
        total = sum(result.counts.values())
        print(f"export: {total:,} resources and {result.bundles:,} bundles in {result.seconds:.1f} s "
              f"({total / result.seconds:,.0f} resources/s; issue #8 target: under 60 s), {_size(work / 'first') / 2**30:.2f} GiB — {SYNTHETIC_DATA_LABEL}")
        if not args.no_second:
            again = export_fhir(db, work / "second")
            print(f"second export: {again.seconds:.1f} s; byte-identical: {_same(work / 'first', work / 'second')}")
            shutil.rmtree(work / "second")
        started, checked, failed = time.perf_counter(), 0, 0
        wanted = None if args.types is None else {t.strip() for t in args.types.split(",")}
        for path in sorted((work / "first").glob("*.ndjson")):
            if wanted is not None and path.stem not in wanted:
                continue
            with open(path, encoding="utf-8") as lines:
                for number, line in enumerate(lines):
                    if number % args.every:
                        continue
                    try:
                        validation.check(json.loads(line))
                    except validation.InvalidResource as error:
                        failed += 1
                        if failed <= 5:
                            print(f"invalid: {error.message_en}")
                    checked += 1
        seconds = time.perf_counter() - started
        print(f"validation: {checked:,} resources (every {args.every}. of {args.types or 'each type'}) in {seconds:.1f} s "
              f"({checked / max(seconds, 1e-9):,.0f}/s), {failed} invalid")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
