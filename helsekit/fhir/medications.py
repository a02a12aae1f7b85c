"""MedicationRequest (e-resepter, §10.1) and MedicationDispense (what the pharmacy handed over).

The drug is coded by its ATC code; the prescription's kind (blå, hvit, H-resept, §10.2) and its
reseptgruppe (kodeverk 7421, §10.3) are its categories. R4's status cannot tell a fully dispensed
prescription from an expired one (both completed), so helsekit's own status is the statusReason.
"""

from __future__ import annotations

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id
from helsekit.fhir.render import Col, Rendered, head, mapped, ref, rendered, with_columns

KIND = ids.helsekit_system("prescription-kind")
STATUS = ids.helsekit_system("prescription-status")
FHIR_STATUS = {"active": "active", "dispensed": "completed", "expired": "completed", "discontinued": "stopped"}
REQUEST_COLUMNS = ["prescription_id", "citizen_id", "atc_code", "drug", "kind", "reseptgruppe", "prescribed_on", "valid_until", "reit",
                   "prescriber_id", "status"]
DISPENSE_COLUMNS = ["dispensing_id", "prescription_id", "citizen_id", "dispensed_on", "pharmacy_id"]


def _medication(before: str) -> list:
    return [f'{before}{{"coding":[{{"system":"{ids.ATC}","code":', Col("atc_code"), ',"display":', Col("drug"), "}],\"text\":", Col("drug"), "}"]


def export(source) -> list[Rendered]:
    """Every prescription as a MedicationRequest and every dispensing as a MedicationDispense."""
    prescriptions = source.history("prescriptions", REQUEST_COLUMNS).sort_by("prescription_id")
    prescriptions = with_columns(prescriptions, fhir_status=mapped(prescriptions["status"], FHIR_STATUS))
    requests = [
        *head("MedicationRequest", "prescription_id"), ',"status":', Col("fhir_status"),
        f',"statusReason":{{"coding":[{{"system":"{STATUS}","code":', Col("status"), "}]}", ',"intent":"order"',
        f',"category":[{{"coding":[{{"system":"{KIND}","code":', Col("kind"), "}]}",
        f',{{"coding":[{{"system":"{ids.RESEPTGRUPPE}","code":', Col("reseptgruppe"), "}]}]",
        *_medication(',"medicationCodeableConcept":'), ref("Patient", "citizen_id", ',"subject":'),
        ',"authoredOn":', Col("prescribed_on", "date"), ref("Practitioner", "prescriber_id", ',"requester":'),
        ',"dispenseRequest":{"validityPeriod":{"start":', Col("prescribed_on", "date"), ',"end":', Col("valid_until", "date"), "}",
        ',"numberOfRepeatsAllowed":', Col("reit", "raw"), "}}",
    ]
    drugs = prescriptions.select(["prescription_id", "atc_code", "drug"])
    dispensings = source.history("dispensings", DISPENSE_COLUMNS).join(drugs, "prescription_id", join_type="left outer").sort_by("dispensing_id")
    dispenses = [
        *head("MedicationDispense", "dispensing_id"), ',"status":"completed"', *_medication(',"medicationCodeableConcept":'),
        ref("Patient", "citizen_id", ',"subject":'), ref("Organization", "pharmacy_id", ',"performer":[{"actor":', "}]"),
        ref("MedicationRequest", "prescription_id", ',"authorizingPrescription":[', "]"), ',"whenHandedOver":', Col("dispensed_on", "date"), "}",
    ]
    return [rendered("MedicationRequest", prescriptions, "prescription_id", requests),
            rendered("MedicationDispense", dispensings, "dispensing_id", dispenses)]


def load(requests: list[dict], dispenses: list[dict]) -> dict[str, dict[str, list]]:
    """``prescriptions`` and ``dispensings`` columns."""
    rx = {n: [] for n in REQUEST_COLUMNS}
    for r in requests:
        categories = {c["coding"][0]["system"]: c["coding"][0]["code"] for c in r["category"]}
        medication = r["medicationCodeableConcept"]
        values = (int(r["id"]), int_id(r["subject"], "Patient"), medication["coding"][0]["code"], medication["text"], categories[KIND],
                  categories[ids.RESEPTGRUPPE], r["authoredOn"], r["dispenseRequest"]["validityPeriod"]["end"],
                  r["dispenseRequest"]["numberOfRepeatsAllowed"], int_id(r.get("requester"), "Practitioner"), r["statusReason"]["coding"][0]["code"])
        for name, value in zip(rx, values):
            rx[name].append(value)
    dispensed = {n: [] for n in DISPENSE_COLUMNS}
    for d in dispenses:
        values = (int(d["id"]), int_id(d["authorizingPrescription"][0], "MedicationRequest"), int_id(d["subject"], "Patient"),
                  d["whenHandedOver"], int_id(d["performer"][0]["actor"], "Organization"))
        for name, value in zip(dispensed, values):
            dispensed[name].append(value)
    return {"prescriptions": rx, "dispensings": dispensed}
