"""AuditEvent: who opened the citizen's kjernejournal or hospital record, where and why (§4.8, §5.3).

R4's AuditEvent has no patient element: the patient is in HL7 Norway's AuditEventPatientExtension
(:data:`helsekit.fhir.identifiers.AUDIT_PATIENT_EXTENSION`). The practitioner who opened the
record is the requesting agent, their organisation the observer; the reason (*Begrunnelse for innsyn*,
§5.3) is the purpose of use. When the citizen's log shows an entry follows from the rules and is not exported.
"""

from __future__ import annotations

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id, local_time
from helsekit.fhir.render import Col, Rendered, head, ref, rendered

PATIENT_EXTENSION = ids.AUDIT_PATIENT_EXTENSION
RECORD = ids.helsekit_system("record")
REASON = ids.helsekit_system("begrunnelse-for-innsyn")
COLUMNS = ["entry_id", "citizen_id", "record", "organisation_id", "practitioner_id", "accessed_at", "reason"]


def export(source) -> list[Rendered]:
    """Every access-log entry as an AuditEvent."""
    table = source.history("access_log", COLUMNS).sort_by("entry_id")
    template = [
        *head("AuditEvent", "entry_id"), f',"extension":[{{"url":"{PATIENT_EXTENSION}","valueReference":{{"reference":"Patient/',
        Col("citizen_id", "raw"), '"}}]', f',"type":{{"system":"{ids.DICOM}","code":"110110","display":"Patient Record"}}',
        f',"subtype":[{{"system":"{RECORD}","code":', Col("record"), "}]", ',"action":"R","recorded":', Col("accessed_at", "instant"),
        f',"purposeOfEvent":[{{"coding":[{{"system":"{REASON}","code":', Col("reason"), "}]}]",
        ',"agent":[', ref("Practitioner", "practitioner_id", '{"who":', ',"requestor":true}'), "]",
        ',"source":{', ref("Organization", "organisation_id", '"observer":'), "}}",
    ]
    return [rendered("AuditEvent", table, "entry_id", template)]


def load(resources: list[dict]) -> dict[str, list]:
    """``access_log`` columns from AuditEvents (the dates the citizen's log shows them are left empty)."""
    rows = {n: [] for n in COLUMNS}
    for resource in resources:
        patient = next(e["valueReference"] for e in resource["extension"] if e["url"] == PATIENT_EXTENSION)
        values = (int(resource["id"]), int_id(patient, "Patient"), resource["subtype"][0]["code"], int_id(resource["source"]["observer"], "Organization"),
                  int_id(resource["agent"][0]["who"], "Practitioner"), local_time(resource["recorded"]),
                  resource["purposeOfEvent"][0]["coding"][0]["code"])
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
