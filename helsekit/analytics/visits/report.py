"""The standard monthly visit report: one Ibis expression, run on DuckDB or Spark, returned as pandas."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from helsekit.analytics.visits import backends, choices, metrics


def monthly(t, period=None, services: Iterable[str] | None = None, catalogue: Sequence[str] | None = None):
    """The report's expression: per month the visits, logins, distinct logged-in visitors, app visits,
    visits per chosen service, and the visits' growth on the previous month."""
    if catalogue is None:
        from helsekit.analytics.visits import services as spec_services
        catalogue = spec_services()
    names = choices.check_services(services, catalogue)
    t = metrics.within(t, period)
    table = t.group_by(t.start.truncate("M").date().name("period")).agg(
        visits=t.count(),
        logins=t.logged_in.sum(),
        unique_visitors=t.citizen_id.nunique(),
        app_visits=(t.device == "app").sum(),
        **metrics.service_flags(t, names, catalogue),
    )
    return metrics.growth(table).drop("previous").order_by("period")


def monthly_report(db: str | None = None, *, backend: str = "duckdb", period=None, services: Iterable[str] | None = None,
                   catalogue: Sequence[str] | None = None, log=None, con=None) -> pd.DataFrame:
    """The standard monthly report of a database's visit log (or of the log folder ``log``) as a DataFrame.

    ``period`` (first day, last day) must overlap the log; ``services`` picks service columns (all by
    default); ``con`` reuses an Ibis connection (e.g. one Spark session for several reports)."""
    from helsekit import config

    path = backends.visit_log_path(db or config.default_database()) if log is None else log
    period = choices.check_period(period, backends.extent(path))
    con = con if con is not None else backends.connect(backend)
    frame = monthly(backends.read_visits(con, path), period, services, catalogue).to_pandas()
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def geography(db: str | None = None) -> pd.DataFrame:
    """Kommune → fylke for :func:`metrics.per_fylke`: ``kommune_number``, ``fylke_number``, ``fylke``."""
    import helsekit

    data = helsekit.open(db)
    fylker = data.fylker.rename(columns={"number": "fylke_number", "name": "fylke"})[["fylke_number", "fylke"]]
    kommuner = data.kommuner.rename(columns={"number": "kommune_number"})[["kommune_number", "fylke_number"]]
    return kommuner.merge(fylker, on="fylke_number", how="left")
