"""Observation: each laboratory result (prøvesvar, §4.2) of a sample taken at a GP consultation or an outpatient
appointment (``test_results``, issue #9).

The test is coded in helsekit's code system ``lab-test`` (Modelling choice: the spec test_results.toml
has a small catalogue of its own codes, no LOINC or NLK codes). The value and the reference range are
Quantities with the unit as the spec writes it and its UCUM code. Status: kodeverk 8245 (§14.6) is kept
whole in helsekit's extension ``result-status`` (a Coding with the name as display), and mapped to R4's
status: 3 Endelig → final, 1 Revidert → amended, 2 Foreløpig → preliminary, 15 I prosess → registered
(no value yet). L and H are the v3 ObservationInterpretation codes. The Appointment the sample was taken
at (``gp-<contact id>`` or ``sh-<appointment id>``) is in helsekit's extension ``sample-appointment``.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id, local_time, reference_id
from helsekit.fhir.render import Col, Rendered, fragments, head, mapped, optional, ref, rendered, with_columns

TEST = ids.helsekit_system("lab-test")
#: kodeverk 8245 result status → R4 ObservationStatus.
STATUS = {"3": "final", "1": "amended", "2": "preliminary", "15": "registered"}
#: The spec's units → UCUM (µ is "u"; the body-surface 1.73 m² of eGFR is an annotation in braces).
UCUM = {"mg/L": "mg/L", "g/dL": "g/dL", "mmol/mol": "mmol/mol", "µmol/L": "umol/L", "mL/min/1,73 m²": "mL/min/{1.73_m2}", "mmol/L": "mmol/L"}
COLUMNS = ["result_id", "citizen_id", "ordered_by", "contact_id", "appointment_id", "organisation_id", "taken_at", "test", "name", "value",
           "unit", "reference_low", "reference_high", "flag", "status", "status_name", "resulted_at"]


def _codes(values: pa.ChunkedArray, mapping: dict[str, str], what: str) -> pa.Array:
    """``mapping`` applied to ``values``; a value it lacks is an error (the resource would be invalid without it)."""
    found = mapped(values, mapping)
    missing = pc.filter(values, pc.and_(pc.is_valid(values), pc.is_null(found)))
    if len(missing):
        raise ValueError(f"test_results {what} {missing[0].as_py()!r} has no FHIR code in helsekit.fhir.observations")
    return found


def _quantity(table: pa.Table, column: str, before: str) -> pa.Array:
    """A Quantity of ``column`` in the row's unit, null where the column is."""
    return optional(table, column, [Col(column, "raw", f'{before}{{"value":'), ',"unit":', Col("unit"),
                                    f',"system":"{ids.UCUM}","code":', Col("ucum"), "}"])


def export(source) -> list[Rendered]:
    """Every test result as an Observation."""
    table = source.history("test_results", COLUMNS).sort_by("result_id")
    sample = pc.if_else(pc.is_valid(table["contact_id"]), pc.binary_join_element_wise("gp-", pc.cast(table["contact_id"], pa.string()), ""),
                        pc.binary_join_element_wise("sh-", pc.cast(table["appointment_id"], pa.string()), ""))
    table = with_columns(table, fhir_status=_codes(table["status"], STATUS, "status"), ucum=_codes(table["unit"], UCUM, "unit"), sample=sample)
    table = with_columns(table, measured=_quantity(table, "value", ',"valueQuantity":'),
                         range=fragments(_quantity(table, "reference_low", '"low":'), _quantity(table, "reference_high", '"high":')))
    template = [
        *head("Observation", "result_id"),
        f',"extension":[{{"url":"{ids.RESULT_STATUS_EXTENSION}","valueCoding":{{"system":"{ids.RESULT_STATUS}","code":', Col("status"),
        ',"display":', Col("status_name"), "}}",
        Col("sample", "raw", f',{{"url":"{ids.SAMPLE_APPOINTMENT_EXTENSION}","valueReference":{{"reference":"Appointment/', '"}}'), "]",
        ',"status":', Col("fhir_status"),
        f',"category":[{{"coding":[{{"system":"{ids.OBSERVATION_CATEGORY}","code":"laboratory"}}]}}]',
        f',"code":{{"coding":[{{"system":"{TEST}","code":', Col("test"), ',"display":', Col("name"), "}],\"text\":", Col("name"), "}",
        ref("Patient", "citizen_id", ',"subject":'), ',"effectiveDateTime":', Col("taken_at", "instant"), Col("resulted_at", "instant", ',"issued":'),
        ref("Organization", "organisation_id", ',"performer":[', "]"), Col("measured", "raw"),
        Col("flag", before=f',"interpretation":[{{"coding":[{{"system":"{ids.INTERPRETATION}","code":', after="}]}]"),
        Col("range", "raw", ',"referenceRange":[{', "}]"), "}",
    ]
    return [rendered("Observation", table, "result_id", template)]


def load(resources: list[dict]) -> dict[str, list]:
    """``test_results`` columns from Observations."""
    rows = {n: [] for n in COLUMNS}
    for r in resources:
        extensions = {e["url"]: e for e in r["extension"]}
        status = extensions[ids.RESULT_STATUS_EXTENSION]["valueCoding"]
        sample = reference_id(extensions.get(ids.SAMPLE_APPOINTMENT_EXTENSION, {}).get("valueReference"), "Appointment") or "-"
        kind, _, number = sample.partition("-")
        measured, bounds = r.get("valueQuantity"), (r.get("referenceRange") or [{}])[0]
        unit = (measured or bounds.get("low") or bounds.get("high") or {}).get("unit")
        values = (int(r["id"]), int_id(r["subject"], "Patient"), {"gp": "fastlege", "sh": "sykehus"}.get(kind),
                  int(number) if kind == "gp" else None, int(number) if kind == "sh" else None, int_id(r.get("performer", [None])[0], "Organization"),
                  local_time(r["effectiveDateTime"]), r["code"]["coding"][0]["code"], r["code"]["text"], (measured or {}).get("value"), unit,
                  bounds.get("low", {}).get("value"), bounds.get("high", {}).get("value"),
                  r["interpretation"][0]["coding"][0]["code"] if "interpretation" in r else None, status["code"], status["display"],
                  local_time(r.get("issued")))
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
