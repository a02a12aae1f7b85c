"""Observation: each laboratory result (prøvesvar, §4.2) of a sample taken at a GP consultation or an outpatient
appointment (``test_results``, issue #9).

The test is coded in helsekit's code system ``lab-test`` (Modelling choice: the spec test_results.toml
has a small catalogue of its own codes, no LOINC or NLK codes). The value and the reference range are
Quantities with the unit as the spec writes it; the value's also carries the UCUM code (the range's
bounds, in the same unit, only the unit: a million results, each byte counts twice, in NDJSON and Bundle). Status: kodeverk 8245 (§14.6) is kept
whole in helsekit's extension ``result-status`` (a Coding with the name as display), and mapped to R4's
status: 3 Endelig → final, 1 Revidert → amended, 2 Foreløpig → preliminary, 15 I prosess → registered
(no value yet). L and H are the v3 ObservationInterpretation codes. The Appointment the sample was taken
at (``gp-<contact id>`` or ``sh-<appointment id>``) is in helsekit's extension ``sample-appointment``.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.parse import int_id, local_time, reference_id
from helsekit.fhir.render import Col, Rendered, head, per_value, ref, rendered, with_columns

TEST = ids.helsekit_system("lab-test")
#: kodeverk 8245 result status → R4 ObservationStatus.
STATUS = {"3": "final", "1": "amended", "2": "preliminary", "15": "registered"}
#: The spec's units → UCUM (µ is "u"; the body-surface 1.73 m² of eGFR is an annotation in braces).
UCUM = {"mg/L": "mg/L", "g/dL": "g/dL", "mmol/mol": "mmol/mol", "µmol/L": "umol/L", "mL/min/1,73 m²": "mL/min/{1.73_m2}", "mmol/L": "mmol/L"}
COLUMNS = ["result_id", "citizen_id", "ordered_by", "contact_id", "appointment_id", "organisation_id", "taken_at", "test", "name", "value",
           "unit", "reference_low", "reference_high", "flag", "status", "status_name", "resulted_at"]


def _text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _number(value: float) -> str:
    """A value as the Quantities of the column render it (Arrow's shortest form: 5, 12.7)."""
    return pc.cast(pa.array([value], pa.float64()), pa.string())[0].as_py()


def _unit(unit: str) -> str:
    """The end of the value's Quantity in ``unit``: the unit as the spec writes it and its UCUM code."""
    if unit not in UCUM:
        raise ValueError(f"test_results unit {unit!r} has no FHIR code in helsekit.fhir.observations.UCUM")
    return f',"unit":{_text(unit)},"system":"{ids.UCUM}","code":{_text(UCUM[unit])}}}'


def _coded(status: str, status_name: str, test: str, name: str) -> str:
    """The kodeverk 8245 extension (closing the extensions), R4's status, the category and the test's code."""
    if status not in STATUS:
        raise ValueError(f"test_results status {status!r} has no FHIR status in helsekit.fhir.observations.STATUS")
    return (f'{{"url":"{ids.RESULT_STATUS_EXTENSION}","valueCoding":{{"system":"{ids.RESULT_STATUS}","code":{_text(status)},'
            f'"display":{_text(status_name)}}}}}],"status":"{STATUS[status]}"'
            f',"category":[{{"coding":[{{"system":"{ids.OBSERVATION_CATEGORY}","code":"laboratory"}}]}}]'
            f',"code":{{"coding":[{{"system":"{TEST}","code":{_text(test)}}}],"text":{_text(name)}}}')


def _range(low: float | None, high: float | None, unit: str) -> str | None:
    """The reference range's element, or None without bounds (in the value's unit, whose UCUM code the value gives)."""
    bounds = [f'"{end}":{{"value":{_number(value)},"unit":{_text(unit)}}}' for end, value in (("low", low), ("high", high)) if value is not None]
    return f',"referenceRange":[{{{",".join(bounds)}}}]' if bounds else None


def export(source) -> list[Rendered]:
    """Every test result as an Observation. Codes, statuses, units and ranges are rendered once per distinct value
    (a million results share a few dozen), which keeps the ``default`` export within its time."""
    table = source.history("test_results", COLUMNS).sort_by("result_id")
    sample = pc.if_else(pc.is_valid(table["contact_id"]), pc.binary_join_element_wise("gp-", pc.cast(table["contact_id"], pa.string()), ""),
                        pc.binary_join_element_wise("sh-", pc.cast(table["appointment_id"], pa.string()), ""))
    measured = pc.binary_join_element_wise(',"valueQuantity":{"value":', pc.cast(table["value"].combine_chunks(), pa.string()),
                                           per_value(table, ["unit"], _unit), "")
    table = with_columns(table, sample=sample, coded=per_value(table, ["status", "status_name", "test", "name"], _coded), measured=measured,
                         range=per_value(table, ["reference_low", "reference_high", "unit"], _range))
    template = [
        *head("Observation", "result_id"), ',"extension":[',
        Col("sample", "raw", f'{{"url":"{ids.SAMPLE_APPOINTMENT_EXTENSION}","valueReference":{{"reference":"Appointment/', '"}},'),
        Col("coded", "raw"), ref("Patient", "citizen_id", ',"subject":'), ',"effectiveDateTime":', Col("taken_at", "instant"),
        Col("resulted_at", "instant", ',"issued":'), ref("Organization", "organisation_id", ',"performer":[', "]"), Col("measured", "raw"),
        Col("flag", before=f',"interpretation":[{{"coding":[{{"system":"{ids.INTERPRETATION}","code":', after="}]}]"), Col("range", "raw"), "}",
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
