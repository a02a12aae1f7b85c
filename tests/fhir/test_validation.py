"""Every exported resource is valid R4 and uses only the no-basis identifier systems and helsekit's code systems."""

from __future__ import annotations

import copy
import json

import pytest

from helsekit.domain.person_numbers import decode
from helsekit.fhir import identifiers as ids
from helsekit.fhir import validation
from helsekit.analytics import HelseData


def _resources(folder, kind):
    return [json.loads(line) for line in (folder / f"{kind}.ndjson").read_text().splitlines()]


def test_every_exported_resource_and_bundle_of_tiny_validates(tiny_export):
    checked = 0
    for path in sorted(tiny_export.glob("*.ndjson")):
        for line in path.read_text().splitlines():
            validation.check(json.loads(line))
            checked += 1
    assert checked > 30_000
    for path in sorted((tiny_export / "bundles").glob("*.json"))[:20]:
        validation.check(json.loads(path.read_text()))


def test_a_patient_carries_the_fnr_or_dnr_system_its_number_decodes_to(tiny_db, tiny_export):
    citizens = HelseData(tiny_db).register.set_index("id")
    for patient in _resources(tiny_export, "Patient"):
        identifier = patient["identifier"][0]
        number = citizens.loc[int(patient["id"]), "person_number"]
        assert identifier["value"] == number
        # §1.4: a D-nummer has 40 added to the day, so its first digit is 4–7
        expected = ids.DNR if int(number[0]) >= 4 else ids.FNR
        assert identifier["system"] == expected
        assert decode(number).birth_date.isoformat() == patient["birthDate"]


def test_every_address_names_its_kommune_by_the_no_basis_municipality_code(tiny_db, tiny_export):
    citizens = HelseData(tiny_db).register.set_index("id")
    for patient in _resources(tiny_export, "Patient"):
        extension = patient["address"][0]["extension"][0]
        assert extension["url"] == "http://hl7.no/fhir/StructureDefinition/no-basis-municipalitycode"
        assert extension["valueCoding"]["code"] == citizens.loc[int(patient["id"]), "kommune_number"]


def test_organisations_carry_organisasjonsnummer_and_resh_in_their_no_basis_systems(tiny_db, tiny_export):
    sites = HelseData(tiny_db).organisations.set_index("id")
    for organisation in _resources(tiny_export, "Organization"):
        found = {i["system"]: i["value"] for i in organisation["identifier"]}
        site = sites.loc[int(organisation["id"])]
        assert found["urn:oid:2.16.578.1.12.4.1.4.101"] == site["organisation_number"]
        assert found.get("urn:oid:2.16.578.1.12.4.1.4.102") == (site["resh_id"] if isinstance(site["resh_id"], str) else None)


def test_appointment_times_carry_oslo_offset_of_winter_and_summer(tiny_export):
    starts = [a["start"] for a in _resources(tiny_export, "Appointment")]
    # Norway is UTC+1 in January and UTC+2 (summer time) in July
    assert all(s.endswith("+01:00") for s in starts if s[5:7] == "01")
    assert all(s.endswith("+02:00") for s in starts if s[5:7] == "07")
    assert any(s[5:7] == "01" for s in starts) and any(s[5:7] == "07" for s in starts)


PATIENT = {"resourceType": "Patient", "id": "1", "identifier": [{"system": ids.FNR, "value": "17912099997"}],  # Tenor example, §1.9
           "gender": "male", "birthDate": "2020-11-17"}


@pytest.mark.parametrize(("change", "field"), [
    (lambda r: r.update(birthDate="2020-11-31x"), "birthDate"),
    (lambda r: r.update(gender=["male"]), "gender"),
    (lambda r: r.update(colour="blue"), "colour"),
    (lambda r: r["identifier"][0].update(value="31129956715"), "identifier[0].value"),  # real format (§1.3 example), no +80 month
    (lambda r: r["identifier"][0].update(system="urn:oid:2.16.578.1.12.4.1.4.3"), "identifier[0].system"),  # FH-nummer: not used
    (lambda r: r["identifier"][0].update(system=ids.DNR), "identifier[0].value"),  # an fnr under the D-nummer system
    (lambda r: r.update(maritalStatus={"coding": [{"system": "http://example.org/x", "code": "M"}]}), "maritalStatus.coding[0].system"),
])
def test_a_bad_resource_is_refused_naming_the_resource_and_field(change, field):
    validation.check(PATIENT)
    bad = copy.deepcopy(PATIENT)
    change(bad)
    with pytest.raises(validation.InvalidResource) as refused:
        validation.check(bad)
    assert refused.value.message_en.startswith(f"Patient/1 field {field}:")


def test_a_consent_denies_what_the_citizen_reserved_against_in_the_kjernejournal(tiny_db, tiny_export):
    profiles = HelseData(tiny_db).helsenorge_profiles.set_index("citizen_id")
    codes = {"kj_block_own_web_access": "sperre-egen-tilgang", "kj_block_health_personnel": "hindre-helsepersonell", "kj_reserved": "reservert"}
    consents = _resources(tiny_export, "Consent")
    assert len(consents) == len(profiles)
    for consent in consents:
        profile = profiles.loc[int(consent["patient"]["reference"].split("/")[1])]
        denied = {c["code"] for p in consent["provision"].get("provision", []) for c in p["code"][0]["coding"]}
        assert denied == {code for column, code in codes.items() if profile[column]}
        assert consent["policyRule"]["coding"][0]["code"] == profile["consent_level"]
        assert consent["provision"]["type"] == ("deny" if profile["consent_level"] == "ingen" else "permit")


def test_an_audit_event_names_the_citizen_whose_record_was_opened_by_hl7_norways_patient_extension(tiny_db, tiny_export):
    log = HelseData(tiny_db).access_log.set_index("entry_id")
    events = _resources(tiny_export, "AuditEvent")
    assert len(events) == len(log)
    for event in events:
        entry = log.loc[int(event["id"])]
        (extension,) = event["extension"]
        assert extension["url"] == "urn:AuditEventNorwayCommonTrustFramework/StructureDefinition/AuditEventPatientExtension"
        assert extension["valueReference"]["reference"] == f"Patient/{entry['citizen_id']}"
        assert event["agent"][0]["who"]["reference"] == f"Practitioner/{entry['practitioner_id']}"
        assert event["purposeOfEvent"][0]["coding"][0]["code"] == entry["reason"]


def test_every_patient_is_labelled_as_test_health_data(tiny_export):
    for patient in _resources(tiny_export, "Patient"):
        assert {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST",
                "display": "test health data"} in patient["meta"]["security"]
