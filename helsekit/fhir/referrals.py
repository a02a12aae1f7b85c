"""Henvisninger: a ServiceRequest for the referral and a Task for its assessment at the hospital, whose
businessStatus is the status the citizen sees (§6.1) and whose output is the answer (kodeverk 9148, §6.3).

The Task runs from receipt to assessment (executionPeriod); its restriction ends at the juridisk frist
(§6.4). ``rett_til_helsehjelp`` is answered with code 2 (*Rett til helsehjelp, tidspunkt kommer*):
helsekit does not tell it from code 1 (*Innkalles*), and both are read back as a right to care.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id
from helsekit.fhir.render import Col, Rendered, head, mapped, ref, rendered, with_columns

SECTOR = ids.helsekit_system("sector")
STATUS = ids.helsekit_system("henvisningsstatus")
ANSWER_TYPE = ids.helsekit_system("task-output")
#: Citizen-visible status (§6.1) → R4 TaskStatus of the assessment.
TASK_STATUS = {"Til vurdering": "received", "Vurdering pågår": "in-progress", "Vurdert": "completed", "Time tildelt": "completed",
               "Behandling pågår": "completed", "Behandling avsluttet": "completed", "Avsluttet": "completed",
               "Videresendt": "completed", "Avvist": "rejected"}
CLOSED = ("Behandling avsluttet", "Avsluttet", "Videresendt")
ANSWER = {"rett_til_helsehjelp": "2", "videresendt": "3", "avvist": "4"}  # kodeverk 9148 (§6.3)
ANSWER_BACK = {"1": "rett_til_helsehjelp", "2": "rett_til_helsehjelp", "3": "videresendt", "4": "avvist"}


def export(source) -> list[Rendered]:
    """Every referral as a ServiceRequest and a Task."""
    table = source.history("referrals", ["referral_id", "citizen_id", "referred_by_office_id", "referred_by_id", "hospital_id", "sector",
                                         "sent_on", "received_on", "assessed_on", "outcome", "legal_deadline", "status"]).sort_by("referral_id")
    request_status = pc.if_else(pc.equal(table["status"], "Avvist"), "revoked",
                                pc.if_else(pc.is_in(table["status"], value_set=pa.array(CLOSED)), "completed", "active"))
    office_requester = pc.if_else(pc.is_null(table["referred_by_id"]), table["referred_by_office_id"], pa.scalar(None, pa.int64()))
    table = with_columns(table, request_status=request_status, office_requester=office_requester,
                         task_status=mapped(table["status"], TASK_STATUS), answer=mapped(table["outcome"], ANSWER))
    requests = [
        *head("ServiceRequest", "referral_id"), ',"status":', Col("request_status"), ',"intent":"order"',
        f',"category":[{{"coding":[{{"system":"{SECTOR}","code":', Col("sector"), "}]}]",
        ref("Patient", "citizen_id", ',"subject":'), ',"authoredOn":', Col("sent_on", "date"),
        ref("Practitioner", "referred_by_id", ',"requester":'), ref("Organization", "office_requester", ',"requester":'),
        ref("Organization", "hospital_id", ',"performer":[', "]"), "}",
    ]
    tasks = [
        *head("Task", "referral_id"), ',"status":', Col("task_status"),
        f',"businessStatus":{{"coding":[{{"system":"{STATUS}","code":', Col("status"), "}]}", ',"intent":"order"',
        ref("ServiceRequest", "referral_id", ',"focus":'), ref("Patient", "citizen_id", ',"for":'),
        ',"executionPeriod":{"start":', Col("received_on", "date"), Col("assessed_on", "date", ',"end":'), "}",
        ',"authoredOn":', Col("received_on", "date"), ref("Organization", "referred_by_office_id", ',"requester":'),
        ref("Organization", "hospital_id", ',"owner":'),
        Col("legal_deadline", "date", ',"restriction":{"period":{"end":', "}}"),
        Col("answer", before=f',"output":[{{"type":{{"coding":[{{"system":"{ANSWER_TYPE}","code":"svar"}}]}},'
                              f'"valueCodeableConcept":{{"coding":[{{"system":"{ids.HENVISNING_ANSWER}","code":', after="}]}}]"), "}",
    ]
    return [rendered("ServiceRequest", table, "referral_id", requests), rendered("Task", table, "referral_id", tasks)]


def load(requests: list[dict], tasks: list[dict]) -> dict[str, list]:
    """``referrals`` columns from ServiceRequests and their Tasks (matched by Task.focus)."""
    task_of = {t["focus"]["reference"].split("/")[-1]: t for t in tasks}
    rows = {n: [] for n in ("referral_id", "citizen_id", "referred_by_office_id", "referred_by_id", "hospital_id", "sector", "sent_on",
                            "received_on", "assessed_on", "outcome", "legal_deadline", "status")}
    for request in requests:
        task = task_of[request["id"]]
        requester = request.get("requester", {}).get("reference", "")
        answer = [c["code"] for o in task.get("output", []) for c in o.get("valueCodeableConcept", {}).get("coding", [])
                  if c.get("system") == ids.HENVISNING_ANSWER]
        values = (int(request["id"]), int_id(request["subject"], "Patient"), int_id(task.get("requester"), "Organization"),
                  int_id(request["requester"], "Practitioner") if requester.startswith("Practitioner/") else None,
                  int_id(request["performer"][0], "Organization"), request["category"][0]["coding"][0]["code"], request["authoredOn"],
                  task["executionPeriod"]["start"], task["executionPeriod"].get("end"), ANSWER_BACK.get(answer[0]) if answer else None,
                  task.get("restriction", {}).get("period", {}).get("end"), task["businessStatus"]["coding"][0]["code"])
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
