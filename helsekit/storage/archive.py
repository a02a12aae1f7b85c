"""The history archive: immutable event tables as Parquet, beside the database.

Ten years of events for millions of citizens (hundreds of millions of rows) are far cheaper to write
and scan as columnar Parquet than as SQLite rows; the analyst API reads them as DataFrames, so where
they live is hidden. Each table is a folder of part files, one per block of citizens, sorted by
citizen and time, so one citizen's history is in one part.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.engine import make_url

from helsekit import config
from helsekit.storage.database import is_url


def archive_path(db: str) -> Path:
    """Where a database's history archive lives: ``helsekit.db`` → ``helsekit.histories/``."""
    if not is_url(db) or db.startswith("sqlite:///"):
        path = Path(db.removeprefix("sqlite:///"))
        return path.with_name(f"{path.stem}.histories")
    name = re.sub(r"[^A-Za-z0-9]+", "-", make_url(db).database or "").strip("-") or "database"
    return config.SYNTHETIC_DATA_DIR / f"{name}-{hashlib.sha256(db.encode()).hexdigest()[:8]}.histories"


#: History tables without a ``citizen_id`` column, and the id column whose value is ``citizen id × factor + n``.
_KEYED_BY = {"referral_statuses": ("referral_id", 1000)}

def visit_log_path(db: str) -> Path:
    """Where a database's visit log lives, beside its histories: ``helsekit.db`` → ``helsekit.visits/``."""
    return archive_path(str(db)).with_suffix(".visits")


def rows_per_group(rows: int) -> int:
    """Rows per row group for a part of ``rows`` rows: about 8·√rows, rounded up to a multiple of 1,024.

    Reading one citizen parses the part's footer, which grows with the number of row groups, and
    decompresses the citizen's row group, which grows with its size; the sum is least when both grow
    alike, with groups of √rows times a constant. Reading one citizen from ten tables of a
    12,500-citizen block with nothing cached took 14 ms (p50) with 8·√rows against 17 ms with 8,192
    rows in every table; 4·√rows was no faster, and 16,384 to 65,536 rows everywhere 12 to 28 ms.
    """
    return max(1024, -(-int(8 * rows**0.5) // 1024) * 1024)


#: Footer key of a part's index: the first key (``citizen_id`` or ``referral_id``) of each row group, int64.
_INDEX_KEY = b"helsekit.first_key_of_row_group"


def _key_of(table_name: str, column_names: list[str]) -> tuple[str, int] | None:
    """The column one citizen's rows are found by, and its factor; None for tables not about one citizen."""
    key, factor = _KEYED_BY.get(table_name, ("citizen_id", 1))
    return (key, factor) if key in column_names else None


def write_part(folder: Path, table_name: str, block: int, table: pa.Table, group_rows: int | None = None) -> None:
    """Write one block of one table (zstd-compressed Parquet) in row groups of ``group_rows`` rows
    (default: :func:`rows_per_group`),
    with the first key of each group in the footer, so :func:`read_citizen` finds a citizen's group(s)
    without scanning statistics. Groups are cut every ``group_rows`` rows, not at citizen
    boundaries: a citizen then sometimes spans two groups, but writing each group apart to cut at
    citizen boundaries took 3.2 s of CPU for the default profile's parts against 2.8 s (2.6 s in
    one row group per part).

    Only the text columns are dictionary-encoded and only the key column gets statistics: trying a
    dictionary on millions of distinct ids, and min/max on every column, took a third of the time
    for no gain in size (measured on a 25,000-citizen block of every history table).
    """
    target = folder / table_name
    target.mkdir(parents=True, exist_ok=True)
    text = [f.name for f in table.schema if pa.types.is_string(f.type)]
    keyed = _key_of(table_name, table.column_names)
    group_rows = group_rows or rows_per_group(table.num_rows)
    with pq.ParquetWriter(target / f"part-{block:05d}.parquet", table.schema, compression="zstd",
                          use_dictionary=text or False, write_statistics=[keyed[0]] if keyed else False) as writer:
        writer.write_table(table, row_group_size=group_rows)  # pyarrow cuts exactly every group_rows rows
        if keyed:
            first = table[keyed[0]].to_numpy()[::group_rows]
            writer.add_key_value_metadata({_INDEX_KEY: np.asarray(first, "<i8").tobytes()})


def replace(temporary: Path, final: Path) -> None:
    """Put a finished archive in place of the old one."""
    if final.exists():
        shutil.rmtree(final)
    if temporary.exists():
        temporary.rename(final)


def tables(db: str) -> list[str]:
    """The history tables a database has."""
    folder = archive_path(db)
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def row_counts(db: str) -> dict[str, int]:
    """Rows per history table, from the Parquet footers (no data is read)."""
    folder = archive_path(db)
    return {name: sum(pq.ParquetFile(p).metadata.num_rows for p in sorted((folder / name).glob("part-*.parquet")))
            for name in tables(db)}


def read(db: str, table_name: str, columns: list[str] | None = None) -> pa.Table:
    """One history table (only ``columns``, when given), every part, in citizen and time order."""
    folder = archive_path(db) / table_name
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        raise FileNotFoundError(folder)
    return pa.concat_tables([pq.read_table(p, columns=columns) for p in parts])


@lru_cache(maxsize=48)
def _footer(path: str, inode: int, changed: int, size: int) -> tuple[pq.ParquetFile, np.ndarray | None, threading.Lock]:
    """A part opened with its parsed footer, its row-group index (None in parts written before the
    index), and a lock for reading from the one open file.

    Kept for the last 48 parts (a footer of 200 row groups takes about 1 MiB parsed): reads of one
    citizen's tables, and of the same citizen again, reuse them without opening the file again;
    ``inode``, ``changed`` and ``size`` (the file's inode, mtime and size) make a regenerated archive miss.
    """
    part = pq.ParquetFile(path)
    index = (part.metadata.metadata or {}).get(_INDEX_KEY)
    first = None if index is None else np.frombuffer(index, "<i8")
    return part, first if first is not None and first.size == part.metadata.num_row_groups else None, threading.Lock()


def _groups_by_statistics(metadata: pq.FileMetaData, key: str, low: int, high: int) -> list[int]:
    """Row groups whose key statistics overlap [low, high] (parts written without the index)."""
    column = metadata.schema.names.index(key)
    groups = []
    for i in range(metadata.num_row_groups):
        stats = metadata.row_group(i).column(column).statistics
        if stats is None or not stats.has_min_max or (stats.min <= high and stats.max >= low):
            groups.append(i)
    return groups


def read_citizen(db: str, table_name: str, citizen_id: int, block_size: int, columns: list[str] | None = None) -> pa.Table:
    """One citizen's rows of one history table, in stored (time) order: only the row group(s) of the
    citizen's block part that hold the citizen are decompressed.

    ``block_size`` is the number of citizens per part (``history_block_size`` in the database's meta).
    For ``referral_statuses`` the rows are those of the citizen's referrals.
    """
    path = archive_path(db) / table_name / f"part-{(citizen_id - 1) // block_size:05d}.parquet"
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise FileNotFoundError(path) from None
    return _citizen_rows(str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size, table_name, citizen_id,
                         None if columns is None else tuple(columns))


@lru_cache(maxsize=256)
def _citizen_rows(path: str, inode: int, changed: int, size: int, table_name: str, citizen_id: int,
                  columns: tuple[str, ...] | None) -> pa.Table:
    """:func:`read_citizen` of one part, kept for the last 256 reads: the overview alone reads one
    citizen's hospital appointments twice (their appointments and their referrals), and a portal
    page often reads what the one before it did. Each result is a copy of its few rows, so the
    cache does not hold on to the row groups they came from."""
    part, first, lock = _footer(path, inode, changed, size)
    metadata = part.metadata
    keyed = _key_of(table_name, metadata.schema.names)
    if keyed is None:
        raise ValueError(f"history table {table_name} is not kept per citizen")
    key, factor = keyed
    low, high = citizen_id * factor, citizen_id * factor + factor - 1
    if first is None:
        groups = _groups_by_statistics(metadata, key, low, high)
    else:
        groups = list(range(max(int(np.searchsorted(first, low, "left")) - 1, 0), int(np.searchsorted(first, high, "right"))))
    wanted = list(metadata.schema.names) if columns is None else list(columns)
    read = wanted if key in wanted else [*wanted, key]
    with lock:
        rows = part.read_row_groups(groups, columns=read, use_threads=False)
    keys = rows[key].to_numpy()
    if first is None:  # not necessarily sorted within the groups read
        return rows.filter(pa.array((keys >= low) & (keys <= high))).select(wanted)
    start, stop = np.searchsorted(keys, [low, high + 1])
    return rows.take(np.arange(start, stop)).select(wanted)
