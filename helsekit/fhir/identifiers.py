"""The identifier systems (HL7 Norway no-basis) and code systems helsekit's FHIR resources use."""

from __future__ import annotations

from helsekit.domain import identifiers as ids

#: Identifier systems (domain-facts §14.5), kept beside the kind of value each names.
FNR = ids.OID_FNR
DNR = ids.OID_DNR
HPR = ids.OID_HPR
ORGANISATION_NUMBER = ids.OID_ORGANISATION_NUMBER
RESH = ids.OID_RESH
HER_ID = ids.OID_HER_ID
PERSON_SYSTEMS = {"FNR": FNR, "DNR": DNR}  # kodeverk 8327 codes (§1.7) → system
IDENTIFIER_SYSTEMS = (FNR, DNR, HPR, ORGANISATION_NUMBER, RESH, HER_ID)

#: The no-basis Address extension for the kommune, its value coded in kodeverk 3402
#: (Kommunenummer-alle). The OID 3402 is from memory of the no-basis profiles, not in domain-facts.
MUNICIPALITY_EXTENSION = "http://hl7.no/fhir/StructureDefinition/no-basis-municipalitycode"
KOMMUNE_CODES = "urn:oid:2.16.578.1.12.4.1.1.3402"

#: HL7 Norway's AuditEvent guide (HL7Norway/AuditEvent, draft 0.8.0): R4's AuditEvent has no patient, so
#: the guide adds AuditEventPatientExtension; its URL is the guide's canonical and the extension's name.
AUDIT_PATIENT_EXTENSION = "urn:AuditEventNorwayCommonTrustFramework/StructureDefinition/AuditEventPatientExtension"

#: Volven code lists (§14.6): kodeverk 7421 reseptgruppe (§10.3), 9148 henvisning answer (§6.3), 8245 result status.
RESEPTGRUPPE = "http://ehelse.no/fhir/CodeSystem/no-kodeverk-7421"
HENVISNING_ANSWER = "http://ehelse.no/fhir/CodeSystem/no-kodeverk-9148"
RESULT_STATUS = "http://ehelse.no/fhir/CodeSystem/no-kodeverk-8245"
ATC = "http://www.whocc.no/atc"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"  # HTEST: test health data (synthetic)
ROLE_CODES = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"  # AuditEvent types
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"  # L, H

#: helsekit's own codes (its statuses and kinds), under a reserved domain that cannot resolve (RFC 2606).
HELSEKIT = "http://helsekit.invalid/fhir/CodeSystem/"
BASE_URL = "http://helsekit.invalid/fhir/"
#: helsekit's own extensions: an Observation's kodeverk 8245 status (R4's status is a bare code) and the
#: Appointment its sample was taken at (R4's Observation.encounter names an Encounter, which helsekit has not).
RESULT_STATUS_EXTENSION = BASE_URL + "StructureDefinition/result-status"
SAMPLE_APPOINTMENT_EXTENSION = BASE_URL + "StructureDefinition/sample-appointment"


def helsekit_system(name: str) -> str:
    """The URL of one of helsekit's own code systems, e.g. ``organisation-kind``."""
    return HELSEKIT + name


#: Every code system a helsekit resource may use; validation refuses any other.
CODE_SYSTEMS = (RESEPTGRUPPE, HENVISNING_ANSWER, RESULT_STATUS, ATC, CONFIDENTIALITY, ACT_REASON, ROLE_CODES, CONSENT_SCOPE, DICOM, KOMMUNE_CODES,
                UCUM, OBSERVATION_CATEGORY, INTERPRETATION)
