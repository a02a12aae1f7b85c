"""Open data (§8.2: results published as statistics, an export and an API): the quality indicators and the
Velg behandlingssted waiting times, as CSV and JSON, with a data dictionary. Syntetiske data.

``indicators`` holds every catalogue indicator × each of its breakdowns for the period, as
:func:`helsekit.analytics.indicators.compute` gives it (a cell under the threshold has no value, numerator
or interval, and says why). ``waiting_times`` holds every treatment × hospital offering it (treatments.toml),
from the referrals whose care started in the period (:mod:`helsekit.analytics.treatment_waits`), with the
same small-number rule as Velg behandlingssted. ``data_dictionary.json`` describes every column of both:
type, unit, definition; and the synthetic-data notice. Files are first written to a hidden folder beside
the target and moved in one by one with an atomic rename, so a reader never sees half a file, and an error
leaves the target as it was.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helsekit.analytics import HelseData, indicators, treatment_waits
from helsekit.domain.treatments import hospital_levels
from helsekit.generator import specs

NOTICE = ("Syntetiske data: alle tall er beregnet fra oppdiktede personer og hendelser (helsekit), ikke fra virkelige "
          "pasienter eller sykehus, og må tolkes med varsomhet. Synthetic data: every figure is computed from invented "
          "people and events, never from real patients or hospitals.")


@dataclass(frozen=True)
class Column:
    """One column of an open-data table, as the dictionary describes it."""

    name: str
    type: str  # string, integer, number, boolean or date (ISO 8601)
    unit: str | None
    definition: str


INDICATOR_COLUMNS = (
    Column("indicator_id", "string", None, "The indicator's id in the catalogue (synthetic_data/specs/indicators.toml)"),
    Column("indicator_name", "string", None, "The indicator's name in bokmål (§8.4)"),
    Column("unit", "string", None, "The indicator's unit (indicators.toml): prosent, published as a share between 0 and 1 "
                                    "in value, low and high (multiply by 100 for per cent), or dager (days, a median)"),
    Column("direction", "string", None, "higher or lower: which is better"),
    Column("period_from", "date", None, "First day of the period (an event on this day counts)"),
    Column("period_to", "date", None, "Last day of the period (an event on this day counts)"),
    Column("breakdown", "string", None, "The unit of comparison: site, hf, rhf, kommune, fylke or national (§8.2)"),
    Column("unit_id", "string", None, "Organisation id (site, hf, rhf), kommune or fylke number, or NO for the whole country"),
    Column("unit_name", "string", None, "The unit's name (organisations are fictional)"),
    Column("numerator", "integer", "antall", "Cases meeting the indicator (shares only); empty when suppressed or for a median"),
    Column("denominator", "integer", "antall", "Cases counted in the period; 0 for a unit without cases"),
    Column("value", "number", "andel 0–1 or dager (see unit)", "The share (numerator / denominator) or the median in days; empty when suppressed or without cases"),
    Column("low", "number", "andel 0–1", "Lower bound of the Wilson 95 % interval of a share; empty otherwise"),
    Column("high", "number", "andel 0–1", "Upper bound of the Wilson 95 % interval of a share; empty otherwise"),
    Column("suppressed", "boolean", None, "True when the denominator is under the threshold and the value is hidden (indicators.toml [suppression], §8.7)"),
    Column("reason", "string", None, "Why no value is shown: too few cases, or 'ingen data' for a unit without cases"),
    Column("goal_level", "string", None, "Goal achievement høy, moderat or lav (§8.5); empty without a value"),
)

WAITING_COLUMNS = (
    Column("treatment_id", "string", None, "The examination or treatment's id (synthetic_data/specs/treatments.toml)"),
    Column("treatment_name", "string", None, "Its name in bokmål, as Velg behandlingssted shows it (§7.2)"),
    Column("sector", "string", None, "somatikk, psykisk_helsevern_voksne, psykisk_helsevern_barn_og_unge or tsb"),
    Column("hospital_id", "integer", None, "The hospital (organisation id) offering the treatment"),
    Column("hospital_name", "string", None, "The hospital's name (fictional)"),
    Column("health_trust", "string", None, "The hospital's health trust (HF)"),
    Column("region", "string", None, "The health region of the hospital's fylke"),
    Column("fylke", "string", None, "The hospital's fylke"),
    Column("period_from", "date", None, "First day of the period: care started on or after it"),
    Column("period_to", "date", None, "Last day of the period: care started on or before it"),
    Column("started", "integer", "antall", "Referrals for the treatment whose care started at the hospital in the period"),
    Column("expected_weeks", "integer", "uker", "Expected waiting time: the 90th percentile of the waits, rounded up to whole weeks (§7.2, an estimate of the maximum); empty when suppressed"),
    Column("median_weeks", "number", "uker", "Median waiting time in weeks, one decimal; empty when suppressed"),
    Column("suppressed", "boolean", None, "True when fewer cases started than the threshold (treatment_sites.toml [waiting] min_cases)"),
    Column("reason", "string", None, "Why no waiting time is shown: too few cases, or 'ingen data' when none started"),
)

TABLES = {"indicators": INDICATOR_COLUMNS, "waiting_times": WAITING_COLUMNS}
DESCRIPTIONS = {
    "indicators": "National quality indicators (§8) computed from the synthetic histories, per unit of each breakdown.",
    "waiting_times": "Waiting time from the hospital receiving the referral to the start of care (§7.3), per treatment and hospital.",
}


def indicator_table(db: str, period: object) -> pd.DataFrame:
    """Every catalogue indicator × each of its breakdowns over ``period`` (a label or two ISO dates)."""
    first, last = indicators.period_bounds(period)
    frames = []
    for indicator in indicators.catalogue().values():
        for breakdown in indicator.breakdowns:
            table = indicators.compute(db, indicator.id, breakdown, (first.isoformat(), last.isoformat()))
            frames.append(table.assign(indicator_id=indicator.id, indicator_name=indicator.name, unit=indicator.unit,
                                       direction=indicator.direction, period_from=first, period_to=last, breakdown=breakdown))
    return pd.concat(frames, ignore_index=True)[[c.name for c in INDICATOR_COLUMNS]]


def waiting_table(db: str, period: object) -> pd.DataFrame:
    """Every treatment × hospital offering it, with the waits of the care started in ``period``."""
    first, last = indicators.period_bounds(period)
    data = HelseData(db)
    orgs = data.organisations
    levels = hospital_levels(orgs["id"], orgs["kind"], orgs["kommune_number"], orgs["parent_id"].astype(object).where(orgs["parent_id"].notna(), None))
    names = orgs.set_index("id")["name"]
    kommuner = data.kommuner.set_index("number")
    fylker = data.fylker.set_index("number")
    hospitals = orgs[orgs["kind"] == "hospital"].set_index("id")
    fylke = hospitals["kommune_number"].map(kommuner["fylke_number"])
    waits = treatment_waits.site_waits(db, first, last, by="treatment")
    min_cases = treatment_waits.rules()["min_cases"]
    rows = []
    for t in specs.load("treatments")["treatment"]:
        for hospital_id in sorted(levels.offering(t["offered_at"])):
            started, expected, median = 0, None, None
            if (hospital_id, t["id"]) in waits.index:
                found = waits.loc[(hospital_id, t["id"])]
                started = int(found["started"])
                if started >= min_cases:
                    expected, median = treatment_waits.weeks(found["expected_days"], found["median_days"])
            reason = indicators.NO_DATA if started == 0 else (f"færre enn {min_cases} tilfeller" if started < min_cases else None)
            rows.append({
                "treatment_id": t["id"], "treatment_name": t["name"], "sector": t["sector"], "hospital_id": hospital_id,
                "hospital_name": names[hospital_id], "health_trust": names.get(hospitals.at[hospital_id, "parent_id"]),
                "region": fylker.at[fylke[hospital_id], "region"], "fylke": fylker.at[fylke[hospital_id], "name"],
                "period_from": first, "period_to": last, "started": started, "expected_weeks": expected,
                "median_weeks": median, "suppressed": 0 < started < min_cases, "reason": reason,
            })
    table = pd.DataFrame(rows, columns=[c.name for c in WAITING_COLUMNS])
    table["expected_weeks"] = table["expected_weeks"].astype("Int64")
    return table


def dictionary(period_from, period_to) -> dict:
    """The data dictionary: the notice, the period, and every file's columns with type, unit and definition."""
    files = {}
    for name, columns in TABLES.items():
        described = {"description": DESCRIPTIONS[name], "columns": [vars(c) for c in columns]}
        files[f"{name}.csv"] = files[f"{name}.json"] = described
    return {
        "title": "helsekit åpne data: kvalitetsindikatorer og ventetider (Syntetiske data)",
        "notice": NOTICE,
        "period_from": str(period_from), "period_to": str(period_to),
        "formats": "CSV: UTF-8, comma-separated, a header row, '.' as decimal mark, an empty field for no value, "
                   "booleans as true/false, dates as YYYY-MM-DD. JSON: a list of objects, null for no value.",
        "sources": "synthetic_data/specs/indicators.toml, treatments.toml, treatment_sites.toml; domain-facts §7, §8",
        "files": files,
    }


def _records(table: pd.DataFrame) -> list[dict]:
    out = []
    for row in table.to_dict("records"):
        out.append({k: _plain(v) for k, v in row.items()})
    return out


def _plain(value):
    """A JSON value: None for every kind of missing, Python numbers, ISO dates."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return value


def _csv(records: list[dict], columns: tuple[Column, ...]) -> str:
    frame = pd.DataFrame(records, columns=[c.name for c in columns])
    for c in columns:
        if c.type == "boolean":
            frame[c.name] = frame[c.name].map({True: "true", False: "false"})
        elif c.type == "integer":
            frame[c.name] = frame[c.name].astype("Int64")
    return frame.to_csv(index=False, lineterminator="\n")


def export(db: str, out: str | Path, period: object) -> list[Path]:
    """Write indicators and waiting times for ``period`` (CSV and JSON) and data_dictionary.json into ``out``
    (created if missing; files of the same names replaced). Returns the paths written. Bad input raises
    before anything is written."""
    first, last = indicators.period_bounds(period)
    tables = {"indicators": indicator_table(db, (first.isoformat(), last.isoformat())),
              "waiting_times": waiting_table(db, (first.isoformat(), last.isoformat()))}
    contents = {"data_dictionary.json": json.dumps(dictionary(first, last), ensure_ascii=False, indent=2) + "\n"}
    for name, table in tables.items():
        records = _records(table)
        contents[f"{name}.csv"] = _csv(records, TABLES[name])
        contents[f"{name}.json"] = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    return write_atomically(Path(out), contents)


def write_atomically(out: Path, contents: dict[str, str]) -> list[Path]:
    """Write every file to a hidden folder beside ``out`` first, then move each into place with an atomic rename."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name, text in contents.items():
            (staging / name).write_text(text, encoding="utf-8")
        out.mkdir(exist_ok=True)
        written = []
        for name in contents:
            os.replace(staging / name, out / name)
            written.append(out / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
