"""One citizen's rows of the history archive (Parquet beside the database), as DataFrames for the services."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
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


def of(session: Session, table: str, citizen_id: int, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of history ``table`` about ``citizen_id`` (for ``referral_statuses``: of their referrals),
    read from the row group(s) of the citizen's block that hold them (see ``archive.read_citizen``)."""
    db = database_of(session)
    # A few hundred rows at most: converting them on one thread saves the thread pool's start-up.
    return archive.read_citizen(db, table, citizen_id, _block_size(db), columns).to_pandas(use_threads=False)
