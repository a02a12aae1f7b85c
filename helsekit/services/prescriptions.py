"""Mine resepter on Min helse: the subject's active and earlier prescriptions, what was dispensed, how
many dispensings are left, what the kind means for payment, and where a renewal stands (§10.1–§10.6).

Prescriptions and dispensings come from the history archive; renewal requests ("Forny resept",
§10.6) from the live table ``renewal_request``. Texts and the renewal threshold are in
``synthetic_data/specs/prescription_view.toml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlmodel import Session, select

from helsekit.domain.inbox import RenewalRequest, RenewalStatus
from helsekit.generator import specs
from helsekit.services import access, directory, histories, policy
from helsekit.services.actors import Actor

_PRESCRIPTION_COLUMNS = ["prescription_id", "atc_code", "drug", "kind", "reseptgruppe", "prescribed_on", "valid_until", "reit",
                         "prescriber_id", "discontinued_on"]
_DISPENSING_COLUMNS = ["dispensing_id", "prescription_id", "dispensed_on", "pharmacy_id", "price", "egenandel"]


@dataclass(frozen=True)
class Dispensing:
    """One collection at a pharmacy (uttak)."""

    dispensing_id: int
    dispensed_on: dt.date
    pharmacy_id: int
    pharmacy_name: str | None
    price: int
    egenandel: int  # blå resept egenandel owed (§2.7); 0 for hvit, H-resept and under 16


@dataclass(frozen=True)
class Renewal:
    """The latest "Forny resept" request for a prescription (§10.6) and the GP's answer so far."""

    request_id: int
    requested_at: dt.datetime
    status: str  # sendt, godkjent or avslått (helsekit.domain.inbox.RenewalStatus)


@dataclass(frozen=True)
class Prescription:
    """One prescription as Mine resepter shows it on the day.

    ``dispensings_left`` is the number of uttak still allowed: reit + 1 (the first dispensing and reit
    more, §10.1) less those collected, never below 0 (§10.5). ``status`` is active, dispensed (every
    uttak collected), expired or discontinued (seponert, §10.4); ``status_nb`` its bokmål label.
    """

    prescription_id: int
    drug: str
    atc_code: str
    kind: str  # blå, hvit or h (§10.2)
    kind_label: str
    payment_nb: str  # what the kind means for payment (§10.2)
    reseptgruppe: str
    prescribed_on: dt.date
    valid_until: dt.date  # the last valid day (§10.1)
    reit: int
    dispensings_left: int
    status: str
    status_nb: str
    discontinued_on: dt.date | None
    prescriber_name: str | None
    usage_nb: str  # the short usage line, see prescription_view.toml [usage]
    renewal: Renewal | None
    needs_renewal_soon: bool  # see prescription_view.toml [renewal]
    dispensings: tuple[Dispensing, ...]


@dataclass(frozen=True)
class PrescriptionsView:
    """Mine resepter: active prescriptions and the earlier ones, newest first in each."""

    subject_id: int
    active: list[Prescription]
    historical: list[Prescription]


def view(session: Session, actor: Actor, now: dt.datetime) -> PrescriptionsView:
    """The subject's prescriptions as the actor may see them on ``now``; raises
    :class:`~helsekit.services.policy.AccessDenied` when the policy says no."""
    access.check(session, actor, policy.Service.PRESCRIPTIONS, policy.Action.VIEW, now)
    items = _prescriptions(session, actor.subject, now.date())
    return PrescriptionsView(actor.subject, [p for p in items if p.status == "active"], [p for p in items if p.status != "active"])


def needing_renewal(session: Session, subject_id: int, today: dt.date) -> list[Prescription]:
    """The subject's prescriptions that need renewal soon on ``today`` (for the Min helse overview).

    No access check: the caller must already have checked the policy for ``subject_id`` (the overview
    checks once for all its parts).
    """
    return _prescriptions(session, subject_id, today, only_renewal_soon=True)


def _prescriptions(session: Session, subject_id: int, today: dt.date, only_renewal_soon: bool = False) -> list[Prescription]:
    spec = specs.load("prescription_view")
    day = pd.Timestamp(today)
    rx = histories.of(session, "prescriptions", subject_id, columns=_PRESCRIPTION_COLUMNS)
    rx = rx.assign(**{c: pd.to_datetime(rx[c]) for c in ("prescribed_on", "valid_until", "discontinued_on")})
    rx = rx[rx["prescribed_on"] <= day]
    given = histories.of(session, "dispensings", subject_id, columns=_DISPENSING_COLUMNS)
    given = given.assign(dispensed_on=pd.to_datetime(given["dispensed_on"]))
    given = given[given["dispensed_on"] <= day].sort_values(["dispensed_on", "dispensing_id"])
    if rx.empty:
        return []
    used = rx["prescription_id"].map(given["prescription_id"].value_counts()).fillna(0).astype(int)
    left = (rx["reit"] + 1 - used).clip(lower=0)
    discontinued = rx["discontinued_on"].notna() & (rx["discontinued_on"] <= day)
    status = np.select([discontinued, left == 0, rx["valid_until"] < day], ["discontinued", "dispensed", "expired"], "active")
    renewals = _latest_renewals(session, subject_id, today)
    order = rx.sort_values(["atc_code", "prescribed_on", "prescription_id"]).index
    latest_of_drug = pd.Series(False, index=rx.index)
    latest_of_drug[order] = ~rx.loc[order, "atc_code"].duplicated(keep="last").to_numpy()
    rules = spec["renewal"]
    pending = rx["prescription_id"].isin([pid for pid, r in renewals.items() if r.status != RenewalStatus.DECLINED])
    soon = (latest_of_drug & rx["kind"].isin(rules["kinds"]) & ~discontinued & (rx["valid_until"] >= day)
            & ((rx["valid_until"] <= day + pd.Timedelta(days=rules["soon_days"])) | (left == 0)) & ~pending)
    frame = rx.assign(left=left, status=status, soon=soon).sort_values(["prescribed_on", "prescription_id"], ascending=False)
    if only_renewal_soon:
        frame = frame[frame["soon"]]
        given = given[given["prescription_id"].isin(frame["prescription_id"])]
    pharmacies = directory.organisation_names(session, given["pharmacy_id"])
    prescribers = directory.practitioner_names(session, frame["prescriber_id"])
    by_prescription = {pid: tuple(Dispensing(int(g.dispensing_id), g.dispensed_on.date(), int(g.pharmacy_id), pharmacies.get(int(g.pharmacy_id)),
                                             int(g.price), int(g.egenandel)) for g in rows.itertuples())
                       for pid, rows in given.groupby("prescription_id")}
    kinds = {k: (label, pay) for k, label, pay in zip(spec["kinds"]["kind"], spec["kinds"]["label"], spec["kinds"]["payment"])}
    labels = dict(zip(spec["statuses"]["status"], spec["statuses"]["label"]))
    items = []
    for r in frame.itertuples():
        kind_label, payment = kinds.get(r.kind, (r.kind, ""))
        stopped = None if pd.isna(r.discontinued_on) else r.discontinued_on.date()
        items.append(Prescription(
            prescription_id=int(r.prescription_id), drug=r.drug, atc_code=r.atc_code, kind=r.kind, kind_label=kind_label, payment_nb=payment,
            reseptgruppe=r.reseptgruppe, prescribed_on=r.prescribed_on.date(), valid_until=r.valid_until.date(), reit=int(r.reit),
            dispensings_left=int(r.left), status=r.status, status_nb=labels[r.status], discontinued_on=stopped,
            prescriber_name=directory.name_of(prescribers, r.prescriber_id),
            usage_nb=usage_line(r.drug, r.atc_code, kind_label, r.status, r.valid_until.date(), int(r.left), stopped),
            renewal=renewals.get(int(r.prescription_id)), needs_renewal_soon=bool(r.soon),
            dispensings=by_prescription.get(r.prescription_id, ()),
        ))
    return items


def usage_line(drug: str, atc_code: str, kind_label: str, status: str, valid_until: dt.date, left: int, discontinued_on: dt.date | None) -> str:
    """The short bokmål usage line, e.g. "Metformin (A10BA02), Blå resept. Gyldig til 10.05.2025, 2 uttak igjen." """
    usage = specs.load("prescription_view")["usage"]
    fmt = usage["date_format"]
    phrase = usage[status].format(valid_until=valid_until.strftime(fmt), left=left,
                                  discontinued_on=discontinued_on.strftime(fmt) if discontinued_on else "")
    return f"{drug[:1].upper()}{drug[1:]} ({atc_code}), {kind_label}. {phrase}."


def _latest_renewals(session: Session, subject_id: int, today: dt.date) -> dict[int, Renewal]:
    """The latest renewal request per prescription, sent up to the end of ``today``."""
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    rows = session.exec(select(RenewalRequest).where(RenewalRequest.citizen_id == subject_id, RenewalRequest.requested_at < end)
                        .order_by(RenewalRequest.requested_at, RenewalRequest.id)).all()
    return {r.prescription_id: Renewal(r.id, r.requested_at, r.status) for r in rows}
