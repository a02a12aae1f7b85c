"""Export → import into an empty database → export again gives the same files (issue #8, done-when 1)."""

from __future__ import annotations

import json

from helsekit.fhir.export import export_fhir
from helsekit.storage import archive

from fhir_support import files_of


def test_two_exports_of_one_database_are_byte_identical(tiny_db, tiny_export, tmp_path):
    export_fhir(tiny_db, tmp_path / "again")
    assert files_of(tmp_path / "again") == files_of(tiny_export)


def test_exporting_the_imported_database_gives_the_first_export_again(tiny_export, round_trip):
    result, _, second = round_trip
    first, again = files_of(tiny_export), files_of(second)
    assert sorted(first) == sorted(again)
    differing = [name for name in first if first[name] != again[name]]
    assert differing == []
    assert result.skipped == []


def test_the_import_loads_every_line_of_every_ndjson_file(tiny_export, round_trip):
    result, _, _ = round_trip
    manifest = json.loads((tiny_export / "manifest.json").read_text())
    for output in manifest["output"]:
        lines = (tiny_export / output["url"]).read_text().splitlines()
        assert len(lines) == output["count"] == result.loaded.get(output["type"], 0)


def test_the_imported_histories_hold_the_consultations_referrals_and_dispensings_of_the_original(tiny_db, round_trip):
    _, imported, _ = round_trip
    for table, key in (("hospital_appointments", "appointment_id"), ("referrals", "referral_id"), ("dispensings", "dispensing_id"),
                       ("hospital_documents", "document_id"), ("prescriptions", "prescription_id")):
        assert sorted(archive.read(imported, table, [key])[key].to_pylist()) == sorted(archive.read(tiny_db, table, [key])[key].to_pylist())
    original = archive.read(tiny_db, "gp_contacts", ["contact_id", "kind"]).to_pylist()
    consultations = sorted(r["contact_id"] for r in original if r["kind"] == "consultation")  # e-consultations are messages
    assert sorted(archive.read(imported, "gp_contacts", ["contact_id"])["contact_id"].to_pylist()) == consultations


def test_the_manifest_gives_the_reference_date_as_transaction_time_not_the_clock(tiny_db, tiny_export):
    from helsekit.storage.database import read_meta

    manifest = json.loads((tiny_export / "manifest.json").read_text())
    assert manifest["transactionTime"].startswith(read_meta(tiny_db)["reference_date"])
    assert manifest["extension"]["helsekit"]["label"] == "Syntetiske data"


def test_an_export_of_some_citizens_imports_with_the_relations_to_others_reported_as_skipped(tiny_db, tmp_path):
    from helsekit.fhir.importer import import_fhir
    from helsekit.analytics import HelseData

    relations = HelseData(tiny_db).parent_relations
    child = int(relations["child_id"].iloc[0])
    export_fhir(tiny_db, tmp_path / "some", [child])
    result = import_fhir(tmp_path / "some", str(tmp_path / "some.db"))
    parents = relations.loc[relations["child_id"] == child, "parent_id"]
    assert result.loaded["Patient"] == 1
    assert [r for r, _ in result.skipped] == [f"RelatedPerson/parent-{child}-{p}" for p in sorted(parents)]
    assert {reason for _, reason in result.skipped} == {"the person it names is not among the Patients read"}


def test_the_fhir_benchmark_runs_on_a_given_database(tiny_db):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "benchmarks/bench_fhir.py", "--db", tiny_db, "--every", "50"], cwd=root,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "resources/s" in result.stdout and "byte-identical: True" in result.stdout and ", 0 invalid" in result.stdout


def test_protected_addresses_are_labelled_and_a_strengt_fortrolig_address_leaves_only_the_kommune(tiny_db, tmp_path):
    import sqlalchemy as sa

    from helsekit.fhir.importer import import_fhir
    from helsekit.storage.database import engine_for
    from helsekit.storage.sandbox import sandbox

    work = sandbox(tiny_db, tmp_path / "sandbox")
    with engine_for(work).begin() as connection:
        connection.execute(sa.text("UPDATE citizen SET address_protection = 'fortrolig' WHERE id = 1"))
        connection.execute(sa.text("UPDATE citizen SET address_protection = 'strengt_fortrolig' WHERE id = 2"))
    export_fhir(work, tmp_path / "first", [1, 2])
    patients = {p["id"]: p for p in map(json.loads, (tmp_path / "first" / "Patient.ndjson").read_text().splitlines())}
    labels = {i: [s["code"] for s in p["meta"]["security"]] for i, p in patients.items()}
    assert labels == {"1": ["HTEST", "R"], "2": ["HTEST", "V"]}  # v3 Confidentiality: restricted, very restricted (§3.7)
    assert "line" in patients["1"]["address"][0]
    assert set(patients["2"]["address"][0]) == {"extension", "district"}  # kode 6: no street, postal code or household
    import_fhir(tmp_path / "first", str(tmp_path / "again.db"))
    export_fhir(str(tmp_path / "again.db"), tmp_path / "second", [1, 2])
    assert files_of(tmp_path / "second") == files_of(tmp_path / "first")
