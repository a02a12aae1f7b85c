"""Visit statistics: metrics written once as Ibis expressions, run on DuckDB (default) or Apache Spark.

Why Ibis: the analysts' reports must run on a laptop (embedded DuckDB over the Parquet visit log) and,
unchanged, on Spark when the log outgrows one machine (issue #6). Ibis builds one lazy expression per
metric in Python and compiles it for whichever backend it is run on, so a metric has exactly one
definition, composes like a DataFrame (filters, joins, windows, a bitmask test per service) and is
checked on both engines by the same test (``tests/analytics/test_visit_metrics.py``). A single SQL
dialect with a thin runner would need the DuckDB and Spark SQL differences (``date_trunc``, bit
operators, ``unnest``/``explode``) handled by hand, and SQL strings assembled from user choices. Ibis 12
supports PySpark below 4.1 (hence the pin); ``.to_pandas()`` is called only after aggregation.

>>> log = helsekit.open().visits                                   # doctest: +SKIP
>>> metrics.per_device(log, grain="year").to_pandas()               # doctest: +SKIP
>>> report.monthly_report(db, backend="spark", period=("2021-01-01", "2021-12-31"))  # doctest: +SKIP

Modules: :mod:`.backends` (connect, read the log), :mod:`.choices` (period, grain and services
checked), :mod:`.metrics` (the definitions), :mod:`.report` (the standard monthly report as a pandas
DataFrame).
"""

from __future__ import annotations

from pathlib import Path

from helsekit.generator import specs


def services(specs_dir: Path | None = None) -> list[str]:
    """The portal's service areas in bit order (bit i of ``services`` = entry i), from specs/visits.toml
    (``[services] names``)."""
    listed = specs.load("visits", specs_dir)["services"]
    return list(listed["names"] if isinstance(listed, dict) else listed)
