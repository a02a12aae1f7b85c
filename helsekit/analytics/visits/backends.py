"""Where the visit log lives and how an engine reads it: DuckDB (embedded, the default) or Spark.

The visit log is hive-partitioned Parquet beside the database (``helsekit.db`` → ``helsekit.visits/
year=YYYY/month=M/part-NNNNN.parquet``). Both engines read it into an Ibis table with the columns of
``COLUMNS["visits"]``; the partition columns are dropped (they repeat ``start``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import ibis
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helsekit.errors import DatabaseError, InvalidOption

BACKENDS = ("duckdb", "spark")
#: Spark's master unless a session is given: local mode on two cores; any cluster URL by configuration.
SPARK_MASTER = os.environ.get("HELSEKIT_SPARK_MASTER", "local[2]")
_PARTITION = re.compile(r"year=(\d{4})/month=(\d{1,2})$")


def connect(backend: str = "duckdb", session=None):
    """An Ibis connection: ``"duckdb"`` (in memory) or ``"spark"`` (``session``, or a local one).

    The Spark session runs in UTC so that the log's naive local times keep their wall-clock value."""
    if backend not in BACKENDS:
        raise InvalidOption(
            f"backend {backend!r} is unknown; choose one of: {', '.join(BACKENDS)}",
            f"Motoren {backend!r} finnes ikke; velg en av: {', '.join(BACKENDS)}.", "backend",
        )
    if backend == "duckdb":
        return ibis.duckdb.connect()
    return ibis.pyspark.connect(session or spark_session())


def spark_session(config: dict[str, str] | None = None):
    """A Spark session for the visit metrics: ``SPARK_MASTER``, UI off, UTC, few shuffle partitions, quiet.

    ``config`` adds or overrides Spark settings (e.g. the tests' quick-starting JVM)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InvalidOption(
            "backend 'spark' needs PySpark and a Java runtime: pip install 'helsekit[spark]'",
            "Spark krever PySpark og Java: installer helsekit[spark].", "backend",
        ) from None
    builder = (
        SparkSession.builder.master(SPARK_MASTER).appName("helsekit-visits")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
    )
    if SPARK_MASTER.startswith("local"):  # stay on the loopback: no lookup of the machine's name
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def partitions(path: Path) -> list[tuple[int, int, Path]]:
    """The log's (year, month, folder) partitions, oldest first."""
    found = []
    for folder in Path(path).glob("year=*/month=*"):
        match = _PARTITION.search(folder.as_posix())
        if match and any(folder.glob("*.parquet")):
            found.append((int(match[1]), int(match[2]), folder))
    return sorted(found)


def _missing(path: Path) -> DatabaseError:
    return DatabaseError(
        f"visits: no visit log at {path}; create it with `helsekit generate-visits`",
        f"Fant ingen besøkslogg i {path}; lag den med `helsekit generate-visits`.", "visits",
    )


def read_visits(con, path: Path, keep_partitions: bool = False):
    """The visit log at ``path`` as a lazy Ibis table on the connection ``con``.

    ``keep_partitions`` keeps the folder's ``year`` and ``month`` columns (whole numbers, the month
    of ``start``): grouping or filtering by them is free on DuckDB, which reads them from the paths."""
    path = Path(path)
    if not partitions(path):
        raise _missing(path)
    if con.name == "duckdb":
        table = con.read_parquet(str(path / "year=*" / "month=*" / "*.parquet"), hive_partitioning=True)
    else:
        table = con.read_parquet(str(path))
    return table if keep_partitions else table.drop("year", "month")


def extent(path: Path) -> tuple[dt.datetime, dt.datetime]:
    """The first and last visit start in the log, from the Parquet footers of its first and last month."""
    found = partitions(Path(path))
    if not found:
        raise _missing(Path(path))
    first, last = _starts(found[0][2]), _starts(found[-1][2])
    return min(low for low, _ in first), max(high for _, high in last)


def _starts(folder: Path) -> list[tuple[dt.datetime, dt.datetime]]:
    bounds = []
    for file in sorted(folder.glob("*.parquet")):
        metadata = pq.ParquetFile(file).metadata
        column = metadata.schema.names.index("start")
        stats = [metadata.row_group(i).column(column).statistics for i in range(metadata.num_row_groups)]
        if stats and all(s is not None and s.has_min_max for s in stats):
            bounds.append((min(s.min for s in stats), max(s.max for s in stats)))
        else:  # no statistics written: read the column
            starts = pq.read_table(file, columns=["start"])["start"]
            bounds.append(tuple(v.as_py() for v in pc.min_max(starts).values()))
    return bounds
