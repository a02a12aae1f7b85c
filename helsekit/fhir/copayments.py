"""ChargeItem: each egenandel owed toward the egenandelstak (§2.3, §2.5), for a GP contact, a blue-prescription
dispensing, an outpatient appointment or a patient journey.

The amount is the egenandel before the ceiling; a charge the frikort covered (§2.5) is not billable, the
others are billed (what was paid at the point of service is the egenandel, or nothing with a frikort).
Ids join the source's short name and its id (FHIR ids allow no underscore).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.render import Col, Rendered, mapped, ref, rendered, with_columns

SOURCE = ids.helsekit_system("egenandel-source")
SHORT = {"gp_contact": "lege", "blue_prescription": "resept", "outpatient": "poliklinikk", "travel": "reise"}
#: What each source's charge is for, where it is a resource of the export.
SERVICE = {"gp_contact": ("Appointment", "gp-"), "blue_prescription": ("MedicationDispense", ""), "outpatient": ("Appointment", "sh-")}
COLUMNS = ["citizen_id", "date", "source", "source_id", "egenandel", "charged", "frikort"]


def export(source) -> list[Rendered]:
    """Every egenandel as a ChargeItem."""
    table = source.history("copayments", COLUMNS).sort_by([("citizen_id", "ascending"), ("date", "ascending"), ("source", "ascending"),
                                                            ("source_id", "ascending")])
    kinds = {s: k for s, (k, _) in SERVICE.items()}
    prefixes = {s: p for s, (_, p) in SERVICE.items()}
    service = pc.binary_join_element_wise(mapped(table["source"], kinds), "/", mapped(table["source"], prefixes),
                                          pc.cast(table["source_id"], pa.string()), "")
    table = with_columns(table, key=pc.binary_join_element_wise(mapped(table["source"], SHORT), pc.cast(table["source_id"], pa.string()), "-"),
                         status=pc.if_else(table["frikort"], "not-billable", "billed"), service=service)
    template = [
        '{"resourceType":"ChargeItem","id":"', Col("key", "raw"), '","status":', Col("status"),
        f',"code":{{"coding":[{{"system":"{SOURCE}","code":', Col("source"), "}]}", ref("Patient", "citizen_id", ',"subject":'),
        ',"occurrenceDateTime":', Col("date", "date"), ',"priceOverride":{"value":', Col("egenandel", "raw"), ',"currency":"NOK"}',
        Col("service", "raw", ',"service":[{"reference":"', '"}]'), "}",
    ]
    return [rendered("ChargeItem", table, "key", template)]


def load(resources: list[dict]) -> dict[str, list]:
    """``copayments`` columns from ChargeItems."""
    rows = {n: [] for n in COLUMNS}
    for resource in resources:
        covered = resource["status"] == "not-billable"
        amount = int(resource["priceOverride"]["value"])
        values = (int(resource["subject"]["reference"].split("/")[1]), resource["occurrenceDateTime"], resource["code"]["coding"][0]["code"],
                  int(resource["id"].rsplit("-", 1)[1]), amount, 0 if covered else amount, covered)
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
