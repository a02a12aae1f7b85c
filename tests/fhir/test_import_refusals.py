"""A malformed or non-synthetic input is refused whole, naming the resource and field, and the database is unchanged."""

from __future__ import annotations

import json
import shutil

import pytest

from helsekit.cli import main
from helsekit.errors import InvalidInput
from helsekit.fhir.importer import import_fhir
from helsekit.storage.database import content_digest
from helsekit.storage.sandbox import sandbox


def _copy_with(tiny_export, tmp_path, kind, number, change):
    """The export with resource ``number`` of ``kind``.ndjson changed."""
    folder = tmp_path / "feed"
    shutil.copytree(tiny_export, folder, ignore=shutil.ignore_patterns("bundles"))
    lines = (folder / f"{kind}.ndjson").read_text().splitlines()
    resource = json.loads(lines[number])
    change(resource)
    lines[number] = json.dumps(resource)
    (folder / f"{kind}.ndjson").write_text("\n".join(lines) + "\n")
    return folder, resource["id"]


def test_a_non_synthetic_person_number_refuses_the_whole_export_and_creates_no_database(tiny_export, tmp_path):
    folder, patient = _copy_with(tiny_export, tmp_path, "Patient", 5, lambda r: r["identifier"][0].update(value="31129956715"))
    target = tmp_path / "new.db"
    with pytest.raises(InvalidInput) as refused:
        import_fhir(folder, str(target))
    assert refused.value.message_en.startswith(f"Patient/{patient} field identifier[0].value: person_number '31129956715' is not synthetic")
    assert not target.exists() and not (tmp_path / "new.histories").exists()


def test_a_malformed_appointment_leaves_a_database_with_citizens_unchanged(tiny_db, tiny_export, tmp_path):
    work = sandbox(tiny_db, tmp_path / "sandbox")
    before = content_digest(work)
    folder, appointment = _copy_with(tiny_export, tmp_path, "Appointment", 10, lambda r: r.update(start="next tuesday"))
    with pytest.raises(InvalidInput) as refused:
        import_fhir(folder / "Appointment.ndjson", work)
    assert refused.value.message_en.startswith(f"Appointment/{appointment} field start:")
    assert content_digest(work) == before


def test_a_line_that_is_not_json_is_named_by_file_and_line(tmp_path):
    (tmp_path / "Appointment.ndjson").write_text('{"resourceType": "Appointment"}\n{not json\n')
    with pytest.raises(InvalidInput, match=r"^Appointment.ndjson line 2: not JSON"):
        import_fhir(tmp_path / "Appointment.ndjson", str(tmp_path / "new.db"))


def test_the_cli_prints_one_error_line_and_exits_2(tiny_export, tmp_path, capsys):
    folder, patient = _copy_with(tiny_export, tmp_path, "Patient", 0, lambda r: r.update(birthDate="30.04.2005"))
    assert main(["import", "fhir", str(folder), "--db", str(tmp_path / "new.db")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(f"error: Patient/{patient} field birthDate:")
    assert not (tmp_path / "new.db").exists()


def test_the_export_command_names_a_bad_citizens_list_and_writes_nothing(tiny_db, tmp_path, capsys):
    assert main(["export", "fhir", "--db", tiny_db, "--out", str(tmp_path / "out"), "--citizens", "1,two"]) == 2
    assert capsys.readouterr().err == "error: citizens must be citizen ids separated by commas, got '1,two'\n"
    assert not (tmp_path / "out").exists()


def test_the_export_command_says_what_it_wrote_and_that_the_data_are_synthetic(tiny_db, tmp_path, capsys):
    assert main(["export", "fhir", "--db", tiny_db, "--out", str(tmp_path / "out"), "--citizens", "1,2"]) == 0
    printed = capsys.readouterr().out
    assert "Patient 2," in printed and "2 transaction bundles" in printed and printed.rstrip().endswith("Syntetiske data")
    assert sorted(p.name for p in (tmp_path / "out" / "bundles").iterdir()) == ["Patient-1.json", "Patient-2.json"]


def test_valid_r4_that_is_not_a_helsekit_export_is_refused_for_a_new_database(tmp_path):
    patient = {"resourceType": "Patient", "id": "1", "identifier": [{"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": "17912099997"}],
               "name": [{"family": "Berg", "given": ["Ola"]}], "gender": "male", "birthDate": "2020-11-17"}  # no address: valid R4, but helsekit needs the kommune
    (tmp_path / "Patient.ndjson").write_text(json.dumps(patient) + "\n")
    with pytest.raises(InvalidInput, match=r"^the resources are valid R4 but not in the form a helsekit export writes \(KeyError: 'address'\)"):
        import_fhir(tmp_path, str(tmp_path / "new.db"))
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize(("kind", "change", "field"), [
    ("Immunization", lambda r: r.update(occurrenceDateTime="last spring"), "occurrenceDateTime"),
    ("Immunization", lambda r: r["vaccineCode"]["coding"][0].update(system="http://example.org/vaccines"), "vaccineCode.coding[0].system"),
    ("Immunization", lambda r: r["protocolApplied"][0].update(doseNumberPositiveInt="first"), "protocolApplied[0].doseNumberPositiveInt"),
    ("Observation", lambda r: r["valueQuantity"].update(value="high"), "valueQuantity.value"),
    ("Observation", lambda r: r["extension"][0].update(url="http://example.org/status"), "extension[0].url"),
    ("Observation", lambda r: r.pop("code"), "code"),
])
def test_a_malformed_immunization_or_observation_is_refused_naming_its_field(tiny_export, tmp_path, kind, change, field):
    folder, resource = _copy_with(tiny_export, tmp_path, kind, 0, change)
    target = tmp_path / "new.db"
    with pytest.raises(InvalidInput) as refused:
        import_fhir(folder / f"{kind}.ndjson", str(target))  # its file alone: the refusal comes at its first line
    assert refused.value.message_en.startswith(f"{kind}/{resource} field {field}:")
    assert not target.exists()
