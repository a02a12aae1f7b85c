"""Pasientreiser: travel claims for trips to hospital appointments (domain-facts §11).

The pure rules, vectorised, used by both the generator (the ten years of ``travel_claims`` in the
history archive) and the patient-travel service, so the two can never disagree:

* The one-way distance is from the home kommune's centre to the hospital's kommune centre (§11.1).
* A trip over 10 km each way is paid for the round trip at the standard rate per km in force on the
  day of the trip (§11.1), less the egenandel for each one-way trip (§11.2): none under 16, none
  with a frikort.
* A claim must be sent within 6 months after the trip, and amounts under 100 kr are not paid (§11.3).

Numbers come in from travel.toml and copayments.toml; nothing here reads files or the clock.
:class:`TravelClaim` holds the claims sent through Min helse from the reference date on.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel

from helsekit.domain.copayments import Schedule

#: Status words, as in the history archive's ``travel_claims.status`` (§11.3).
PAID, LATE, UNDER_MINIMUM = "utbetalt", "avvist_for_sent", "under_minstebeløp"
STATUSES = [PAID, LATE, UNDER_MINIMUM]
#: Within the hospital's own kommune (modelling choice, travel.toml [eligibility]).
SAME_KOMMUNE_KM = 5.0
#: Great-circle distance times this for the road (modelling choice, travel.toml [eligibility]).
ROAD_FACTOR = 1.3
EARTH_RADIUS_KM = 6371


def one_way_km(lat: np.ndarray, lon: np.ndarray, site_lat: np.ndarray, site_lon: np.ndarray, same_kommune: np.ndarray) -> np.ndarray:
    """The one-way travel distance in km, to 0.1 km, from home kommune centres to hospital kommune centres.

    Latitudes and longitudes in degrees; ``same_kommune`` where the hospital is in the home kommune.
    """
    lat, lon = np.radians(lat), np.radians(lon)
    site_lat, site_lon = np.radians(site_lat), np.radians(site_lon)
    half = np.sin((site_lat - lat) / 2) ** 2 + np.cos(lat) * np.cos(site_lat) * np.sin((site_lon - lon) / 2) ** 2
    return np.round(np.where(same_kommune, SAME_KOMMUNE_KM, 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(half)) * ROAD_FACTOR), 1)


def add_months(dates: np.ndarray, months: int) -> np.ndarray:
    """The same day ``months`` later; the last day of the month where it has fewer days (31 Aug + 6 → 28/29 Feb)."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    month = dates.astype("datetime64[M]")
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return target.astype("datetime64[D]") + np.minimum((dates - month.astype("datetime64[D]")).astype(np.int64), length - 1)


def rate_schedule(travel: dict) -> Schedule:
    """The standard rate per km by the date of the trip (§11.1), from travel.toml."""
    rates = travel["rate_per_km"]
    return Schedule(np.array(rates["valid_from"], dtype="datetime64[D]"), np.array(rates["rate"], dtype=float))


def one_way_egenandel_schedule(copay: dict) -> Schedule:
    """The egenandel per one-way trip by the date of the trip (§11.2), from copayments.toml."""
    travel = copay["patient_travel"]
    return Schedule(np.array(travel["valid_from"], dtype="datetime64[D]"), np.array(travel["one_way"]))


def is_eligible(km_one_way: np.ndarray, travel: dict) -> np.ndarray:
    """True where the trip is over the minimum distance each way (§11.1)."""
    return np.asarray(km_one_way) > travel["eligibility"]["over_km_one_way"]


def round_trip_amount(km_one_way: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """The round trip at the rate per km, NOK to the øre (§11.1)."""
    return np.round(2 * np.asarray(km_one_way) * rate, 2)


def trip_egenandel(one_way: np.ndarray, pays: np.ndarray) -> np.ndarray:
    """The egenandel for the two one-way trips where the person pays (16 or older on the day, §11.2), else 0."""
    return np.where(pays, 2 * one_way, 0).astype(np.int64)


def due(amount: np.ndarray, egenandel: np.ndarray, frikort: np.ndarray) -> np.ndarray:
    """What the claim comes to: the amount less the egenandel, which a frikort holder does not pay (§11.2)."""
    return np.round(amount - np.where(frikort, 0, egenandel), 2)


def status_code(late: np.ndarray, due_amount: np.ndarray, travel: dict) -> np.ndarray:
    """Index into :data:`STATUSES`: rejected if late, not paid under the minimum payout, else paid (§11.3)."""
    return np.where(late, 1, np.where(due_amount < travel["deadline"]["minimum_payout"], 2, 0))


class TravelClaim(SQLModel, table=True):
    """A pasientreise claim sent on Min helse for an attended hospital appointment (§11)."""

    __tablename__ = "travel_claim"

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True, description="the patient")
    appointment_id: int = Field(unique=True, description="the hospital appointment (history hospital_appointments) the trip was to")
    hospital_id: int = Field(foreign_key="organisation.id")
    trip_date: dt.date
    submitted_at: NaiveDatetime
    submitted_by: int = Field(foreign_key="citizen.id", description="the logged-in person")
    km_one_way: float
    rate_per_km: float
    amount: float = Field(description="2 × km × rate, NOK")
    egenandel: int = Field(description="for the two one-way trips, before any frikort; 0 under 16")
    frikort: bool = Field(description="a frikort covered the trip day, so no egenandel was deducted")
    payout: float = Field(description="NOK paid; 0 unless utbetalt")
    status: str = Field(description="utbetalt or under_minstebeløp (§11.3); late claims are refused, not stored")
