"""What an export reads: SQL tables and history tables as Arrow, limited to some citizens if asked."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlmodel import SQLModel

from helsekit.storage import archive
from helsekit.storage.database import arrow_table, engine_for


def _plain(value):
    """Dates as ISO text, as helsekit stores them (SQLAlchemy hands them back as date objects)."""
    return value.isoformat() if isinstance(value, dt.date) else value


#: The column naming the citizen a row is about, where it is not ``citizen_id``.
_CITIZEN_KEY = {"citizen": "id", "parent_relation": "child_id", "fullmakt": "giver_id"}


class Source:
    """One database's tables for an export; ``citizens`` (ids) limits the citizen tables, or None for all."""

    def __init__(self, db: str, citizens: list[int] | None = None) -> None:
        self.db, self.citizens = db, None if citizens is None else pa.array(sorted(set(citizens)), pa.int64())
        self.engine = engine_for(db)
        self._cache: dict[str, pa.Table] = {}

    def only(self, citizens) -> Source:
        """The same tables (read once, shared) limited to ``citizens``."""
        view = Source.__new__(Source)
        view.db, view.engine, view._cache = self.db, self.engine, self._cache
        view.citizens = pa.array(sorted(int(c) for c in citizens), pa.int64())
        return view

    def sql(self, name: str, limited: bool = True) -> pa.Table:
        """A SQL table in primary-key order; the rows of the chosen citizens unless ``limited`` is false."""
        if name not in self._cache:
            table = SQLModel.metadata.tables[name]
            with self.engine.connect() as connection:
                rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            columns = {c.name: np.array([_plain(r[i]) for r in rows], dtype=object) for i, c in enumerate(table.columns)}
            self._cache[name] = arrow_table(table, columns)
        return self._limit(self._cache[name], _CITIZEN_KEY.get(name, "citizen_id")) if limited else self._cache[name]

    def history(self, name: str, columns: list[str]) -> pa.Table:
        """A history table's ``columns`` (stored in citizen and time order), limited to the chosen citizens."""
        key = f"history:{name}:{','.join(columns)}"
        if key not in self._cache:
            if name not in archive.tables(self.db):
                raise FileNotFoundError(archive.archive_path(self.db) / name)
            self._cache[key] = archive.read(self.db, name, columns)
        return self._limit(self._cache[key], "citizen_id")

    def _limit(self, table: pa.Table, key: str) -> pa.Table:
        if self.citizens is None or key not in table.column_names:
            return table
        return table.filter(pc.is_in(table[key], value_set=self.citizens))
