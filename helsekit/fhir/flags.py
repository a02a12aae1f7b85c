"""Flag: kritisk informasjon in the kjernejournal (§4.3), one of its five types, verified by a doctor or not yet."""

from __future__ import annotations

import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.render import Col, Rendered, head, ref, rendered, with_columns

TYPE = ids.helsekit_system("kritisk-informasjon")
VERIFICATION = ids.helsekit_system("verification")


def export(source) -> list[Rendered]:
    """Every entry of kritisk informasjon as a Flag."""
    table = source.sql("critical_information").sort_by("id")
    table = with_columns(table, verification=pc.if_else(table["verified"], "verifisert", "ikke-verifisert"))
    template = [
        *head("Flag", "id"), ',"status":"active"',
        f',"category":[{{"coding":[{{"system":"{VERIFICATION}","code":', Col("verification"), "}]}]",
        f',"code":{{"coding":[{{"system":"{TYPE}","code":', Col("type"), "}]}", ref("Patient", "citizen_id", ',"subject":'),
        ',"period":{"start":', Col("registered_on"), "}}",
    ]
    return [rendered("Flag", table, "id", template)]


def load(resources: list[dict]) -> dict[str, list]:
    """``critical_information`` columns from Flags."""
    rows = {n: [] for n in ("id", "citizen_id", "type", "registered_on", "verified")}
    for resource in resources:
        values = (int(resource["id"]), int(resource["subject"]["reference"].split("/")[1]), resource["code"]["coding"][0]["code"],
                  resource["period"]["start"], resource["category"][0]["coding"][0]["code"] == "verifisert")
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
