"""DocumentReference: documents in the hospital record (§5.2), by the hospital doctor or nurse who wrote
them, with the referral and outpatient appointment they belong to; final once approved (§5.3)."""

from __future__ import annotations

import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id, local_time, reference_id
from helsekit.fhir.render import Col, Rendered, head, ref, rendered, with_columns

KIND = ids.helsekit_system("document-kind")
COLUMNS = ["document_id", "citizen_id", "hospital_id", "referral_id", "appointment_id", "kind", "author_id", "written_at", "approved_at"]


def export(source) -> list[Rendered]:
    """Every hospital document as a DocumentReference."""
    table = source.history("hospital_documents", COLUMNS).sort_by("document_id")
    table = with_columns(table, doc_status=pc.if_else(pc.is_null(table["approved_at"]), "preliminary", "final"))
    template = [
        *head("DocumentReference", "document_id"), ',"status":"current","docStatus":', Col("doc_status"),
        f',"type":{{"coding":[{{"system":"{KIND}","code":', Col("kind"), "}]}", ref("Patient", "citizen_id", ',"subject":'),
        Col("approved_at", "instant", ',"date":'), ref("Practitioner", "author_id", ',"author":[', "]"),
        ref("Organization", "hospital_id", ',"custodian":'),
        ',"content":[{"attachment":{"contentType":"text/plain","title":', Col("kind"), ',"creation":', Col("written_at", "instant"), "}}]",
        ',"context":{"related":[', ref("ServiceRequest", "referral_id"), Col("appointment_id", "raw", ',{"reference":"Appointment/sh-', '"}'), "]}}",
    ]
    return [rendered("DocumentReference", table, "document_id", template)]


def load(resources: list[dict]) -> dict[str, list]:
    """``hospital_documents`` columns from DocumentReferences."""
    rows = {n: [] for n in COLUMNS}
    for resource in resources:
        related = resource["context"]["related"]
        appointment = next((reference_id(r, "Appointment") for r in related if r["reference"].startswith("Appointment/")), None)
        values = (int(resource["id"]), int_id(resource["subject"], "Patient"), int_id(resource["custodian"], "Organization"),
                  int_id(related[0], "ServiceRequest"), None if appointment is None else int(appointment.removeprefix("sh-")),
                  resource["type"]["coding"][0]["code"], int_id(resource["author"][0], "Practitioner"),
                  local_time(resource["content"][0]["attachment"]["creation"]), local_time(resource.get("date")))
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
