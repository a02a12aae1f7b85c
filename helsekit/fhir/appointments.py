"""Appointment: consultations with the fastlege (``gp_contacts``, ids ``gp-<contact id>``) and outpatient
appointments at a hospital (``hospital_appointments``, ids ``sh-<appointment id>``, based on the referral).

Times are instants in Oslo time. The end is the start plus the calendar's slot length, which R4 needs
for any appointment that is not proposed or cancelled (invariant app-3). E-consultations are messages,
not appointments, and are not exported as Appointments.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id, local_time, participant
from helsekit.fhir.render import Col, Rendered, head, mapped, ref, rendered, with_columns
from helsekit.generator import specs

SERVICE = ids.helsekit_system("appointment-kind")
#: helsekit's appointment statuses → R4 AppointmentStatus.
STATUS = {"attended": "fulfilled", "no_show": "noshow", "cancelled": "cancelled", "booked": "booked"}
KINDS = {"gp": "fastlege", "sh": "sykehus"}


def slot_minutes() -> dict[str, int]:
    """Minutes per slot in the fastlege's and the hospital's calendars (specs gp_contacts and referrals)."""
    return {"gp": specs.load("gp_contacts")["booking"]["slot_minutes"],
            "sh": specs.load("referrals")["hospital_appointments"]["slot_minutes"]}


def export(source) -> list[Rendered]:
    """Consultations and hospital appointments as Appointments (fastlege first, each in citizen and time order)."""
    minutes = slot_minutes()
    out = []
    gp = source.history("gp_contacts", ["contact_id", "citizen_id", "start", "kind", "status", "booked_at", "gp_office_id", "practitioner_id"])
    gp = gp.filter(pc.equal(gp["kind"], "consultation"))
    sh = source.history("hospital_appointments", ["appointment_id", "referral_id", "citizen_id", "hospital_id", "start", "status"])
    for prefix, table, id_column, site, extra in (
        ("gp", gp, "contact_id", "gp_office_id", [Col("booked_at", "instant", ',"created":')]),
        ("sh", sh, "appointment_id", "hospital_id", [ref("ServiceRequest", "referral_id", ',"basedOn":[', "]")]),
    ):
        table = table.sort_by(id_column)
        end = pc.add(table["start"], pa.scalar(minutes[prefix] * 60_000, pa.duration("ms")))
        table = with_columns(table, fhir_status=mapped(table["status"], STATUS), end=end)
        practitioner = [ref("Practitioner", "practitioner_id", ',{"actor":', ',"status":"accepted"}')] if prefix == "gp" else []
        template = [
            *head("Appointment", id_column, f"{prefix}-"), ',"status":', Col("fhir_status"),
            f',"serviceType":[{{"coding":[{{"system":"{SERVICE}","code":"{KINDS[prefix]}"}}]}}]',
            ',"start":', Col("start", "instant"), ',"end":', Col("end", "instant"), *extra,
            ',"participant":[', ref("Patient", "citizen_id", '{"actor":', ',"status":"accepted"}'), *practitioner,
            ref("Location", site, ',{"actor":', ',"status":"accepted"}'), "]}",
        ]
        out.append(rendered("Appointment", table, id_column, template, id_prefix=f"{prefix}-"))
    return out


def load(resources: list[dict]) -> dict[str, dict[str, list]]:
    """``gp_contacts`` and ``hospital_appointments`` columns from Appointments with helsekit's ids."""
    back = {theirs: ours for ours, theirs in STATUS.items()}
    gp = {n: [] for n in ("contact_id", "citizen_id", "start", "kind", "status", "booked_at", "evening", "gp_office_id", "practitioner_id")}
    sh = {n: [] for n in ("appointment_id", "referral_id", "citizen_id", "hospital_id", "start", "status")}
    for resource in resources:
        prefix, _, number = resource["id"].partition("-")
        start = local_time(resource["start"])
        patient = int_id(participant(resource, "Patient"), "Patient")
        site = int_id(participant(resource, "Location"), "Location")
        if prefix == "gp":
            values = (int(number), patient, start, "consultation", back[resource["status"]], local_time(resource.get("created")),
                      start.hour >= specs.load("gp_contacts")["booking"]["evening_hours"][0], site,
                      int_id(participant(resource, "Practitioner"), "Practitioner"))
            target = gp
        else:
            values = (int(number), int_id(resource["basedOn"][0], "ServiceRequest"), patient, site, start, back[resource["status"]])
            target = sh
        for name, value in zip(target, values):
            target[name].append(value)
    return {"gp_contacts": gp, "hospital_appointments": sh}
