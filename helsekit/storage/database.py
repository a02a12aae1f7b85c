"""Storage at the edge: engines, the synthetic-identity guard, bulk writes and a content digest.

SQLite is the embedded default; any SQLAlchemy URL works. A database is written whole or not at
all: SQLite into a temporary file that replaces the target only on success, other databases in
one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import queue
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterable

import adbc_driver_sqlite.dbapi as adbc_sqlite
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy import event
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from helsekit import domain
from helsekit.domain import identifiers, person_numbers
from helsekit.errors import DatabaseError, NotSyntheticPersonNumber

META = sa.Table(
    "helsekit_meta", SQLModel.metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.String, nullable=False),
)


def is_url(db: str) -> bool:
    """True when ``db`` is a SQLAlchemy URL rather than a file path."""
    return "://" in str(db)


def engine_for(db: str | os.PathLike) -> sa.Engine:
    """An engine for a SQLite file path or any SQLAlchemy URL."""
    db = str(db)
    url = db if is_url(db) else f"sqlite:///{db}"
    # SQLite: a writer waits up to 30 s for another's lock instead of failing at once with
    # "database is locked" (concurrent bookings, tests/services/test_booking_concurrency.py).
    return sa.create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})


def check_writable(db: str) -> None:
    """Fail early, with the path in the message, when a SQLite target cannot be written."""
    if is_url(db):
        return
    folder = Path(db).expanduser().resolve().parent
    if not folder.is_dir():
        raise DatabaseError(
            f"db: cannot write {db}: the folder {folder} does not exist",
            f"Kan ikke skrive databasen {db}: mappen {folder} finnes ikke.", "db",
        )
    if not os.access(folder, os.W_OK) or (Path(db).exists() and not os.access(db, os.W_OK)):
        raise DatabaseError(
            f"db: cannot write {db}: permission denied",
            f"Kan ikke skrive databasen {db}: mangler skrivetilgang.", "db",
        )


# --- The guard: nothing but synthetic identities enters storage. -----------------------------

def _strings(values) -> np.ndarray:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = values.to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=str)


def _synthetic_person_numbers(numbers: pa.Array) -> np.ndarray:
    """True where a person number (Arrow strings) is synthetic; the codec's rules at Arrow speed."""
    well_formed = pc.fill_null(pc.match_substring_regex(numbers, "^[0-9]{11}$"), False).to_numpy(zero_copy_only=False)
    as_int = pc.cast(pc.if_else(pa.array(well_formed), numbers, "00000000000"), pa.int64()).to_numpy()
    return person_numbers.check_synthetic_digits(person_numbers.digits_of(as_int), well_formed)


def check_identities(name: str, columns: dict) -> None:
    """Refuse a table if any person or organisation number in it is not synthetic."""
    if name == "citizen":
        numbers = columns["person_number"]
        numbers = numbers if isinstance(numbers, pa.Array) else pa.array(_strings(numbers), type=pa.string())
        ok = _synthetic_person_numbers(numbers)
        if not ok.all():
            raise NotSyntheticPersonNumber(numbers[int(np.flatnonzero(~ok)[0])].as_py())
    if name == "organisation":
        for number in _strings(columns["organisation_number"]):
            identifiers.validate_organisation_number(number)


@event.listens_for(domain.Citizen, "before_insert")
@event.listens_for(domain.Citizen, "before_update")
def _citizen_is_synthetic(mapper, connection, citizen) -> None:  # noqa: ARG001 (SQLAlchemy's signature)
    person_numbers.validate(citizen.person_number, require_synthetic=True)


@event.listens_for(domain.Organisation, "before_insert")
@event.listens_for(domain.Organisation, "before_update")
def _organisation_is_synthetic(mapper, connection, organisation) -> None:  # noqa: ARG001
    identifiers.validate_organisation_number(organisation.organisation_number)


# --- Bulk writing. ------------------------------------------------------------------------------

def _arrow_type(column: sa.Column) -> pa.DataType:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    if isinstance(kind, sa.Integer):
        return pa.int64()
    if isinstance(kind, sa.Float):
        return pa.float64()
    return pa.string()  # text, and dates as ISO strings


def arrow_table(table: sa.Table, columns: dict) -> pa.Table:
    """The columns of one table (numpy or Arrow arrays) as an Arrow table in the table's column order."""
    missing = {c.name for c in table.columns} - set(columns)
    if missing:
        raise ValueError(f"table {table.name} is missing columns {sorted(missing)}")
    arrays = []
    for column in table.columns:
        values = columns[column.name]
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not isinstance(values, pa.Array):
            values = pa.array(values, type=_arrow_type(column), from_pandas=True)
        arrays.append(values.cast(_arrow_type(column)))
    return pa.Table.from_arrays(arrays, names=[c.name for c in table.columns])


def _insert_rows(cursor, engine: sa.Engine, table: sa.Table, batch: pa.RecordBatch) -> None:
    """Portable path (PostgreSQL and others): DB-API executemany of Python values."""
    style = engine.dialect.paramstyle
    marks = ", ".join("?" * batch.num_columns) if style == "qmark" else ", ".join(["%s"] * batch.num_columns)
    values = []
    for column, array in zip(table.columns, batch.columns):
        python = array.to_pylist()
        if isinstance(column.type, sa.Date):
            python = [None if v is None else dt.date.fromisoformat(v) for v in python]
        values.append(python)
    cursor.executemany(f"INSERT INTO {table.name} ({', '.join(batch.schema.names)}) VALUES ({marks})", list(zip(*values)))


class TableWriter:
    """Writes a database table by table, all or nothing.

    ``write(name, columns)`` checks identities and hands the table to a background thread that
    ingests it (SQLite, through ADBC's bulk ingest of Arrow batches) and builds its indexes, so the
    caller can go on generating; ``close(meta)`` waits, records ``meta`` and moves the finished file
    over ``db``. An error anywhere leaves ``db`` as it was. Other databases are written through
    SQLAlchemy's DB-API in one transaction at ``close``.
    """

    def __init__(self, db: str, chunk_size: int = 100_000, advance: Callable[[int], None] = lambda rows: None) -> None:
        check_writable(db)
        self.db, self.chunk_size, self.advance = db, chunk_size, advance
        self.sqlite = not is_url(db) or db.startswith("sqlite")
        self.tables: dict[str, pa.Table] = {}
        self.written: set[str] = set()
        self._queue: queue.Queue = queue.Queue()
        self._failure: BaseException | None = None
        from helsekit.storage import archive  # the archive module imports this one

        self._archive = archive
        self.archive_final = archive.archive_path(db)
        self.archive_temporary = self.archive_final.with_name(f".{self.archive_final.name}.tmp-{os.getpid()}")
        shutil.rmtree(self.archive_temporary, ignore_errors=True)
        if self.sqlite:
            self.target = Path(db.removeprefix("sqlite:///"))
            self.temporary = self.target.with_name(f".{self.target.name}.tmp-{os.getpid()}")
            self.temporary.unlink(missing_ok=True)
            self._thread = threading.Thread(target=self._work, name="helsekit-writer", daemon=True)
            self._thread.start()

    def write(self, name: str, columns: dict) -> None:
        """Check and queue one table (a dict of numpy or Arrow columns in any order)."""
        check_identities(name, columns)
        table = SQLModel.metadata.tables[name]
        self.tables[name] = arrow_table(table, columns)
        self.written.add(name)
        if self.sqlite:
            self._queue.put(table)

    def write_part(self, name: str, block: int, table: pa.Table) -> None:
        """Write one block of a history table to the (temporary) Parquet archive."""
        self._archive.write_part(self.archive_temporary, name, block, table)
        self.advance(table.num_rows)

    def _finish_archive(self) -> None:
        # A database and its archive are replaced together; no parts written means no archive.
        self._archive.replace(self.archive_temporary, self.archive_final)

    def _work(self) -> None:
        dialect = sqlite_dialect.dialect()
        try:
            # Autocommit: the temporary file, not a transaction, is what makes the write all-or-nothing.
            with adbc_sqlite.connect(str(self.temporary), autocommit=True) as conn, conn.cursor() as cursor:
                for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144", "threads = 2", "analysis_limit = 1000"):
                    cursor.execute(f"PRAGMA {pragma}")
                while (table := self._queue.get()) is not None:
                    if self._failure is not None:
                        continue
                    cursor.execute(str(CreateTable(table).compile(dialect=dialect)))
                    for batch in self.tables[table.name].to_batches(max_chunksize=self.chunk_size):
                        cursor.adbc_ingest(table.name, batch, mode="append")
                        self.advance(batch.num_rows)
                    for index in sorted(table.indexes, key=lambda i: i.name):
                        cursor.execute(str(CreateIndex(index).compile(dialect=dialect)))
                    del self.tables[table.name]  # free the memory as soon as it is on disk
                if self._failure is None:
                    cursor.execute("ANALYZE")
        except BaseException as error:  # reported by close()
            self._failure = error

    def close(self, meta: dict[str, str]) -> None:
        """Finish: create every table not written as an empty one (the services' own tables start
        empty), record ``meta``, wait for every table, and replace ``db`` with the result."""
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in self.written and table.name != META.name:
                self.write(table.name, {column.name: np.zeros(0, dtype=object) for column in table.columns})
        self.write("helsekit_meta", {"key": np.array(list(meta), dtype=object), "value": np.array(list(meta.values()), dtype=object)})
        if not self.sqlite:
            ordered = [t for t in SQLModel.metadata.sorted_tables if t.name in self.tables]
            _write_via_sqlalchemy(self.db, ordered, self.tables, self.chunk_size, self.advance)
            self._finish_archive()
            return
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            self.temporary.unlink(missing_ok=True)
            shutil.rmtree(self.archive_temporary, ignore_errors=True)
            raise self._failure
        os.replace(self.temporary, self.target)
        self._finish_archive()

    def abort(self) -> None:
        """Give up: stop the writer and remove the unfinished file and archive."""
        shutil.rmtree(self.archive_temporary, ignore_errors=True)
        if self.sqlite:
            self._failure = self._failure or RuntimeError("aborted")
            self._queue.put(None)
            self._thread.join()
            self.temporary.unlink(missing_ok=True)


def write_tables(db: str, tables: dict[str, dict], meta: dict[str, str], chunk_size: int = 100_000, advance: Callable[[int], None] = lambda rows: None) -> None:
    """Write every table in one go, all or nothing (see :class:`TableWriter`); Arrow tables are histories."""
    writer = TableWriter(db, chunk_size, advance)
    try:
        for name, columns in tables.items():
            if isinstance(columns, pa.Table):  # a history table goes to the archive
                writer.write_part(name, 0, columns)
            else:
                writer.write(name, columns)
        writer.close(meta)
    except BaseException:
        writer.abort()
        raise


def _write_via_sqlalchemy(db: str, ordered: list[sa.Table], data: dict[str, pa.Table], chunk_size: int, advance) -> None:
    engine = engine_for(db)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in reversed(SQLModel.metadata.sorted_tables):
            cursor.execute(f"DROP TABLE IF EXISTS {table.name} CASCADE")
        for table in ordered:
            cursor.execute(str(CreateTable(table).compile(engine)))
        for table in ordered:
            for batch in data[table.name].to_batches(max_chunksize=chunk_size):
                _insert_rows(cursor, engine, table, batch)
                advance(batch.num_rows)
        for table in ordered:
            for index in sorted(table.indexes, key=lambda i: i.name):
                cursor.execute(str(CreateIndex(index).compile(engine)))
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
        engine.dispose()


def add_missing_tables(db: str) -> list[str]:
    """Create, empty, every helsekit table a database lacks, with its indexes, and return their names.

    The services' own tables (bookings, messages, wishes …) start empty in a new database anyway, so a
    database generated before such a table was added to helsekit gets it here instead of failing on
    first use; tables that exist are left as they are."""
    engine = engine_for(db)
    missing = [t for t in SQLModel.metadata.sorted_tables if not sa.inspect(engine).has_table(t.name)]
    SQLModel.metadata.create_all(engine, tables=missing)
    return [t.name for t in missing]


def read_meta(db: str) -> dict[str, str]:
    """The generation settings stored with a database (profile, seed, reference date …)."""
    with engine_for(db).connect() as conn:
        return dict(conn.execute(sa.select(META.c.key, META.c.value)).all())


def content_digest(db: str, tables: Iterable[str] | None = None) -> str:
    """SHA-256 of every row of every helsekit table in primary-key order: equal digests, equal content."""
    digest = hashlib.sha256()
    engine = engine_for(db)
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if tables is not None and table.name not in tables:
                continue
            key = list(table.primary_key.columns) or list(table.columns)
            digest.update(table.name.encode())
            for row in conn.execute(sa.select(table).order_by(*key)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    from helsekit.storage import archive

    for name in archive.tables(db):
        if tables is None or name in tables:
            digest.update(name.encode())
            for column in archive.read(db, name).columns:
                digest.update(repr(column.to_pylist()).encode())
    return digest.hexdigest()
