"""Quality indicators (§8) computed from the synthetic histories, per site, HF, RHF, kommune, fylke or the
whole country, for a period.

The catalogue is ``synthetic_data/specs/indicators.toml``: each indicator's definition, period, breakdowns,
goal levels and source, and the small-number rule (a cell with a denominator under the threshold shows no
value, numerator or interval, and says why; a unit without cases shows "ingen data", never 0). Shares get a
Wilson 95 % interval (:mod:`helsekit.analytics.intervals`); medians none. Everything is computed by column
(pandas group-bys), with no Python loop per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helsekit.analytics import HelseData
from helsekit.analytics.intervals import wilson_arrays
from helsekit.domain import calendar
from helsekit.errors import InvalidInput
from helsekit.generator import specs
from helsekit.storage import archive

BREAKDOWNS = ("site", "hf", "rhf", "kommune", "fylke", "national")
NO_DATA = "ingen data"
_PERIOD = re.compile(r"^(\d{4})(?:-(T[1-3]|H[12]))?$")
_PERIOD_MONTHS = {None: (1, 12), "T1": (1, 4), "T2": (5, 8), "T3": (9, 12), "H1": (1, 6), "H2": (7, 12)}
_PERIOD_FORMS = "a year (2024), a tertial (2024-T1, 2024-T2, 2024-T3), a half year (2024-H1, 2024-H2) or two ISO dates (first, last)"


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (indicators.toml [indicators.<id>]); the field names are the spec's."""

    id: str
    name: str
    category: str
    dimension: str
    kind: str  # "share" (numerator / denominator) or "median" (of a duration, over the denominator's cases)
    numerator: str
    denominator: str
    table: str
    columns: tuple[str, ...]
    event: str  # the date that puts a case in a period
    direction: str  # "higher" or "lower" is better
    unit: str
    period: str
    breakdowns: tuple[str, ...]
    goal_high: float
    goal_low: float
    source: str
    remarks: str
    sector: str | None = None


def catalogue() -> dict[str, Indicator]:
    """Every indicator of the catalogue, by id."""
    found = {}
    for key, entry in specs.load("indicators")["indicators"].items():
        fields = dict(entry, id=key, columns=tuple(entry["columns"]), breakdowns=tuple(entry["breakdowns"]))
        found[key] = Indicator(**fields)
    return found


def min_denominator() -> int:
    """The smallest denominator a cell is shown with (indicators.toml [suppression], §8.7)."""
    return int(specs.load("indicators")["suppression"]["min_denominator"])


def _choose(field: str, value: object, valid) -> None:
    if value not in valid:
        listed = ", ".join(valid)
        raise InvalidInput(f"{field} {value!r} is not known; choose one of: {listed}",
                           f"Ukjent {_FIELD_NB[field]} «{value}»; velg en av: {listed}.", field)


_FIELD_NB = {"indicator_id": "indikator", "breakdown": "inndeling"}


def period_bounds(period: object) -> tuple[dt.date, dt.date]:
    """The first and last day of ``period``: a label (``2024``, ``2024-T2``, ``2024-H1``) or two ISO dates.
    Anything else raises InvalidInput naming ``period`` and listing the valid forms."""
    try:
        if isinstance(period, str):
            match = _PERIOD.match(period)
            if match:
                year, (first_month, last_month) = int(match[1]), _PERIOD_MONTHS[match[2]]
                after = dt.date(year + (last_month == 12), last_month % 12 + 1, 1)
                return dt.date(year, first_month, 1), after - dt.timedelta(days=1)
        elif isinstance(period, (tuple, list)) and len(period) == 2:
            first, last = (dt.date.fromisoformat(str(p)) for p in period)
            if first <= last:
                return first, last
    except ValueError:
        pass
    raise InvalidInput(f"period {period!r} is not a valid period; give {_PERIOD_FORMS}",
                       f"Ugyldig periode «{period}»; oppgi et år (2024), et tertial (2024-T1, 2024-T2, 2024-T3), "
                       "et halvår (2024-H1, 2024-H2) eller to datoer (fra, til).", "period")


def history_window(db: str) -> tuple[dt.date, dt.date]:
    """The first and last day the database's histories cover: the ten calendar years before the reference
    date (histories.toml [window]) up to the day before it."""
    from helsekit.storage.database import read_meta

    reference = dt.date.fromisoformat(read_meta(db)["reference_date"])
    years = int(specs.load("histories")["window"]["years"])
    return dt.date(reference.year - years, 1, 1), reference - dt.timedelta(days=1)


def default_period(db: str) -> str:
    """The latest calendar year the histories cover in full (e.g. "2024" for the reference date 2025-01-01)."""
    last = history_window(db)[1]
    return str(last.year if (last.month, last.day) == (12, 31) else last.year - 1)


def parse_period(period: object) -> object:
    """A period as the CLI or a notebook gives it: a label, "FIRST,LAST", or two dates (a pair)."""
    if isinstance(period, str) and "," in period:
        return tuple(part.strip() for part in period.split(",", 1))
    if isinstance(period, (list, tuple)):
        return tuple(str(part) for part in period)
    return period


def checked_period(db: str, period: object) -> tuple[object, dt.date, dt.date]:
    """``period`` parsed (None: :func:`default_period`) and its bounds, which must overlap the histories;
    otherwise an InvalidInput naming ``period``. Returns (period, first, last)."""
    period = default_period(db) if period is None else parse_period(period)
    first, last = period_bounds(period)
    start, end = history_window(db)
    if last < start or first > end:
        raise InvalidInput(f"period {period!r} lies outside the histories ({start} – {end}); choose a period within them",
                           f"Perioden «{period}» ligger utenfor historikken ({start} – {end}).", "period")
    return period, first, last


def _dates(table, column: str) -> np.ndarray:
    return table[column].to_numpy().astype("datetime64[D]")


def _referral_cases(db: str, indicator: Indicator) -> pd.DataFrame:
    """One row per case: site, event date and ``hit`` (numerator) or ``days`` (for a median)."""
    table = archive.read(db, "referrals", list(indicator.columns))
    event = _dates(table, indicator.event)
    keep = ~np.isnat(event)
    site = table["hospital_id"].to_numpy()
    if indicator.id.startswith("fristbrudd_"):
        sector = table["sector"].to_numpy(zero_copy_only=False)
        keep &= (sector == indicator.sector) & ~np.isnat(_dates(table, "legal_deadline"))
        hit = table["fristbrudd"].fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
        return pd.DataFrame({"site": site[keep], "event": event[keep], "hit": hit[keep]})
    received = _dates(table, "received_on")
    if indicator.id == "ventetid_start_helsehjelp":
        return pd.DataFrame({"site": site[keep], "event": event[keep], "days": (event - received)[keep].astype(np.int64)})
    if indicator.id == "vurdert_innen_10_virkedager":
        years = received[keep].astype("datetime64[Y]").astype(int) + 1970
        working = calendar.working_days(int(years.min()), int(years.max()) + 1) if keep.any() else calendar.working_days(2000, 2000)
        deadline = calendar.add_working_days(received[keep], 10, working)
        return pd.DataFrame({"site": site[keep], "event": event[keep], "hit": event[keep] <= deadline})
    if indicator.id == "pakkeforlop_innen_standard_forlopstid":
        rules = specs.load("referrals")["pathways"]
        standard = dict(zip(rules["name"], rules["standard_days"]))
        pathway = pd.Series(table["pathway"].to_numpy(zero_copy_only=False))
        days = pathway.map(standard).to_numpy(dtype=float)
        keep &= ~np.isnan(days)
        return pd.DataFrame({"site": site[keep], "event": event[keep],
                             "hit": (event - received)[keep].astype(np.int64) <= days[keep]})
    raise KeyError(indicator.id)


def _gp_cases(db: str, data: HelseData, indicator: Indicator, last: dt.date) -> pd.DataFrame:
    if indicator.id == "andel_e_konsultasjoner":
        table = archive.read(db, "gp_contacts", list(indicator.columns))
        attended = table["status"].to_numpy(zero_copy_only=False) == "attended"
        return pd.DataFrame({"site": table["gp_office_id"].to_numpy()[attended], "event": _dates(table, "start")[attended],
                             "hit": table["kind"].to_numpy(zero_copy_only=False)[attended] == "e_consultation"})
    if indicator.id == "fastlegerelasjon_minst_to_aar":
        table = data.gp_list_memberships  # a database table, not a history part
        day = np.datetime64(last)
        since = table["valid_from"].to_numpy().astype("datetime64[D]")
        until = table["valid_to"].to_numpy().astype("datetime64[D]")
        on_list = (since <= day) & (np.isnat(until) | (until >= day))
        two_years = np.datetime64(dt.date(last.year - 2, last.month, min(last.day, 28 if last.month == 2 else 31)))
        office = pd.Series(data.gp_lists.set_index("id")["gp_office_id"])
        lists = pd.Series(table["gp_list_id"].to_numpy()[on_list])
        return pd.DataFrame({"site": lists.map(office).to_numpy(), "event": np.full(on_list.sum(), day),
                             "hit": since[on_list] <= two_years})
    raise KeyError(indicator.id)


def _version(db: str, table: str | None = None) -> tuple[tuple[str, int, int], ...]:
    """The files a cached read depends on (the database and, given a history ``table``, its parts), each with
    its modification time and size: a regenerated database or archive is a new version, so nothing cached is
    served stale (as :mod:`helsekit.services.treatment_sites` keys its figures on the archive)."""
    parts = sorted((archive.archive_path(db) / table).glob("part-*.parquet")) if table else []
    paths = [Path(db), *parts]
    return tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in paths if path.is_file())


@lru_cache(maxsize=4)  # a few indicators at a time: a national archive's case lists are large
def _cases(db: str, version: tuple, indicator_id: str, last: dt.date | None) -> tuple[pd.DataFrame, str]:
    """Every case of the indicator and the kind of site it counts at, read once per ``version`` so that a
    report comparing several breakdowns reads the archive once; ``last`` is given only for an indicator
    counted on the period's last day. Callers must not change the frame."""
    indicator = catalogue()[indicator_id]
    if indicator.table == "referrals":
        return _referral_cases(db, indicator), "hospital"
    return _gp_cases(db, HelseData(db), indicator, last), "gp_office"


@lru_cache(maxsize=32)
def _units(db: str, version: tuple, site_kind: str, breakdown: str) -> pd.DataFrame:
    """Every site of ``site_kind`` with the unit it counts under: ``site``, ``unit_id``, ``unit_name``; read
    once per ``version`` of the database. Callers must not change the frame."""
    data = HelseData(db)
    orgs = data.organisations.set_index("id")
    sites = orgs[orgs["kind"] == site_kind]
    kommuner = data.kommuner.set_index("number")
    fylker = data.fylker.set_index("number")
    if breakdown == "site":
        ids, names = sites.index.astype(str), sites["name"]
    elif breakdown in ("hf", "rhf"):
        parent = sites["parent_id"]
        if breakdown == "rhf":
            parent = parent.map(orgs["parent_id"])
        ids, names = parent.astype(str), parent.map(orgs["name"])
    elif breakdown == "kommune":
        ids, names = sites["kommune_number"], sites["kommune_number"].map(kommuner["name"])
    elif breakdown == "fylke":
        fylke = sites["kommune_number"].map(kommuner["fylke_number"])
        ids, names = fylke, fylke.map(fylker["name"])
    else:
        ids, names = pd.Series("NO", index=sites.index), pd.Series("Norge", index=sites.index)
    return pd.DataFrame({"site": sites.index.to_numpy(), "unit_id": np.asarray(ids, dtype=object),
                         "unit_name": np.asarray(names, dtype=object)})


def compute(db: str, indicator_id: str, breakdown: str = "site", period: object = ("2024-01-01", "2024-12-31")) -> pd.DataFrame:
    """The indicator ``indicator_id`` per unit of ``breakdown`` over ``period`` (see :func:`period_bounds`).

    One row per unit (sorted by ``unit_id``, numbers in numeric order): ``unit_id``, ``unit_name``, ``numerator`` (empty for a median),
    ``denominator`` (cases), ``value`` (share or median days), ``low`` and ``high`` (Wilson 95 % for a share),
    ``suppressed`` and ``reason`` (value, numerator and interval empty under the threshold), ``goal_level``
    (høy / moderat / lav, §8.5). A unit without cases has denominator 0, no value and reason "ingen data".
    An unknown indicator, breakdown or period raises InvalidInput naming the field and listing the choices."""
    known = catalogue()
    _choose("indicator_id", indicator_id, list(known))
    indicator = known[indicator_id]
    _choose("breakdown", breakdown, list(indicator.breakdowns))
    first, last = period_bounds(period)
    data = HelseData(db)
    on_day = last if indicator.event == "valid_on_last_day" else None
    cases, site_kind = _cases(data.db, _version(data.db, indicator.table), indicator.id, on_day)
    cases = cases[(cases["event"] >= np.datetime64(first)) & (cases["event"] <= np.datetime64(last))]
    units = _units(data.db, _version(data.db), site_kind, breakdown)
    cases = cases.merge(units, on="site", how="inner")
    grouped = cases.groupby("unit_id")
    table = units.drop_duplicates("unit_id").set_index("unit_id")[["unit_name"]]
    table = table.sort_index(key=lambda ids: ids.str.zfill(12))  # organisation 2 before 12
    table["denominator"] = grouped.size().reindex(table.index, fill_value=0).astype(int)
    if indicator.kind == "share":
        table["numerator"] = grouped["hit"].sum().reindex(table.index, fill_value=0).astype("Int64")
        table["value"] = table["numerator"].astype(float) / table["denominator"].where(table["denominator"] > 0)
        table["low"], table["high"] = wilson_arrays(table["numerator"].to_numpy(dtype=float), table["denominator"].to_numpy())
    else:
        table["numerator"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["value"] = grouped["days"].median().reindex(table.index).astype(float)
        table["low"] = table["high"] = np.nan
    threshold = min_denominator()
    empty = table["denominator"] == 0
    small = ~empty & (table["denominator"] < threshold)
    table.loc[empty | small, ["numerator", "value", "low", "high"]] = pd.NA
    table["value"] = table["value"].astype(float)
    table["low"] = table["low"].astype(float)
    table["high"] = table["high"].astype(float)
    table["suppressed"] = small
    table["reason"] = np.where(empty, NO_DATA, np.where(small, f"færre enn {threshold} tilfeller", None))
    table["goal_level"] = _goal_levels(indicator, table["value"])
    return table.reset_index()[["unit_id", "unit_name", "numerator", "denominator", "value", "low", "high",
                                "suppressed", "reason", "goal_level"]]


def _goal_levels(indicator: Indicator, value: pd.Series) -> np.ndarray:
    """høy / moderat / lav per value (§8.5, thresholds and direction from the spec); None without a value."""
    sign = 1 if indicator.direction == "higher" else -1
    high = sign * value >= sign * indicator.goal_high
    low = sign * value < sign * indicator.goal_low
    level = np.where(high, "høy", np.where(low, "lav", "moderat")).astype(object)
    level[value.isna().to_numpy()] = None
    return level
