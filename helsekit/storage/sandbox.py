"""A private copy of a database and its history archive, for demos and tests that write.

Pilots and notebooks act through the services, and services write (bookings, messages, the log of
reads). A demo that should leave the shared database as it was works on a sandbox instead.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from helsekit import config
from helsekit.errors import DatabaseError
from helsekit.storage.archive import archive_path
from helsekit.storage.database import is_url


def sandbox(db: str | None = None, folder: str | Path | None = None) -> str:
    """Copy the SQLite database ``db`` (default: the embedded one) and its archive into ``folder``
    (default: a new temporary folder) and return the copy's path."""
    db = str(db or config.default_database())
    if is_url(db) and not db.startswith("sqlite:///"):
        raise DatabaseError(f"db: only a SQLite file can be copied into a sandbox, not {db}",
                            "Bare en SQLite-fil kan kopieres til en sandkasse.", "db")
    source = Path(db.removeprefix("sqlite:///"))
    if not source.is_file():
        raise DatabaseError(f"db: no helsekit database at {source}; create one with `make demo`",
                            f"Fant ingen helsekit-database i {source}; lag en med `make demo`.", "db")
    target = Path(folder or tempfile.mkdtemp(prefix="helsekit-sandbox-")) / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    if archive_path(str(source)).is_dir():
        shutil.copytree(archive_path(str(source)), archive_path(str(target)), dirs_exist_ok=True)
    return str(target)
