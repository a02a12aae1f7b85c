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
    """Every prescription written up to ``today`` (or only those needing renewal soon), newest first.

    Numpy on the few Arrow rows of one citizen rather than pandas: the overview calls this for every
    citizen who opens Min helse, and most have nothing to renew, which is found before any SQL is run.
    """
    spec, day = specs.load("prescription_view"), np.datetime64(today, "D")
    rx = histories.table(session, "prescriptions", subject_id, _PRESCRIPTION_COLUMNS)
    rx = rx.filter(histories.column(rx, "prescribed_on") <= day)
    if rx.num_rows == 0:
        return []
    ids, atc, kind, reit = (histories.column(rx, c) for c in ("prescription_id", "atc_code", "kind", "reit"))
    prescribed, valid, stopped = (histories.column(rx, c) for c in ("prescribed_on", "valid_until", "discontinued_on"))
    discontinued = ~np.isnat(stopped) & (stopped <= day)
    order = np.lexsort((ids, prescribed, atc))
    latest_of_drug = np.zeros(ids.size, dtype=bool)
    latest_of_drug[order] = np.r_[atc[order][1:] != atc[order][:-1], True]
    rules = spec["renewal"]
    candidate = latest_of_drug & np.isin(kind, rules["kinds"]) & ~discontinued & (valid >= day)
    if only_renewal_soon and not candidate.any():
        return []
    given = histories.table(session, "dispensings", subject_id, _DISPENSING_COLUMNS)
    given = given.filter(histories.column(given, "dispensed_on") <= day).sort_by([("dispensed_on", "ascending"), ("dispensing_id", "ascending")])
    taken = (histories.column(given, "prescription_id")[None, :] == ids[:, None]).sum(axis=1)  # one citizen's: a small matrix
    left = np.maximum(reit + 1 - taken, 0)
    status = np.select([discontinued, left == 0, valid < day], ["discontinued", "dispensed", "expired"], "active")
    soon = candidate & ((valid <= day + np.timedelta64(rules["soon_days"], "D")) | (left == 0))
    renewals = _latest_renewals(session, subject_id, today) if soon.any() or not only_renewal_soon else {}
    soon &= ~np.isin(ids, [pid for pid, r in renewals.items() if r.status != RenewalStatus.DECLINED])
    keep = np.flatnonzero(soon if only_renewal_soon else np.ones(ids.size, dtype=bool))
    keep = keep[np.lexsort((ids[keep], prescribed[keep]))[::-1]]
    if keep.size == 0:
        return []
    rows = rx.take(keep).to_pylist()
    dispensings = [d for d in given.to_pylist() if d["prescription_id"] in set(ids[keep].tolist())]
    pharmacies = directory.organisation_names(session, [d["pharmacy_id"] for d in dispensings])
    prescribers = directory.practitioner_names(session, [r["prescriber_id"] for r in rows])
    by_prescription: dict[int, list[Dispensing]] = {}
    for d in dispensings:
        by_prescription.setdefault(d["prescription_id"], []).append(Dispensing(
            d["dispensing_id"], d["dispensed_on"], d["pharmacy_id"], pharmacies.get(d["pharmacy_id"]), int(d["price"]), int(d["egenandel"])))
    kinds = {k: (label, pay) for k, label, pay in zip(spec["kinds"]["kind"], spec["kinds"]["label"], spec["kinds"]["payment"])}
    labels = dict(zip(spec["statuses"]["status"], spec["statuses"]["label"]))
    items = []
    for i, r in zip(keep, rows):
        kind_label, payment = kinds.get(r["kind"], (r["kind"], ""))
        items.append(Prescription(
            prescription_id=r["prescription_id"], drug=r["drug"], atc_code=r["atc_code"], kind=r["kind"], kind_label=kind_label, payment_nb=payment,
            reseptgruppe=r["reseptgruppe"], prescribed_on=r["prescribed_on"], valid_until=r["valid_until"], reit=r["reit"],
            dispensings_left=int(left[i]), status=str(status[i]), status_nb=labels[str(status[i])], discontinued_on=r["discontinued_on"],
            prescriber_name=directory.name_of(prescribers, r["prescriber_id"]),
            usage_nb=usage_line(r["drug"], r["atc_code"], kind_label, str(status[i]), r["valid_until"], int(left[i]), r["discontinued_on"]),
            renewal=renewals.get(r["prescription_id"]), needs_renewal_soon=bool(soon[i]),
            dispensings=tuple(by_prescription.get(r["prescription_id"], ())),
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
