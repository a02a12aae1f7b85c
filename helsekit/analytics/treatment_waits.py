"""Waiting times per treatment site, by treatment or by sector, computed from the synthetic referrals.

The waiting time of a referral runs from the day the hospital received it to the start of care (§7.3). A
period counts the referrals whose care started in it. Per (hospital, treatment or sector): the number
started, the median wait and the expected wait, the spec's quantile (an estimate of the maximum a patient
should expect, §7.2), and the started cases that had a legal deadline with those that breached it (§6.5).
The rules (quantile, period, the small-number threshold) are ``treatment_sites.toml [waiting]``.

Computed once per database, archive version and period, kept in memory and stored beside the archive
(``<db>.derived/``, a small Parquet file per table, written atomically; a read-only place only loses the
file), so that every new pilot kernel answers at once: Velg behandlingssted and the open-data export both
read from here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from helsekit.analytics import indicators
from helsekit.errors import DatabaseError
from helsekit.generator import specs
from helsekit.storage import archive

GROUPINGS = ("treatment", "sector")
STORED_FORMAT = 1  # part of every stored file's key: raise it when the stored frames change shape
_COLUMNS = ["hospital_id", "sector", "treatment", "received_on", "start_of_care", "legal_deadline", "fristbrudd"]


def rules() -> dict:
    """treatment_sites.toml [waiting]: period_days, expected_quantile, min_cases."""
    return specs.load("treatment_sites")["waiting"]


def last_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The period the figures shown on ``today`` cover: the spec's period_days ending that day."""
    return today - dt.timedelta(days=rules()["period_days"] - 1), today


def archive_version(db: str) -> tuple[tuple[str, int, int], ...]:
    """The referral parts of ``db``'s archive with their size and change time: a new generation changes it."""
    folder = archive.archive_path(db) / "referrals"
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.glob("part-*.parquet")))


def weeks(expected_days: float, median_days: float) -> tuple[int, float]:
    """The expected wait rounded up to whole weeks (§7.2) and the median wait in weeks to one decimal."""
    return math.ceil(expected_days / 7), round(float(median_days) / 7, 1)


def site_waits(db: str, first: dt.date, last: dt.date, by: str = "treatment") -> pd.DataFrame:
    """Per (``hospital_id``, ``by``) with a start of care from ``first`` to ``last``: ``started``,
    ``expected_days`` (the spec's quantile), ``median_days``, ``deadline_cases`` and ``breaches``.
    ``by`` is "treatment" or "sector". Cached per archive version; do not modify the frame returned."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}")
    return _site_waits(db, archive_version(db), first, last, by)


@lru_cache(maxsize=16)
def _site_waits(db: str, version: tuple, first: dt.date, last: dt.date, by: str) -> pd.DataFrame:
    def compute() -> pd.DataFrame:
        started = _started(db, version)
        rows = started[(started["start"] >= np.datetime64(first)) & (started["start"] <= np.datetime64(last))]
        grouped = rows.groupby(["hospital_id", by], sort=True)
        return pd.DataFrame({
            "started": grouped.size(),
            "expected_days": grouped["wait"].quantile(rules()["expected_quantile"]),
            "median_days": grouped["wait"].median(),
            "deadline_cases": grouped["had_deadline"].sum(),
            "breaches": grouped["breach"].sum(),
        })

    return _stored(db, f"waits_by_{by}", (version, first, last, rules()), compute)


def site_indicators(db: str, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Every referral indicator per hospital (:func:`helsekit.analytics.indicators.compute`, breakdown
    "site") from ``first`` to ``last``, one row per (indicator_id, hospital_id) with compute's columns.
    Cached like :func:`site_waits`; do not modify the frame returned."""
    return _site_indicators(db, archive_version(db), first, last)


def hospital_indicator_ids() -> list[str]:
    """The catalogue indicators computed per hospital: those counted from the referrals."""
    return [i.id for i in indicators.catalogue().values() if i.table == "referrals" and "site" in i.breakdowns]


@lru_cache(maxsize=8)
def _site_indicators(db: str, version: tuple, first: dt.date, last: dt.date) -> pd.DataFrame:
    def compute() -> pd.DataFrame:
        frames = []
        for indicator_id in hospital_indicator_ids():
            table = indicators.compute(db, indicator_id, "site", (first.isoformat(), last.isoformat()))
            frames.append(table.assign(indicator_id=indicator_id, hospital_id=table["unit_id"].astype(np.int64)))
        return pd.concat(frames, ignore_index=True).drop(columns=["unit_id", "unit_name"])

    return _stored(db, "site_indicators", (version, first, last, specs.load("indicators")), compute)


def prepare(db: str, today: dt.date) -> None:
    """Compute and store the figures Velg behandlingssted shows on ``today`` (waits by treatment and by
    sector, and the site indicators, over :func:`last_period`), after clearing what an earlier database at
    the same place left in ``<db>.derived/``, so that the first search answers from the stored files.
    ``helsekit generate`` calls it; without it the first search computes them."""
    folder = derived_path(db)
    if folder.is_dir():
        for stale in folder.glob("*.parquet"):
            stale.unlink()
    first, last = last_period(today)
    for by in GROUPINGS:
        site_waits(db, first, last, by)
    site_indicators(db, first, last)


def derived_path(db: str) -> Path:
    """Where the stored figures live: beside the archive, ``helsekit.histories/`` → ``helsekit.derived/``."""
    return archive.archive_path(db).with_suffix(".derived")


def _stored(db: str, name: str, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()``, or the copy stored under ``key`` (archive version, period, rules: any change makes a new file)."""
    digest = hashlib.sha256(repr((STORED_FORMAT, key)).encode()).hexdigest()[:16]
    folder = derived_path(db)
    path = folder / f"{name}-{digest}.parquet"
    if path.exists():
        return pd.read_parquet(path)
    frame = compute()
    try:
        folder.mkdir(exist_ok=True)
        temporary = folder / f".{path.name}.{os.getpid()}.tmp"
        frame.to_parquet(temporary)
        os.replace(temporary, path)  # readers see the whole file or none
    except OSError:  # a read-only place: the figures stay in memory only
        pass
    return frame


@lru_cache(maxsize=1)  # the norway archive has 14 M referrals: keep one version in memory
def _started(db: str, version: tuple) -> pd.DataFrame:
    """Every referral whose care started, with its wait in days (one read of the archive per version)."""
    parts = sorted((archive.archive_path(db) / "referrals").glob("part-*.parquet"))
    if parts and "treatment" not in pq.read_schema(parts[0]).names:
        raise DatabaseError(f"the referrals of {db} were generated before they named a treatment; generate the database again",
                            "Databasen ble laget før henvisningene hadde behandling; lag den på nytt (helsekit generate).", "db")
    table = archive.read(db, "referrals", _COLUMNS)
    start = table["start_of_care"].to_numpy().astype("datetime64[D]")
    keep = ~np.isnat(start) & table["hospital_id"].is_valid().to_numpy(zero_copy_only=False)
    deadline = table["legal_deadline"].to_numpy().astype("datetime64[D]")[keep]
    breach = table["fristbrudd"].fill_null(False).to_numpy(zero_copy_only=False).astype(bool)[keep]
    return pd.DataFrame({
        "hospital_id": table["hospital_id"].fill_null(-1).to_numpy()[keep],
        "sector": table["sector"].to_numpy(zero_copy_only=False)[keep],
        "treatment": table["treatment"].to_numpy(zero_copy_only=False)[keep],
        "start": start[keep],
        "wait": (start[keep] - table["received_on"].to_numpy().astype("datetime64[D]")[keep]).astype(np.int64),
        "had_deadline": ~np.isnat(deadline),
        "breach": ~np.isnat(deadline) & breach,
    })
