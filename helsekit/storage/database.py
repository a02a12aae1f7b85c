"""Storage at the edge: engines, the synthetic-identity guard, bulk writes and a content digest.

SQLite is the embedded default; any SQLAlchemy URL works. A database is written whole or not at
all: SQLite into a temporary file that replaces the target only on success, other databases in
one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from helsekit import domain
from helsekit.domain import identifiers, person_numbers
from helsekit.errors import DatabaseError, InvalidIdentifier, NotSyntheticPersonNumber

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
    return sa.create_engine(db if is_url(db) else f"sqlite:///{db}")


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

def check_identities(tables: dict[str, dict[str, np.ndarray]]) -> None:
    """Refuse a whole write if any person or organisation number in it is not synthetic."""
    if "citizen" in tables:
        numbers = tables["citizen"]["person_number"]
        ok = person_numbers.check_synthetic_many(numbers)
        if not ok.all():
            raise NotSyntheticPersonNumber(numbers[np.flatnonzero(~ok)[0]])
    if "organisation" in tables:
        for number in tables["organisation"]["organisation_number"]:
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

def _placeholders(engine: sa.Engine, n: int) -> str:
    style = engine.dialect.paramstyle
    if style == "qmark":
        return ", ".join("?" * n)
    if style == "numeric":
        return ", ".join(f":{i + 1}" for i in range(n))
    return ", ".join(["%s"] * n)


def _python_values(table: sa.Table, name: str, values: np.ndarray, sqlite: bool) -> list:
    out = values.tolist()
    if not sqlite and isinstance(table.c[name].type, sa.Date):
        out = [None if v is None else dt.date.fromisoformat(v) for v in out]
    return out


def _insert(cursor, engine: sa.Engine, table: sa.Table, columns: dict[str, np.ndarray], chunk_size: int, advance: Callable[[int], None]) -> None:
    names = [c.name for c in table.columns]
    missing = set(names) - set(columns)
    if missing:
        raise ValueError(f"table {table.name} is missing columns {sorted(missing)}")
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({_placeholders(engine, len(names))})"
    n = len(columns[names[0]])
    sqlite = engine.dialect.name == "sqlite"
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        cursor.executemany(sql, zip(*(_python_values(table, c, columns[c][start:stop], sqlite) for c in names)))
        advance(stop - start)


def write_tables(
    db: str,
    tables: dict[str, dict[str, np.ndarray]],
    meta: dict[str, str],
    chunk_size: int = 100_000,
    advance: Callable[[int], None] = lambda rows: None,
) -> None:
    """Write every table in one go, indexes after the rows; all or nothing."""
    check_writable(db)
    check_identities(tables)
    target = Path(db) if not is_url(db) else None
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}") if target else None
    if temporary and temporary.exists():
        temporary.unlink()
    engine = engine_for(temporary if temporary else db)
    ordered = [t for t in SQLModel.metadata.sorted_tables if t.name in tables or t is META]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144", "foreign_keys = OFF"):
                cursor.execute(f"PRAGMA {pragma}")
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                cursor.execute(f"DROP TABLE IF EXISTS {table.name} CASCADE")
        for table in ordered:
            cursor.execute(str(CreateTable(table).compile(engine)))
        for table in ordered:
            if table is META:
                _insert(cursor, engine, META, {"key": np.array(list(meta), dtype=object), "value": np.array(list(meta.values()), dtype=object)}, chunk_size, lambda rows: None)
            else:
                _insert(cursor, engine, table, tables[table.name], chunk_size, advance)
        for table in ordered:
            for index in sorted(table.indexes, key=lambda i: i.name):
                cursor.execute(str(CreateIndex(index).compile(engine)))
        if engine.dialect.name == "sqlite":
            cursor.execute("ANALYZE")
        raw.commit()
    except BaseException:
        raw.rollback()
        raw.close()
        engine.dispose()
        if temporary and temporary.exists():
            temporary.unlink()
        raise
    raw.close()
    engine.dispose()
    if temporary:
        os.replace(temporary, target)


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
    return digest.hexdigest()
