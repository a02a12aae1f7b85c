"""Loading a whole FHIR export into a new helsekit database (see :mod:`helsekit.fhir.importer`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from helsekit.errors import InvalidInput
from helsekit.fhir import (appointments, audit, consents, copayments, documents, flags, immunizations, medications, messages, observations, organisation,
                          patient, practitioner, referrals, related_persons)
from helsekit.fhir.importer import Feed, ImportResult
from helsekit.generator import specs
from helsekit.storage.database import TableWriter, engine_for, is_url

#: Columns stored as dates and as times in the history tables (the rest: integers, text, booleans).
DATES = {"date", "sent_on", "received_on", "assessed_on", "legal_deadline", "prescribed_on", "valid_until", "dispensed_on", "given_on"}
TIMES = {"start", "booked_at", "written_at", "approved_at", "accessed_at", "sent_at", "taken_at", "resulted_at"}
BOOLEANS = {"evening", "frikort"}
FLOATS = {"value", "reference_low", "reference_high"}
TEXT = {"kind", "status", "sector", "outcome", "atc_code", "drug", "reseptgruppe", "record", "reason", "topic", "sender", "source", "vaccine", "name",
        "programme", "given_at", "ordered_by", "test", "unit", "flag", "status_name"}
#: Each history table's citizen key and id, the order its rows are stored in.
ORDER_BY = {"gp_contacts": "contact_id", "hospital_appointments": "appointment_id", "referrals": "referral_id",
            "hospital_documents": "document_id", "prescriptions": "prescription_id", "dispensings": "dispensing_id", "access_log": "entry_id",
            "messages": "message_id", "copayments": "date", "vaccinations": "vaccination_id",
            "test_results": "result_id"}
PATIENT_REFERENCES = {"RelatedPerson": ("patient",), "Flag": ("subject",), "Consent": ("patient",), "Appointment": ("participant",), "ServiceRequest": ("subject",), "Task": ("for",), "DocumentReference": ("subject",),
                      "MedicationRequest": ("subject",), "MedicationDispense": ("subject",), "Communication": ("subject",), "ChargeItem": ("subject",),
                      "Immunization": ("patient",), "Observation": ("subject",),
                      "AuditEvent": ("extension",)}


#: Resource types not about one citizen (Locations and HealthcareServices follow from the Organizations).
SHARED = ("Patient", "Organization", "Location", "HealthcareService", "Practitioner", "PractitionerRole")


def is_new(db: str) -> bool:
    """True when ``db`` has no citizens yet (no file, no citizen table, or an empty one)."""
    if not is_url(db) and not Path(db.removeprefix("sqlite:///")).exists():
        return True
    engine = engine_for(db)
    try:
        if not sa.inspect(engine).has_table("citizen"):
            return True
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT COUNT(*) FROM citizen")).scalar_one() == 0
    finally:
        engine.dispose()


def _type_of(name: str) -> pa.DataType:
    if name in DATES:
        return pa.date32()
    if name in TIMES:
        return pa.timestamp("ms")
    if name in BOOLEANS:
        return pa.bool_()
    if name in FLOATS:
        return pa.float64()
    return pa.string() if name in TEXT else pa.int64()


def _history(name: str, columns: dict[str, list]) -> pa.Table:
    arrays = {}
    for column, values in columns.items():
        kind = _type_of(column)
        if kind == pa.date32():
            values = [None if v is None else dt.date.fromisoformat(v[:10]) for v in values]
        arrays[column] = pa.array(values, kind)
    table = pa.table(arrays)
    return table.sort_by([("citizen_id", "ascending"), (ORDER_BY[name], "ascending")])


def _patient_ids(resource: dict) -> list[str]:
    refs = []
    for element in PATIENT_REFERENCES.get(resource["resourceType"], ()):
        value = resource.get(element)
        for item in value if isinstance(value, list) else [value]:
            actor = item.get("actor", item.get("valueReference", item)) if isinstance(item, dict) else {}
            if actor.get("reference", "").startswith("Patient/"):
                refs.append(actor["reference"].split("/", 1)[1])
    return refs


def _kommuner(citizens: dict[str, list]) -> tuple[dict, dict]:
    from helsekit.generator import geography

    geo = geography.load()
    living = Counter(n for n, dead in zip(citizens["kommune_number"], citizens["death_date"]) if dead is None)
    numbers = geo.kommuner["number"].astype(str).to_numpy(dtype=object)
    kommune = {"number": numbers, "name": geo.kommuner["name"].to_numpy(dtype=object),
               "fylke_number": geo.kommuner["fylke_number"].to_numpy(dtype=object),
               "population_target": np.array([living.get(n, 0) for n in numbers]),  # the imported citizens who live there
               "latitude": geo.kommuner["latitude"].to_numpy(), "longitude": geo.kommuner["longitude"].to_numpy()}
    fylke = {"number": geo.fylker["number"].to_numpy(dtype=object), "name": geo.fylker["name"].to_numpy(dtype=object),
             "region": geo.fylker["region"].to_numpy(dtype=object)}
    return kommune, fylke


def _tables(by_type: dict[str, list[dict]]) -> tuple[dict, dict]:
    """The SQL tables and history tables the resources make."""
    people, households = patient.load(by_type.get("Patient", []))
    kommune, fylke = _kommuner(people)
    parents, fullmakter = related_persons.load(by_type.get("RelatedPerson", []), dict(zip(people["person_number"], people["id"])))
    sql = {"fylke": fylke, "kommune": kommune, "household": households, "citizen": people,
           "organisation": organisation.load(by_type.get("Organization", []), patient.kommune_of),
           "practitioner": practitioner.load(by_type.get("Practitioner", []), by_type.get("PractitionerRole", [])),
           "parent_relation": parents, "fullmakt": fullmakter, "critical_information": flags.load(by_type.get("Flag", [])),
           "helsenorge_profile": consents.load(by_type.get("Consent", []))}
    histories = {"referrals": referrals.load(by_type.get("ServiceRequest", []), by_type.get("Task", [])),
                 **appointments.load(by_type.get("Appointment", [])), "hospital_documents": documents.load(by_type.get("DocumentReference", [])),
                 **medications.load(by_type.get("MedicationRequest", []), by_type.get("MedicationDispense", [])),
                 "copayments": copayments.load(by_type.get("ChargeItem", [])), "messages": messages.load(by_type.get("Communication", [])),
                 "access_log": audit.load(by_type.get("AuditEvent", [])), "vaccinations": immunizations.load(by_type.get("Immunization", [])),
                 "test_results": observations.load(by_type.get("Observation", []))}
    return sql, histories


def load(feed: Feed, db: str) -> ImportResult:
    """Write every resource of ``feed`` into a new database at ``db``, all or nothing."""
    result = ImportResult(db, "new database")
    by_type: dict[str, list[dict]] = {}
    patients = {r["id"] for r in feed.resources if r["resourceType"] == "Patient"}
    numbers = {r["identifier"][0]["value"] for r in feed.resources if r["resourceType"] == "Patient"}
    for resource in feed.resources:
        kind = resource["resourceType"]
        if kind not in PATIENT_REFERENCES and kind not in SHARED:
            result.skip(resource, f"helsekit does not load {kind} resources")
            continue
        unknown = [p for p in _patient_ids(resource) if p not in patients]
        if unknown:
            result.skip(resource, f"Patient/{unknown[0]} is not among the Patients read")
            continue
        if kind == "RelatedPerson" and resource["identifier"][0]["value"] not in numbers:
            result.skip(resource, "the person it names is not among the Patients read")
            continue
        by_type.setdefault(kind, []).append(resource)
        result.loaded[kind] += 1
    try:
        sql, histories = _tables(by_type)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as error:
        raise InvalidInput(
            f"the resources are valid R4 but not in the form a helsekit export writes ({type(error).__name__}: {error}): a new "
            "database is loaded only from a helsekit export, and a provider's appointments into a database with citizens",
            f"Ressursene er gyldig FHIR R4, men ikke slik helsekit eksporterer dem ({error}).", "fhir") from None
    block_size = int(specs.load("histories")["blocks"]["citizens"])
    writer = TableWriter(db)
    try:
        for name, columns in sql.items():
            writer.write(name, {k: np.array(v, dtype=object) if isinstance(v, list) else v for k, v in columns.items()})
        for name, columns in histories.items():
            table = _history(name, columns)
            blocks = pc.divide(pc.subtract(table["citizen_id"], 1), block_size).to_numpy() if table.num_rows else np.zeros(0, np.int64)
            for block in np.unique(blocks):
                writer.write_part(name, int(block), table.filter(pa.array(blocks == block)))
        writer.close({"profile": "fhir-import", "seed": "", "reference_date": (feed.reference_date or dt.date.today().isoformat())[:10],
                      "histories": "yes", "history_block_size": str(block_size), "source": "helsekit import fhir"})
    except BaseException:
        writer.abort()
        raise
    return result
