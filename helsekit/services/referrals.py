"""Henvisninger on Min helse: the subject's referrals in two tabs, each with its current status and
history (§6.1), the referrer and the hospital, the linked appointments, and the rights text for the
current phase (§6.2, §6.4, §6.5, §7.1). Needs consent level Full tilgang (§3.5; the policy checks).

Referrals, their statuses and appointments come from the history archive. The tabs, the phases and the
rights texts with their § sources are in ``synthetic_data/specs/referral_rights.toml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlmodel import Session

from helsekit.domain.citizens import Citizen
from helsekit.generator import specs
from helsekit.services import access, directory, histories, policy
from helsekit.services.actors import Actor

_REFERRAL_COLUMNS = ["referral_id", "referred_by_office_id", "referred_by_id", "hospital_id", "sector", "sent_on", "received_on",
                     "assessed_on", "outcome", "legal_deadline", "start_of_care", "helfo_notified_on", "pathway"]
_DATES = ("sent_on", "received_on", "assessed_on", "legal_deadline", "start_of_care", "helfo_notified_on")
RIGHT_TO_CARE = "rett_til_helsehjelp"  # the referrals history's outcome (§6.4)
APPOINTMENT_GIVEN = "Time tildelt"  # §6.1: from this status on the linked appointments are shown


@dataclass(frozen=True)
class StatusChange:
    """A status the referral reached (§6.1), and the day."""

    status: str
    at: dt.date


@dataclass(frozen=True)
class RightsText:
    """A rights text for the referral's phase: bokmål, with its source (``key`` names it in referral_rights.toml)."""

    key: str
    text_nb: str
    source: str


@dataclass(frozen=True)
class ReferralAppointment:
    """An outpatient appointment that follows from the referral."""

    appointment_id: int
    start: dt.datetime
    status: str  # attended, no_show or booked (booked for every appointment after ``now``)
    hospital_name: str | None


@dataclass(frozen=True)
class Referral:
    """One referral as the Henvisninger service shows it on the day (§6.2).

    ``outcome`` and ``legal_deadline`` are None until the referral has been assessed (§6.4).
    """

    referral_id: int
    sector: str
    sent_on: dt.date
    received_on: dt.date
    status: str
    status_on: dt.date
    history: tuple[StatusChange, ...]  # oldest first
    referrer_name: str | None  # the fastlege; None on a list without one
    referrer_office_name: str | None
    hospital_id: int
    hospital_name: str | None
    hospital_address: str | None
    outcome: str | None
    legal_deadline: dt.date | None
    pathway: str | None  # pakkeforløp for kreft (§12)
    rights: tuple[RightsText, ...]
    appointments: tuple[ReferralAppointment, ...]
    treatment: str | None = None  # the examination or treatment referred for (treatments.toml); None in an older archive
    treatment_name: str | None = None  # its bokmål name


@dataclass(frozen=True)
class ReferralsView:
    """The two tabs of §6.2, each newest first by the day the hospital received the referral."""

    subject_id: int
    active: list[Referral]
    closed: list[Referral]


@dataclass(frozen=True)
class ReferralStatus:
    """An active referral's current status, for the Min helse overview."""

    referral_id: int
    hospital_name: str | None
    status: str
    status_on: dt.date
    legal_deadline: dt.date | None


def view(session: Session, actor: Actor, now: dt.datetime) -> ReferralsView:
    """The subject's referrals as the actor may see them on ``now``; raises
    :class:`~helsekit.services.policy.AccessDenied` when the policy says no (e.g. below Full tilgang)."""
    access.check(session, actor, policy.Service.REFERRALS, policy.Action.VIEW, now)
    closed_statuses = set(specs.load("referral_rights")["tabs"]["closed"])
    items = _referrals(session, actor.subject, now)
    return ReferralsView(actor.subject, [r for r in items if r.status not in closed_statuses], [r for r in items if r.status in closed_statuses])


def statuses_for_overview(session: Session, subject_id: int, today: dt.date) -> list[ReferralStatus]:
    """The current status of each of the subject's active referrals on ``today`` (for the Min helse overview).

    No access check: the caller must already have checked the policy for ``subject_id`` (for
    :attr:`~helsekit.services.policy.Service.REFERRALS`, which needs Full tilgang, §3.5).
    """
    statuses = histories.table(session, "referral_statuses", subject_id, ["referral_id", "status", "at"])
    reached = histories.column(statuses, "at") <= np.datetime64(today)
    if not reached.any():
        return []
    ids, names, days = (histories.column(statuses, c)[reached] for c in ("referral_id", "status", "at"))
    order = np.lexsort((np.arange(ids.size), days, ids))  # by referral, then day, then as stored
    ids, names, days = ids[order], names[order], days[order]
    last = np.r_[ids[1:] != ids[:-1], True]  # the last status reached is the current one
    open_ = last & ~np.isin(names, specs.load("referral_rights")["tabs"]["closed"])
    if not open_.any():
        return []
    current = {int(i): (str(n), d.astype(dt.date)) for i, n, d in zip(ids[open_], names[open_], days[open_])}
    refs = [r for r in histories.table(session, "referrals", subject_id, ["referral_id", "hospital_id", "received_on", "assessed_on", "legal_deadline"]).to_pylist()
            if r["referral_id"] in current]
    hospitals = directory.organisation_names(session, [r["hospital_id"] for r in refs])
    refs.sort(key=lambda r: (r["received_on"], r["referral_id"]), reverse=True)
    return [ReferralStatus(r["referral_id"], hospitals.get(r["hospital_id"]), *current[r["referral_id"]],
                           r["legal_deadline"] if r["assessed_on"] is not None and r["assessed_on"] <= today else None) for r in refs]


def _date(value: object) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _referrals(session: Session, subject_id: int, now: dt.datetime) -> list[Referral]:
    day = pd.Timestamp(now.date())
    statuses = histories.of(session, "referral_statuses", subject_id, columns=["referral_id", "status", "at"])
    statuses = statuses.assign(at=pd.to_datetime(statuses["at"]), position=range(len(statuses)))
    statuses = statuses[statuses["at"] <= day].sort_values(["referral_id", "at", "position"])
    if statuses.empty:
        return []
    current = statuses.drop_duplicates("referral_id", keep="last").set_index("referral_id")
    try:
        refs = histories.of(session, "referrals", subject_id, columns=[*_REFERRAL_COLUMNS, "treatment"])
    except KeyError:  # an archive generated before referrals named their treatment
        refs = histories.of(session, "referrals", subject_id, columns=_REFERRAL_COLUMNS).assign(treatment=None)
    treatment_names = {t["id"]: t["name"] for t in specs.load("treatments")["treatment"]}
    refs = refs.assign(**{c: pd.to_datetime(refs[c]) for c in _DATES})
    refs = refs[refs["referral_id"].isin(current.index)].sort_values(["received_on", "referral_id"], ascending=False)
    visits = histories.of(session, "hospital_appointments", subject_id, columns=["appointment_id", "referral_id", "hospital_id", "start", "status"])
    given = statuses.loc[statuses["status"] == APPOINTMENT_GIVEN, "referral_id"]
    visits = visits[visits["referral_id"].isin(given)].sort_values("start")
    hospitals = directory.organisations(session, pd.concat([refs["hospital_id"], refs["referred_by_office_id"], visits["hospital_id"]]))
    referrers = directory.practitioner_names(session, refs["referred_by_id"])
    birth = session.get(Citizen, subject_id).birth_date
    history = {rid: tuple(StatusChange(s, at.date()) for s, at in zip(rows["status"], rows["at"])) for rid, rows in statuses.groupby("referral_id")}
    by_referral = {rid: tuple(ReferralAppointment(int(v.appointment_id), v.start.to_pydatetime(), "booked" if v.start > now else v.status,
                                                  _org_name(hospitals, v.hospital_id)) for v in rows.itertuples())
                   for rid, rows in visits.groupby("referral_id")}
    items = []
    for r in refs.itertuples():
        status = current.loc[r.referral_id]
        assessed = not pd.isna(r.assessed_on) and r.assessed_on <= day
        hospital = hospitals.get(int(r.hospital_id))
        items.append(Referral(
            referral_id=int(r.referral_id), sector=r.sector, sent_on=_date(r.sent_on), received_on=_date(r.received_on),
            status=status["status"], status_on=status["at"].date(), history=history[r.referral_id],
            referrer_name=directory.name_of(referrers, r.referred_by_id), referrer_office_name=_org_name(hospitals, r.referred_by_office_id),
            hospital_id=int(r.hospital_id), hospital_name=hospital.name if hospital else None,
            hospital_address=hospital.street_address if hospital else None,
            outcome=r.outcome if assessed else None, legal_deadline=_date(r.legal_deadline) if assessed else None,
            pathway=None if pd.isna(r.pathway) else r.pathway,
            rights=rights_texts(status["status"], r.outcome if assessed else None, _date(r.legal_deadline) if assessed else None,
                                _date(r.start_of_care), _date(r.helfo_notified_on), _date(r.received_on), r.sector,
                                _age(birth, _date(r.received_on)), now.date()),
            appointments=by_referral.get(r.referral_id, ()),
            treatment=r.treatment, treatment_name=treatment_names.get(r.treatment),
        ))
    return items


def rights_texts(status: str, outcome: str | None, legal_deadline: dt.date | None, start_of_care: dt.date | None,
                 helfo_notified_on: dt.date | None, received_on: dt.date, sector: str, age_at_receipt: int, today: dt.date) -> tuple[RightsText, ...]:
    """The rights texts for a referral in ``status`` on ``today`` (referral_rights.toml, §6.4, §6.5, §7.1).

    * Til vurdering, Vurdering pågår: the 10-working-day assessment (§6.4), the 65-day rule for one under
      23 in psykisk helsevern or TSB (§6.4), fritt behandlingsvalg (§7.1).
    * Vurdert, Time tildelt with a right to care: the legal deadline and fritt behandlingsvalg; once the
      deadline has passed with no care started, the fristbrudd rights (§6.5) instead.
    * Behandling pågår / avsluttet, Avsluttet: the right of access to the record (§5.5).
    * Avvist: fornyet vurdering or a complaint to Statsforvalteren (§6.4). Videresendt: keeps its place (§6.1).
    """
    spec = specs.load("referral_rights")
    phases, young = spec["phases"], spec["young_mental_health"]
    fmt = "%d.%m.%Y"
    values = {"mottatt": received_on.strftime(fmt), "frist": legal_deadline.strftime(fmt) if legal_deadline else "",
              "varslet": helfo_notified_on.strftime(fmt) if helfo_notified_on else ""}
    keys: list[str] = []
    if status in phases["til_vurdering"]:
        keys.append("til_vurdering")
        if sector in young["sectors"] and age_at_receipt < young["under_age"]:
            keys.append("ung_psykisk_helse")
        keys.append("fritt_behandlingsvalg")
    elif status in phases["rett_til_helsehjelp"] and outcome == RIGHT_TO_CARE:
        if legal_deadline is not None and legal_deadline < today and (start_of_care is None or start_of_care > today):
            keys.append("fristbrudd")
            if helfo_notified_on is not None and helfo_notified_on <= today:
                keys.append("helfo_varslet")
        else:
            keys += ["rett_til_helsehjelp", "fritt_behandlingsvalg"]
    elif status in phases["behandling"]:
        keys.append("behandling")
    elif status in phases["avvist"]:
        keys.append("avvist")
    elif status in phases["videresendt"]:
        keys.append("videresendt")
    texts = spec["texts"]
    return tuple(RightsText(k, texts[k]["text"].format(**values), texts[k]["source"]) for k in keys)


def _org_name(organisations: dict, key: object) -> str | None:
    if key is None or pd.isna(key):
        return None
    found = organisations.get(int(key))
    return found.name if found else None


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
