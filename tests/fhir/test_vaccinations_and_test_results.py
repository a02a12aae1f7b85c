"""Vaccinations become Immunizations and test results Observations (issue #9 point 3), and come back unchanged."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from helsekit.fhir import observations
from helsekit.storage import archive


def _resources(folder, kind):
    return [json.loads(line) for line in (folder / f"{kind}.ndjson").read_text().splitlines()]


def test_an_immunization_names_the_vaccine_by_atc_the_dose_and_who_gave_it(tiny_db, tiny_export):
    doses = {r["vaccination_id"]: r for r in archive.read(tiny_db, "vaccinations").to_pylist()}
    immunizations = _resources(tiny_export, "Immunization")
    assert len(immunizations) == len(doses) > 0
    for resource in immunizations:
        dose = doses[int(resource["id"])]
        atc = [c for c in resource["vaccineCode"]["coding"] if c["system"] == "http://www.whocc.no/atc"]
        assert [c["code"] for c in atc] == [dose["atc_code"]]
        assert resource["status"] == "completed" and resource["patient"]["reference"] == f"Patient/{dose['citizen_id']}"
        assert resource["occurrenceDateTime"] == dose["given_on"].isoformat()
        assert resource["protocolApplied"] == [{"series": dose["programme"], "doseNumberPositiveInt": dose["dose"]}]
        actor = resource["performer"][0]["actor"]
        if dose["gp_office_id"] is None:
            assert actor == {"display": dose["given_at"]}
        else:
            assert actor == {"reference": f"Organization/{dose['gp_office_id']}"}
    # both dTP-IPV boosters share J07CA02, so the vaccine's own code tells them apart
    boosters = {tuple(c["code"] for c in r["vaccineCode"]["coding"]) for r in immunizations if "J07CA02" in str(r["vaccineCode"])}
    assert boosters == {("J07CA02", "dtp_ipv"), ("J07CA02", "dtp_ipv_teen")}


def test_an_observation_maps_the_kodeverk_8245_status_to_r4_and_keeps_the_code(tiny_db, tiny_export):
    results = {r["result_id"]: r for r in archive.read(tiny_db, "test_results").to_pylist()}
    observations = _resources(tiny_export, "Observation")
    assert len(observations) == len(results) > 0
    r4 = {"Endelig": "final", "Revidert": "amended", "I prosess": "registered"}  # 3 final, 1 corrected, 15 not yet resulted
    seen = set()
    for resource in observations:
        result = results[int(resource["id"])]
        (status,) = [e["valueCoding"] for e in resource["extension"] if e["url"].endswith("/result-status")]
        assert status == {"system": "http://ehelse.no/fhir/CodeSystem/no-kodeverk-8245", "code": result["status"], "display": result["status_name"]}
        assert resource["status"] == r4[result["status_name"]]
        assert ("valueQuantity" in resource) == (result["status_name"] != "I prosess")
        seen.add(resource["status"])
    assert {"final", "amended"} <= seen


def test_values_are_ucum_quantities_and_reference_ranges_in_the_same_unit(tiny_db, tiny_export):
    results = {r["result_id"]: r for r in archive.read(tiny_db, "test_results").to_pylist()}
    ucum = {"mg/L": "mg/L", "g/dL": "g/dL", "mmol/mol": "mmol/mol", "µmol/L": "umol/L", "mL/min/1,73 m²": "mL/min/{1.73_m2}", "mmol/L": "mmol/L"}
    for resource in _resources(tiny_export, "Observation"):
        result = results[int(resource["id"])]
        if "valueQuantity" in resource:
            quantity = resource["valueQuantity"]
            assert (quantity["unit"], quantity["system"], quantity["code"]) == (result["unit"], "http://unitsofmeasure.org", ucum[result["unit"]])
        assert {b["unit"] for b in resource.get("referenceRange", [{}])[0].values()} <= {result["unit"]}
        assert resource.get("valueQuantity", {}).get("value") == result["value"]
        bounds = resource.get("referenceRange", [{}])[0]
        assert (bounds.get("low", {}).get("value"), bounds.get("high", {}).get("value")) == (result["reference_low"], result["reference_high"])
        flags = [c["code"] for i in resource.get("interpretation", []) for c in i["coding"]]
        assert flags == ([] if result["flag"] is None else [result["flag"]])
        sample = "gp-" + str(result["contact_id"]) if result["ordered_by"] == "fastlege" else "sh-" + str(result["appointment_id"])
        assert {"url": "http://helsekit.invalid/fhir/StructureDefinition/sample-appointment",
                "valueReference": {"reference": f"Appointment/{sample}"}} in resource["extension"]


def test_the_imported_vaccinations_and_test_results_equal_the_originals(tiny_db, round_trip):
    _, imported, _ = round_trip
    for table in ("vaccinations", "test_results"):
        assert archive.read(imported, table).equals(archive.read(tiny_db, table))


def test_a_citizens_bundle_holds_their_immunizations_and_observations(tiny_db, tiny_export):
    doses, results = archive.read(tiny_db, "vaccinations").to_pylist(), archive.read(tiny_db, "test_results").to_pylist()
    citizen = min({d["citizen_id"] for d in doses} & {r["citizen_id"] for r in results})
    bundle = json.loads((tiny_export / "bundles" / f"Patient-{citizen}.json").read_text())
    urls = [e["request"]["url"] for e in bundle["entry"]]
    assert [u for u in urls if u.startswith("Immunization/")] == [f"Immunization/{d['vaccination_id']}" for d in doses if d["citizen_id"] == citizen]
    assert [u for u in urls if u.startswith("Observation/")] == [f"Observation/{r['result_id']}" for r in results if r["citizen_id"] == citizen]


def test_a_unit_without_a_ucum_code_stops_the_export_naming_it(tiny_db):
    table = archive.read(tiny_db, "test_results")
    table = table.set_column(table.column_names.index("unit"), "unit", pa.array(["IU/L"] * table.num_rows))

    class OneTable:
        def history(self, name, columns):
            return table.select(columns)

    with pytest.raises(ValueError, match="test_results unit 'IU/L' has no FHIR code"):
        observations.export(OneTable())
