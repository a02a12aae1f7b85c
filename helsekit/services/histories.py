"""One citizen's rows of the history archive (Parquet beside the database), as DataFrames for the services."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlmodel import Session

from helsekit.errors import DatabaseError
from helsekit.services.access import database_of
from helsekit.storage import archive, database


@lru_cache(maxsize=64)
def _block_size(db: str) -> int:
    meta = database.read_meta(db)
    if meta.get("histories") != "yes" or "history_block_size" not in meta:
        raise DatabaseError(f"db: {db} has no health histories; generate it again with histories",
                            f"Databasen {db} har ingen helsehistorikk; generer den på nytt.", "db")
    return int(meta["history_block_size"])


def table(session: Session, table: str, citizen_id: int, columns: list[str] | None = None) -> pa.Table:
    """The rows of history ``table`` about ``citizen_id`` (for ``referral_statuses``: of their referrals) as
    an Arrow table, read from the row group(s) of the citizen's block that hold them (``archive.read_citizen``).
    The overview's tiles use this: a few numpy operations on a handful of rows cost far less than pandas."""
    db = database_of(session)
    return archive.read_citizen(db, table, citizen_id, _block_size(db), columns)


def of(session: Session, table_name: str, citizen_id: int, columns: list[str] | None = None) -> pd.DataFrame:
    """:func:`table` as a DataFrame."""
    # A few hundred rows at most: converting them on one thread saves the thread pool's start-up.
    return table(session, table_name, citizen_id, columns).to_pandas(use_threads=False)


def column(rows: pa.Table, name: str) -> np.ndarray:
    """One column as numpy: dates as datetime64[D], times as datetime64, nulls as NaT (NaN for numbers)."""
    return rows[name].to_numpy()
