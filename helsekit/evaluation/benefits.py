"""The benefit metrics a pilot can promise, counted per treatment site and month from the histories.

The catalogue is synthetic_data/specs/evaluation.toml [metrics]. Every metric is a ratio: a ``panel`` has one
row per (site_id, month) with ``numerator`` and ``denominator``, so that periods and groups of sites are summed
before dividing. Counting lives here once, for a whole database (:func:`panel`) and for the tests' tiny world
(:func:`gp_contact_numerators`, :func:`listed_per_month`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helsekit.errors import InvalidInput
from helsekit.generator import specs

PANEL_COLUMNS = ["site_id", "month", "numerator", "denominator"]


@dataclass(frozen=True)
class Metric:
    """One benefit metric of the catalogue."""

    id: str
    name_nb: str
    unit_nb: str
    site_kind: str  # gp_office, hospital or any
    scale: str  # relative or absolute
    national_unit_nb: str


def catalogue() -> dict[str, Metric]:
    """Every metric of evaluation.toml by id."""
    found = specs.load("evaluation")["metrics"]
    return {key: Metric(key, m["name_nb"], m["unit_nb"], m["site_kind"], m["scale"], m["national_unit_nb"]) for key, m in found.items()}


def metric(metric_id: str) -> Metric:
    """The metric ``metric_id``; an unknown one is refused naming the known ones."""
    known = catalogue()
    if metric_id not in known:
        raise InvalidInput(f"metric {metric_id!r} is unknown; choose one of: {', '.join(known)}",
                           f"Måltallet {metric_id!r} finnes ikke; velg et av: {', '.join(known)}.", "metric")
    return known[metric_id]


def months(first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
    """The first day of every month from ``first``'s month to ``last``'s month."""
    return pd.date_range(pd.Timestamp(first).to_period("M").to_timestamp(), pd.Timestamp(last).to_period("M").to_timestamp(), freq="MS")


def _month(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def _count(frame: pd.DataFrame, site: str, when: str, value: pd.Series | None = None) -> pd.DataFrame:
    keyed = pd.DataFrame({"site_id": frame[site].astype("int64"), "month": _month(frame[when]),
                          "value": 1 if value is None else value.to_numpy()})
    return keyed.groupby(["site_id", "month"], as_index=False)["value"].sum()


def gp_contact_numerators(contacts: pd.DataFrame, metric_id: str) -> pd.DataFrame:
    """Per GP office and month of the appointment: ``numerator`` (phone bookings or no-shows) and, for the no-show
    rate, ``denominator`` (all booked consultations). ``contacts`` has gp_contacts' columns."""
    booked = contacts[(contacts["kind"] == "consultation") & contacts["gp_office_id"].notna()]
    flag = booked["booking_channel"] == "phone" if metric_id == "phone_bookings_per_listed" else booked["status"] == "no_show"
    counts = _count(booked, "gp_office_id", "start", flag.astype("int64")).rename(columns={"value": "numerator"})
    counts["denominator"] = _count(booked, "gp_office_id", "start")["value"].to_numpy()
    return counts


def listed_per_month(site_id: np.ndarray, valid_from: np.ndarray, valid_to: np.ndarray, span: pd.DatetimeIndex) -> pd.DataFrame:
    """Citizens listed at each site on the 15th of each month of ``span`` (``valid_to`` NaT: still listed)."""
    site_id = np.asarray(site_id, dtype=np.int64)
    start = np.asarray(valid_from, dtype="datetime64[D]")
    stop = np.asarray(valid_to, dtype="datetime64[D]")
    sites = np.unique(site_id)
    rows = []
    for month in span:
        day = np.datetime64(month.date() + pd.Timedelta(days=14).to_pytimedelta(), "D")
        on = (start <= day) & (np.isnat(stop) | (stop >= day))
        count = np.bincount(np.searchsorted(sites, site_id[on]), minlength=sites.size)
        rows.append(pd.DataFrame({"site_id": sites, "month": month, "denominator": count}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["site_id", "month", "denominator"])


def per_listed(numerators: pd.DataFrame, listed: pd.DataFrame) -> pd.DataFrame:
    """A per-listed-citizen panel: each site-month's listed citizens as denominator, 0 events where none happened."""
    merged = listed.merge(numerators[["site_id", "month", "numerator"]], on=["site_id", "month"], how="left")
    merged["numerator"] = merged["numerator"].fillna(0)
    return merged[merged["denominator"] > 0][PANEL_COLUMNS].reset_index(drop=True)


def _gp_listed(data, span: pd.DatetimeIndex) -> pd.DataFrame:
    members = data.gp_list_memberships.merge(data.gp_lists[["id", "gp_office_id"]].rename(columns={"id": "gp_list_id"}), on="gp_list_id")
    return listed_per_month(members["gp_office_id"].to_numpy(), members["valid_from"].to_numpy(), members["valid_to"].to_numpy(), span)


def panel(data, metric_id: str, site_kind: str = "gp_office") -> pd.DataFrame:
    """The site-month panel of ``metric_id`` over the database's history window (``data``: a HelseData), at sites of
    ``site_kind`` (a referral counts at its hospital, or at the GP office that sent it).

    The visit-log metric needs the visit log (issue #6) and an empty panel is returned without it."""
    first = data.reference_date - pd.DateOffset(years=specs.load("histories")["window"]["years"])
    span = months(first, data.reference_date - pd.Timedelta(days=1))
    if metric_id in ("phone_bookings_per_listed", "no_show_rate"):
        counts = gp_contact_numerators(data.gp_contacts, metric_id)
        if metric_id == "no_show_rate":
            return counts[PANEL_COLUMNS]
        return per_listed(counts, _gp_listed(data, span))
    if metric_id == "renewal_without_visit_share":
        rx = data.prescriptions
        renewed = rx[(rx["renewal"] != "first") & rx["prescriber_office_id"].notna()]
        counts = _count(renewed, "prescriber_office_id", "prescribed_on", (renewed["renewal"] == "portal").astype("int64"))
        counts["denominator"] = _count(renewed, "prescriber_office_id", "prescribed_on")["value"].to_numpy()
        return counts.rename(columns={"value": "numerator"})[PANEL_COLUMNS]
    if metric_id == "referral_to_care_days":
        ref = data.referrals
        started = ref[ref["start_of_care"].notna() & (pd.to_datetime(ref["start_of_care"]) < data.reference_date)]
        days = (pd.to_datetime(started["start_of_care"]) - pd.to_datetime(started["received_on"])).dt.days
        site = "hospital_id" if site_kind == "hospital" else "referred_by_office_id"
        started = started[started[site].notna()]
        counts = _count(started, site, "received_on", days.loc[started.index])
        counts["denominator"] = _count(started, site, "received_on")["value"].to_numpy()
        return counts.rename(columns={"value": "numerator"})[PANEL_COLUMNS]
    metric(metric_id)  # refuses an unknown id
    return pd.DataFrame(columns=PANEL_COLUMNS)
