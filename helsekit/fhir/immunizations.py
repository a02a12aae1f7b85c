"""Immunization: each dose of the childhood programme or the influenza campaign (``vaccinations``, issue #9).

The vaccine is coded by its ATC code (the spec vaccinations.toml gives one per vaccine) and by helsekit's
own vaccine code (code system ``vaccine``: one ATC code, J07CA02, covers both dTP-IPV boosters). The
programme is the protocol's series and the dose its dose number. Modelling choice: the service that gave
it (helsestasjon, skolehelsetjenesten, fastlege) is the performer's function in helsekit's code system
``vaccination-setting``, because R4 has no element for it; the performer is the GP office where there is
one, otherwise a reference naming only the service.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id
from helsekit.fhir.render import Col, Rendered, coding, head, json_string, ref, rendered, with_columns

VACCINE = ids.helsekit_system("vaccine")
SETTING = ids.helsekit_system("vaccination-setting")
COLUMNS = ["vaccination_id", "citizen_id", "given_on", "vaccine", "name", "atc_code", "dose", "programme", "given_at", "gp_office_id"]


def export(source) -> list[Rendered]:
    """Every vaccination as an Immunization."""
    table = source.history("vaccinations", COLUMNS).sort_by("vaccination_id")
    office = pc.binary_join_element_wise('{"reference":"Organization/', pc.cast(table["gp_office_id"], pa.string()), '"}', "")
    named = pc.binary_join_element_wise('{"display":', json_string(table["given_at"].combine_chunks()), "}", "")
    table = with_columns(table, actor=pc.if_else(pc.is_valid(office), office, named))
    template = [
        *head("Immunization", "vaccination_id"), ',"status":"completed"',
        f',"vaccineCode":{{"coding":[{{"system":"{ids.ATC}","code":', Col("atc_code"), ',"display":', Col("name"),
        f'}},{{"system":"{VACCINE}","code":', Col("vaccine"), "}],\"text\":", Col("name"), "}",
        ref("Patient", "citizen_id", ',"patient":'), ',"occurrenceDateTime":', Col("given_on", "date"),
        ',"performer":[{"function":', *coding(SETTING, "given_at"), ',"actor":', Col("actor", "raw"), "}]",
        ',"protocolApplied":[{"series":', Col("programme"), ',"doseNumberPositiveInt":', Col("dose", "raw"), "}]}",
    ]
    return [rendered("Immunization", table, "vaccination_id", template)]


def load(resources: list[dict]) -> dict[str, list]:
    """``vaccinations`` columns from Immunizations."""
    rows = {n: [] for n in COLUMNS}
    for r in resources:
        codes = {c["system"]: c["code"] for c in r["vaccineCode"]["coding"]}
        performer, protocol = r["performer"][0], r["protocolApplied"][0]
        values = (int(r["id"]), int_id(r["patient"], "Patient"), r["occurrenceDateTime"], codes[VACCINE], r["vaccineCode"]["text"], codes[ids.ATC],
                  protocol["doseNumberPositiveInt"], protocol["series"], performer["function"]["coding"][0]["code"],
                  int_id(performer["actor"], "Organization"))
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
