"""What the visit-statistics report notebooks (``notebooks/reports/``) compute, so that they hold only calls.

A report is given its choices as papermill parameters: ``db``, ``period_from``/``period_to``,
``granularity``, ``services``, ``sites``, ``scale`` and ``backend``. :func:`check_choices` refuses a bad
one before anything runs (naming the field); :func:`prepare_log` generates the visit log beside the
database when it is missing; the other functions return small pandas frames after aggregation on
DuckDB or Spark (the metrics of :mod:`helsekit.analytics.visits.metrics`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from helsekit import config
from helsekit.analytics.visits import backends, choices, metrics
from helsekit.analytics.visits import services as spec_services
from helsekit.errors import DatabaseError, InvalidInput
from helsekit.generator import specs
from helsekit.storage import archive

#: The years whose totals are published (domain-facts §13.1); visits.toml [yearly] models the others.
PUBLISHED_YEARS = range(2019, 2024)


@dataclass(frozen=True)
class Choices:
    """A report's checked parameters, as the notebooks take them (dates as ISO text)."""

    db: str
    period_from: str | None
    period_to: str | None
    granularity: str
    services: list[str] | None
    sites: list[int] | None
    scale: float | None
    backend: str

    def parameters(self) -> dict:
        """The choices as papermill parameters."""
        return asdict(self)


def _database(db: str | None) -> str:
    db = str(db or config.default_database())
    if not Path(db).is_file():
        raise DatabaseError(f"db: no helsekit database at {db}; create one with `helsekit generate --db {db}`",
                            f"Fant ingen helsekit-database i {db}.", "db")
    return db


def log_window(db: str) -> tuple[dt.datetime, dt.datetime]:
    """The first and last visit start of the database's log; when there is none yet, the window the
    generator would write (visits.toml [window] start to the day before the reference date)."""
    from helsekit.storage.database import read_meta

    path = archive.visit_log_path(db)
    if backends.partitions(path):
        return backends.extent(path)
    start = dt.date.fromisoformat(specs.load("visits")["window"]["start"])
    end = dt.date.fromisoformat(read_meta(db)["reference_date"]) - dt.timedelta(days=1)
    return dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time(23, 59, 59))


def check_sites(db: str, sites: Iterable[int] | None) -> list[int] | None:
    """The chosen treatment sites as ids of the database's sites; an unknown or non-numeric one is refused."""
    if sites is None:
        return None
    import sqlalchemy as sa

    from helsekit.storage.database import engine_for

    try:
        chosen = [int(s) for s in ([sites] if isinstance(sites, (str, int)) else sites)]
    except (TypeError, ValueError):
        raise InvalidInput(f"sites {sites!r} must be treatment-site ids (whole numbers)",
                           f"Behandlingsstedene {sites!r} må være id-er (heltall).", "sites") from None
    with engine_for(db).connect() as conn:
        known = set(conn.execute(sa.text("SELECT id FROM organisation WHERE kind NOT IN ('rhf', 'hf')")).scalars())
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise InvalidInput(f"sites: {', '.join(map(str, unknown))} are not treatment sites of {db}",
                           f"Behandlingsstedene {', '.join(map(str, unknown))} finnes ikke i {db}.", "sites")
    return chosen


def check_choices(db: str | None = None, period_from=None, period_to=None, granularity: str = "month",
                  services: Iterable[str] | None = None, sites: Iterable[int] | None = None,
                  scale: float | None = None, backend: str = "duckdb") -> Choices:
    """Every choice checked before a report runs: a :class:`~helsekit.errors.HelsekitError` naming the
    field (``db``, ``backend``, ``grain``, ``services``, ``sites``, ``scale``, ``period``) otherwise.

    A missing end of the period is the log's; the period must overlap the log (or, before the log is
    generated, the window it will cover)."""
    from helsekit.generator.visits import check_scale

    db = _database(db)
    if backend not in backends.BACKENDS:
        backends.connect(backend)  # raises, naming the field and the valid engines
    choices.check_grain(granularity)
    chosen = None if services is None else choices.check_services(services, spec_services())
    if scale is not None:
        scale = check_scale(scale)
    window = log_window(db)
    low = period_from if period_from is not None else window[0].date()
    high = period_to if period_to is not None else window[1].date()
    period = choices.check_period((low, high), window)
    return Choices(db, period[0].isoformat(), period[1].isoformat(), granularity, chosen, check_sites(db, sites),
                   scale, backend)


def prepare_log(db: str, scale: float | None = None, progress: bool = False) -> tuple[Path, bool]:
    """The database's visit log, generated at ``scale`` (None: the database's share of Norway) when it is
    missing; returns its folder and whether it was generated now."""
    from helsekit.generator.visits import generate_visits

    path = archive.visit_log_path(db)
    if backends.partitions(path):
        return path, False
    return generate_visits(db, scale=scale, progress=progress).path, True


def log_scale(db: str) -> float:
    """The log's share of the national volume: its visits over the national visits of the same months
    (visits.toml), exact up to the rounding of each month's count."""
    from helsekit.generator import visit_volumes
    from helsekit.storage.database import read_meta

    path = archive.visit_log_path(db)
    rows = sum(pq.ParquetFile(f).metadata.num_rows for *_, folder in backends.partitions(path)
               for f in folder.glob("*.parquet"))
    end = dt.date.fromisoformat(read_meta(db)["reference_date"])
    national = sum(m.visits for m in visit_volumes.months(specs.load("visits"), end, 1.0))
    return rows / national


def open_visits(db: str, backend: str = "duckdb"):
    """The database's visit log as a lazy Ibis table on ``backend``."""
    return backends.read_visits(backends.connect(backend), archive.visit_log_path(db))


def selected(t, services: Sequence[str] | None = None, sites: Sequence[int] | None = None):
    """The visits that touched any of ``services`` and, when ``sites`` are given, came through a pilot at one of them."""
    if services is not None:
        catalogue = spec_services()
        mask = sum(1 << catalogue.index(name) for name in choices.check_services(services, catalogue))
        t = t.filter((t.services & mask) != 0)
    if sites is not None:
        t = t.filter(t.site_id.isin([int(s) for s in sites]))
    return t


def over_time(t, granularity: str, period=None) -> pd.DataFrame:
    """Visits and logins per day, week, month or year: ``period`` (its first day), ``visits``, ``logins``."""
    frame = metrics.visits(t, granularity, period).to_pandas().merge(
        metrics.logins(t, granularity, period).to_pandas(), on="period").sort_values("period")
    frame["period"] = pd.to_datetime(frame["period"])
    return frame.reset_index(drop=True).astype({"visits": "int64", "logins": "int64"})


def yearly(t, period=None) -> pd.DataFrame:
    """Per year: ``visits``, ``logins``, ``app_visits``, ``app_share`` and ``growth`` (on the year before)."""
    frame = over_time(t, "year", period)
    devices = metrics.per_device(t, "year", period).to_pandas()
    app = devices[devices["device"] == "app"].assign(period=lambda d: pd.to_datetime(d["period"]))
    frame = frame.merge(app[["period", "visits"]].rename(columns={"visits": "app_visits"}), on="period", how="left")
    frame["app_visits"] = frame["app_visits"].fillna(0).astype("int64")
    frame.insert(0, "year", frame.pop("period").dt.year)
    frame["app_share"] = frame["app_visits"] / frame["visits"]
    frame["growth"] = frame["visits"] / frame["visits"].shift() - 1
    return frame


def published(scale: float = 1.0) -> pd.DataFrame:
    """The published yearly visits (§13.1, visits.toml [yearly]): ``year``, ``published`` (national) and
    ``scaled`` (times ``scale``, to set beside a scaled log)."""
    table = specs.load("visits")["yearly"]
    years = list(PUBLISHED_YEARS)
    national = [float(table[str(year)]) * 1e6 for year in years]
    return pd.DataFrame({"year": years, "published": national, "scaled": [v * scale for v in national]})


def latest_full_year(choices: Choices) -> int | None:
    """The last calendar year that both the log and the chosen period cover from 1 January to 31 December
    (None when there is none)."""
    first, last = (pd.Timestamp(x).date() for x in log_window(choices.db))
    first = max(first, dt.date.fromisoformat(choices.period_from)) if choices.period_from else first
    last = min(last, dt.date.fromisoformat(choices.period_to)) if choices.period_to else last
    year = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    return year if dt.date(year, 1, 1) >= first else None


#: The report tables' column headings (bokmål).
HEADINGS = {"year": "År", "visits": "Besøk", "logins": "Innlogget", "app_visits": "Besøk i appen",
            "app_share": "Andel i appen", "growth": "Vekst", "scaled": "Publisert, skalert",
            "deviation": "Avvik fra publisert"}


def percent(value: float, signed: bool = False) -> str:
    """A share the Norwegian way, one decimal: ``15,4 %``, ``+5,1 %`` when ``signed``; empty for a missing value."""
    if pd.isna(value):
        return ""
    text = f"{value * 100:{'+' if signed else ''}.1f}"
    if text.lstrip("+-") == "0.0":
        text = "0.0"
    return f"{text.replace('.', ',')}\u00a0%"


def yearly_table(yearly_frame: pd.DataFrame, published_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The yearly figures as a report table: counts, the app's share and growth as percentages, and, given
    the published figures, the scaled published value and the log's deviation from it; headings in bokmål."""
    frame = yearly_frame.copy()
    if published_frame is not None:
        frame = frame.merge(published_frame[["year", "scaled"]], on="year", how="left")
        frame["deviation"] = frame["visits"] / frame["scaled"] - 1
    for column in ("app_share", "growth", "deviation"):
        if column in frame:
            frame[column] = frame[column].map(lambda v, signed=column != "app_share": percent(v, signed))
    if "scaled" in frame:
        frame["scaled"] = frame["scaled"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}".replace(",", "\u00a0"))
    return frame[[c for c in HEADINGS if c in frame]].rename(columns=HEADINGS).set_index("År")


def per_service(t, year: int, services: Sequence[str] | None = None) -> pd.DataFrame:
    """Visits per service area in ``year``, most first: ``service``, ``visits`` (a visit counts for each area)."""
    frame = metrics.per_service(t, "year", (dt.date(year, 1, 1), dt.date(year, 12, 31)), services).to_pandas()
    return frame[["service", "visits"]].astype({"visits": "int64"}).sort_values("visits", ascending=False, ignore_index=True)
