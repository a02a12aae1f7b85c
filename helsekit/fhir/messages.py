"""Communication: messages between the citizen and their GP office (e-konsultasjon, kontakt legekontoret,
fornyelse av resept §10.6, varsler).

The citizen's messages go to the office and, where the thread has one, the fastlege; the office's come
from the office. A reply points to the message before it (``inResponseTo``), since the id is the
thread's times 10 plus the message's number in it; a renewal request is about its MedicationRequest.
Links to e-consultations and GP notices are not exported (they are not resources here).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id, local_time
from helsekit.fhir.render import Col, Rendered, head, ref, rendered, with_columns

TOPIC = ids.helsekit_system("message-topic")
COLUMNS = ["message_id", "thread_id", "citizen_id", "gp_office_id", "practitioner_id", "topic", "sender", "sent_at", "prescription_id"]
MESSAGES_PER_THREAD = 10  # message id = thread id × 10 + number in the thread (helsekit.analytics.columns)


def export(source) -> list[Rendered]:
    """Every message as a Communication."""
    table = source.history("messages", COLUMNS).sort_by("message_id")
    nothing = pa.scalar(None, pa.int64())
    citizen_sent = pc.equal(table["sender"], "innbygger")
    number = pc.subtract(table["message_id"], pc.multiply(table["thread_id"], MESSAGES_PER_THREAD))
    table = with_columns(
        table, from_citizen=pc.if_else(citizen_sent, table["citizen_id"], nothing), from_office=pc.if_else(citizen_sent, nothing, table["gp_office_id"]),
        to_office=pc.if_else(citizen_sent, table["gp_office_id"], nothing), to_gp=pc.if_else(citizen_sent, table["practitioner_id"], nothing),
        to_citizen=pc.if_else(citizen_sent, nothing, table["citizen_id"]),
        previous=pc.if_else(pc.greater(number, 0), pc.subtract(table["message_id"], 1), nothing))
    template = [
        *head("Communication", "message_id"), ref("Communication", "previous", ',"inResponseTo":[', "]"), ',"status":"completed"',
        f',"category":[{{"coding":[{{"system":"{TOPIC}","code":', Col("topic"), "}]}]", ref("Patient", "citizen_id", ',"subject":'),
        ref("MedicationRequest", "prescription_id", ',"about":[', "]"), ',"sent":', Col("sent_at", "instant"),
        ',"recipient":[', ref("Patient", "to_citizen"), ref("Organization", "to_office"), ref("Practitioner", "to_gp", ","), "]",
        ref("Patient", "from_citizen", ',"sender":'), ref("Organization", "from_office", ',"sender":'), "}",
    ]
    return [rendered("Communication", table, "message_id", template)]


def load(resources: list[dict]) -> dict[str, list]:
    """``messages`` columns from Communications (the fastlege only where the citizen wrote to them)."""
    rows = {n: [] for n in COLUMNS}
    for resource in resources:
        sender = resource["sender"]["reference"]
        recipients = {r["reference"].split("/")[0]: r for r in resource["recipient"]}
        from_citizen = sender.startswith("Patient/")
        office = recipients["Organization"] if from_citizen else resource["sender"]
        about = resource.get("about", [])
        values = (int(resource["id"]), int(resource["id"]) // MESSAGES_PER_THREAD, int_id(resource["subject"], "Patient"),
                  int_id(office, "Organization"), int_id(recipients.get("Practitioner"), "Practitioner"),
                  resource["category"][0]["coding"][0]["code"], "innbygger" if from_citizen else "legekontor", local_time(resource["sent"]),
                  int_id(about[0], "MedicationRequest") if about else None)
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
