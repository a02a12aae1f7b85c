"""FHIR R4 (4.0.1) with the HL7 Norway no-basis identifier systems, both ways (issue #8).

``export.export_fhir`` writes a database as NDJSON per resource type (bulk-data style) and one
transaction Bundle per citizen; ``importer.import_fhir`` loads such files (or a provider's Bundle)
back. Each resource type has one module that maps it both ways (patient, related_persons,
organisation, practitioner, flags, consents, appointments, referrals, documents, medications,
immunizations, observations, copayments, messages, audit); ``render`` builds the JSON text
column by column (vectorised: the ``default`` export, 18 million resources, takes under a minute); ``validation`` checks
every resource structurally with the SMART ``fhirclient`` R4 models and against helsekit's own
rules for the identifier and code systems used.

Library: ``fhirclient`` 4.4.0, whose models are generated from FHIR 4.0.1, the release no-basis
builds on. ``fhir.resources`` 8 has only R4B and R5, and its R4 release (6.x) needs pydantic 1,
while helsekit uses pydantic 2 through sqlmodel.
"""
