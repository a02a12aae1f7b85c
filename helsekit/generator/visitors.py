"""Who visits logged in: the database's citizens as numpy columns, weighted by plausible use.

A citizen's propensity level is drawn once, from the seed and the citizen's place in id order, so
it never depends on how the months are divided between workers. Which citizens may visit is
decided per month (16 or older on its first day, not dying in it; visits.toml [visitors]).
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd
import sqlalchemy as sa

from helsekit import pilots as pilot_registry
from helsekit.generator import specs
from helsekit.storage import database


@dataclass
class Visitors:
    """The citizens of a database as aligned arrays (index = position in id order)."""

    ids: np.ndarray  # int32
    birth_year: np.ndarray  # int16
    birth_mmdd: np.ndarray  # int16, month × 100 + day
    death: np.ndarray  # datetime64[D]; NaT for the living
    kommune: np.ndarray  # int16 index into ``kommuner``
    kommuner: list[str]
    level: np.ndarray  # uint8 propensity level
    gp_office: np.ndarray  # int32 organisation id of the current fastlege's office (0: none)
    hospital: np.ndarray  # int32 organisation id of the hospital nearest the home kommune (0: none)


@dataclass
class PilotSites:
    """The running pilots, per pilot which organisation ids run it, and the day it went live there."""

    ids: list[str]
    runs: np.ndarray  # bool [pilot, organisation id]
    started: list[dt.date]  # pilot.toml ``started``, or visits.toml [pilots] from where a manifest has none


def _read(db: str, sql: str) -> pd.DataFrame:
    with database.engine_for(db).connect() as conn:
        return pd.read_sql_query(sa.text(sql), conn)


_BATCH = 500_000


def _array(values: tuple, kind: str) -> np.ndarray:
    if kind == "int":
        return np.array(values, dtype=np.int64)
    if kind == "date":
        return np.array([v if v is not None else "NaT" for v in values], dtype="datetime64[D]")
    return np.array([str(v) for v in values], dtype=str)


def _columns(db: str, sql: str, kinds: tuple[str, ...]) -> list[np.ndarray]:
    """A query's columns as numpy arrays (``kinds``: int, date or str), fetched in batches from the
    driver's own cursor with the garbage collector paused: for 5.6 million citizens pandas over
    SQLAlchemy took minutes, mostly in row objects and collections of the millions of tuples."""
    engine = database.engine_for(db)
    raw = engine.raw_connection()
    collecting = gc.isenabled()
    gc.disable()
    parts: list[list[np.ndarray]] = [[] for _ in kinds]
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        while batch := cursor.fetchmany(_BATCH):
            for part, values, kind in zip(parts, zip(*batch), kinds):
                part.append(_array(values, kind))
    finally:
        raw.close()
        engine.dispose()
        if collecting:
            gc.enable()
    return [np.concatenate(part) if part else _array((), kind) for part, kind in zip(parts, kinds)]


def load(db: str, spec: dict, rng: np.random.Generator) -> Visitors:
    """Read the citizens, their GP office and nearest hospital, and draw their propensity levels."""
    ids, birth, death, home = _columns(db, "SELECT id, birth_date, death_date, kommune_number FROM citizen ORDER BY id",
                                       ("int", "date", "date", "str"))
    kommuner = _read(db, "SELECT number, latitude, longitude FROM kommune ORDER BY number")
    numbers = kommuner["number"].astype(str).tolist()
    year = birth.astype("datetime64[Y]").astype(int) + 1970
    month = birth.astype("datetime64[M]").astype(int) % 12 + 1
    day = (birth - birth.astype("datetime64[M]")).astype(int) + 1
    kommune = np.searchsorted(np.array(numbers, dtype=str), home).astype(np.int16)
    shares = np.asarray(spec["visitors"]["propensity_shares"], dtype=float)
    level = np.searchsorted(np.cumsum(shares) / shares.sum(), rng.random(ids.size), side="right").astype(np.uint8)
    return Visitors(
        ids=ids.astype(np.int32), birth_year=year.astype(np.int16), birth_mmdd=(month * 100 + day).astype(np.int16),
        death=death, kommune=kommune, kommuner=numbers, level=np.minimum(level, shares.size - 1),
        gp_office=_gp_offices(db, ids), hospital=_nearest_hospital(db, kommuner)[kommune],
    )


def _gp_offices(db: str, ids: np.ndarray) -> np.ndarray:
    listed, offices = _columns(db, "SELECT m.citizen_id, l.gp_office_id FROM gp_list_membership m JOIN gp_list l ON l.id = m.gp_list_id "
                                   "WHERE m.valid_to IS NULL", ("int", "int"))
    office = np.zeros(ids.size, dtype=np.int32)
    at = np.minimum(np.searchsorted(ids, listed), max(ids.size - 1, 0))
    known = (at < ids.size) & (ids[at] == listed) if ids.size else np.zeros(listed.size, dtype=bool)
    office[at[known]] = offices[known].astype(np.int32)
    return office


def _nearest_hospital(db: str, kommuner: pd.DataFrame) -> np.ndarray:
    """Per kommune (in number order), the id of the hospital nearest it (0 when there is none)."""
    hospitals = _read(db, "SELECT o.id, k.latitude, k.longitude FROM organisation o JOIN kommune k ON k.number = o.kommune_number "
                          "WHERE o.kind = 'hospital' ORDER BY o.id")
    if hospitals.empty:
        return np.zeros(len(kommuner), dtype=np.int32)
    lat, lon = kommuner["latitude"].to_numpy()[:, None], kommuner["longitude"].to_numpy()[:, None]
    distance = np.hypot(lat - hospitals["latitude"].to_numpy(), (lon - hospitals["longitude"].to_numpy()) * np.cos(np.radians(lat)))
    return hospitals["id"].to_numpy(np.int32)[np.argmin(distance, axis=1)]


def pilot_sites(db: str) -> PilotSites:
    """The pilots with status ``pilot`` (running) and the organisations each runs at (Pilot.runs_at)."""
    orgs = _read(db, "SELECT id, kind, kommune_number FROM organisation ORDER BY id")
    running = [p for p in pilot_registry.discover()[0] if p.status == "pilot"]
    runs = np.zeros((len(running), int(orgs["id"].max() or 0) + 1 if len(orgs) else 1), dtype=bool)
    for row in orgs.itertuples(index=False):
        site = SimpleNamespace(id=int(row.id), kind=row.kind, kommune_number=row.kommune_number)
        for p, pilot in enumerate(running):
            runs[p, site.id] = pilot.runs_at(site)
    runs[:, 0] = False  # 0 stands for "no site"
    default = dt.date.fromisoformat(specs.load("visits")["pilots"]["from"])
    return PilotSites([p.id for p in running], runs, [p.started or default for p in running])


def age_on(visitors: Visitors, index: np.ndarray, day: int | np.ndarray, year: int) -> np.ndarray:
    """Whole years of age of the citizens at ``index`` on a day of ``year`` (``day`` as month × 100 + day)."""
    return (year - visitors.birth_year[index] - (day < visitors.birth_mmdd[index])).astype(np.int16)


@dataclass
class Pool:
    """The citizens who may visit logged in during one month, grouped by weight class."""

    members: np.ndarray  # citizen indices, grouped by class
    first: np.ndarray  # start of each class in ``members``
    size: np.ndarray
    cumulative: np.ndarray  # cumulative class weight, normalised to end at 1

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` citizen indices, each with probability proportional to its class weight."""
        klass = np.searchsorted(self.cumulative, rng.random(n), side="right")
        return self.members[self.first[klass] + (rng.random(n) * self.size[klass]).astype(np.int64)]


def pool(visitors: Visitors, spec: dict, start: dt.date, next_start: dt.date) -> Pool | None:
    """The weighted pool for the month from ``start`` (None when nobody may visit)."""
    v = spec["visitors"]
    age = start.year - visitors.birth_year - (start.month * 100 + start.day < visitors.birth_mmdd)
    bands = np.asarray(v["age_bands"], dtype=np.int16)
    # band of each whole age from 0 to the last bound (255 outside the bands): one gather per citizen
    band_of_age = (np.searchsorted(bands, np.arange(bands[-1] + 1), side="right") - 1).astype(np.uint8)
    band_of_age[bands[-1]] = 255
    band = band_of_age[np.clip(age, 0, bands[-1])]
    rates = np.asarray(v["propensity_rates"], dtype=float)
    alive = np.isnat(visitors.death) | (visitors.death >= np.datetime64(next_start))
    ok = (age >= v["min_age"]) & (band < bands.size - 1) & alive & (rates[visitors.level] > 0)
    if not ok.any():
        return None
    key = (band * np.uint8(rates.size) + visitors.level)[ok]
    members = np.flatnonzero(ok).astype(np.int32)[np.argsort(key, kind="stable")]
    size = np.bincount(key, minlength=(bands.size - 1) * rates.size)
    weight = size * np.outer(np.asarray(v["age_weights"], dtype=float), rates).ravel()
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    cumulative = np.cumsum(weight) / weight.sum()
    cumulative[np.flatnonzero(size)[-1]:] = 1.0  # a draw below 1 never lands past the last non-empty class
    return Pool(members, first, size, cumulative)
