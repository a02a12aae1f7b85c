"""Vaksiner on Min helse: the subject's registered vaccinations (the kjernejournal's Vaksiner section, §4.2;
ungdomstilgang shows vaccines, §3.4) and the autumn influenza reminder, behind the access policy. Parents see a
child's vaccinations until the child turns 16 (§3.2); every read is written to the subject's log of reads in
the same transaction, and a refused read writes nothing.

The reminder (vaccinations.toml [influenza]) is shown from 1 October until 1 March to one in the campaign's
target group (65 or over, or a risk prescription valid that day: the GP offices' notice, messages.toml) who has
no influenza dose since 1 October.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from sqlmodel import Session

from helsekit.generator import specs
from helsekit.services import access, actors, directory, histories, policy
from helsekit.services.actors import Actor

_COLUMNS = ["vaccination_id", "given_on", "vaccine", "name", "atc_code", "dose", "programme", "given_at", "gp_office_id"]


@dataclass(frozen=True)
class Vaccination:
    """One registered dose."""

    vaccination_id: int
    given_on: dt.date
    vaccine: str  # the spec's code: mmr, hpv, influenza, …
    name: str  # bokmål, as shown
    atc_code: str
    dose: int
    programme: str  # barnevaksinasjonsprogrammet or influensavaksinasjon
    given_at: str  # helsestasjon, skolehelsetjenesten or fastlege
    gp_office_name: str | None


@dataclass(frozen=True)
class InfluenzaReminder:
    """Why the subject is reminded of this season's influenza vaccine."""

    season: int  # the autumn the season began
    reason: str  # age_65_or_over or risk_group
    offered_from: dt.date


@dataclass(frozen=True)
class VaccinationsView:
    """The subject's vaccinations, newest first, and the influenza reminder when one applies."""

    subject_id: int
    vaccinations: list[Vaccination]
    influenza_reminder: InfluenzaReminder | None


def _doses(session: Session, subject_id: int, columns: list[str]) -> pd.DataFrame:
    """The subject's rows of the ``vaccinations`` history; none in a database generated before vaccinations were
    (its kjernejournal and overview then show no doses rather than fail)."""
    try:
        return histories.of(session, "vaccinations", subject_id, columns=columns)
    except FileNotFoundError:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[s]" if c == "given_on" else object) for c in columns})


@lru_cache(maxsize=1)
def _campaign() -> tuple[dict, dict]:
    return specs.load("vaccinations")["influenza"], specs.load("messages")["influenza"]


def season_start(today: dt.date) -> dt.date | None:
    """The 1 October that began the influenza season ``today`` is in, or None outside the reminder period."""
    flu, _ = _campaign()
    month, day = flu["season_start_month_day"]
    until_month, until_day = flu["reminder_until_month_day"]
    this_autumn = dt.date(today.year, month, day)
    if today >= this_autumn:
        return this_autumn
    if today < dt.date(today.year, until_month, until_day):
        return dt.date(today.year - 1, month, day)
    return None


def influenza_reminder(session: Session, subject_id: int, today: dt.date, doses: pd.DataFrame | None = None) -> InfluenzaReminder | None:
    """The reminder for ``subject_id`` on ``today``, or None. No access check: the caller has checked the policy."""
    start = season_start(today)
    if start is None:
        return None
    flu, notice = _campaign()
    if doses is None:
        doses = _doses(session, subject_id, ["given_on", "vaccine"])
    given = pd.to_datetime(doses["given_on"])
    if ((doses["vaccine"] == flu["vaccine"]) & (given >= pd.Timestamp(start)) & (given <= pd.Timestamp(today))).any():
        return None
    if actors.person(session, subject_id, today).age >= notice["target_age_from"]:
        return InfluenzaReminder(start.year, "age_65_or_over", start)
    rx = histories.of(session, "prescriptions", subject_id, columns=["atc_code", "prescribed_on", "valid_until", "discontinued_on"])
    day = pd.Timestamp(today)
    valid = (rx["atc_code"].isin(notice["risk_atc"]) & (pd.to_datetime(rx["prescribed_on"]) <= day) & (pd.to_datetime(rx["valid_until"]) >= day)
             & (rx["discontinued_on"].isna() | (pd.to_datetime(rx["discontinued_on"]) > day)))
    return InfluenzaReminder(start.year, "risk_group", start) if valid.any() else None


def view(session: Session, actor: Actor, now: dt.datetime) -> VaccinationsView:
    """The subject's vaccinations as the actor may see them on ``now``; the read is logged (record_read).

    Raises :class:`~helsekit.services.policy.AccessDenied` (nothing written) when the policy says no.
    """
    decision = access.check(session, actor, policy.Service.VACCINATIONS, policy.Action.VIEW, now)
    subject, today = actor.subject, now.date()
    with access.unit_of_work(session):
        doses = _doses(session, subject, _COLUMNS)
        doses = doses[pd.to_datetime(doses["given_on"]) <= pd.Timestamp(today)]
        reminder = influenza_reminder(session, subject, today, doses)
        access.log_read(session, actor, decision, policy.Service.VACCINATIONS, now)
    return VaccinationsView(subject, listed(session, doses), reminder)


def listed(session: Session, doses: pd.DataFrame) -> list[Vaccination]:
    """Rows of the ``vaccinations`` history as :class:`Vaccination`, newest first."""
    doses = doses.sort_values(["given_on", "vaccination_id"], ascending=False)
    offices = directory.organisation_names(session, doses["gp_office_id"])
    return [Vaccination(
        vaccination_id=int(v.vaccination_id), given_on=pd.Timestamp(v.given_on).date(), vaccine=v.vaccine, name=v.name, atc_code=v.atc_code,
        dose=int(v.dose), programme=v.programme, given_at=v.given_at,
        gp_office_name=directory.name_of(offices, v.gp_office_id),
    ) for v in doses.itertuples()]


def of(session: Session, subject_id: int, today: dt.date) -> list[Vaccination]:
    """The subject's vaccinations given by ``today``, newest first. No access check and no log entry: for views
    that check the policy and log the read themselves (the kjernejournal)."""
    doses = _doses(session, subject_id, _COLUMNS)
    return listed(session, doses[pd.to_datetime(doses["given_on"]) <= pd.Timestamp(today)])
