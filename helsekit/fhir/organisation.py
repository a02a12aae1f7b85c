"""Organization (with its organisasjonsnummer, RESH-id and HER-id) and a Location for each, where its
appointments take place, and the HealthcareService it offers citizens; the kommune on the address as on a
Patient's. Locations and services follow from the organisation, so an import reads only the Organizations."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.patient import address_template
from helsekit.fhir.render import Col, Rendered, coding, fragments, head, mapped, optional, ref, render, rendered, with_columns

KIND = ids.helsekit_system("organisation-kind")
SERVICE = ids.helsekit_system("service")
#: The service each kind of organisation offers citizens (health trusts and regions offer none themselves).
SERVICES = {"gp_office": "fastlege", "hospital": "poliklinikk", "legevakt": "legevakt", "helsestasjon": "helsestasjon",
            "hjemmetjeneste": "hjemmetjeneste", "pharmacy": "apotek"}


def _table(source) -> pa.Table:
    kommuner = source.sql("kommune").select(["number", "name"]).rename_columns(["kommune_number", "kommune_name"])
    table = source.sql("organisation").join(kommuner, "kommune_number", join_type="left outer").sort_by("id")
    nothing = pa.nulls(table.num_rows, pa.string())
    return with_columns(table, household_id=nothing, postal_code=nothing, poststed=nothing)


def export(source) -> list[Rendered]:
    """Every organisation as an Organization and a Location, and those that see citizens as a HealthcareService."""
    table = _table(source)
    enh = render(table, [f'{{"system":"{ids.ORGANISATION_NUMBER}","value":', Col("organisation_number"), "}"])
    resh = optional(table, "resh_id", [f'{{"system":"{ids.RESH}","value":', Col("resh_id"), "}"])
    her = optional(table, "her_id", [f'{{"system":"{ids.HER_ID}","value":', Col("her_id"), "}"])
    table = with_columns(table, identifiers=fragments(enh, resh, her), address=render(table, address_template()))
    organisations = [
        *head("Organization", "id"), ',"identifier":[', Col("identifiers", "raw"), "]", ',"active":true',
        *coding(KIND, "kind", ',"type":[', "]"), ',"name":', Col("name"),
        ',"address":[', Col("address", "raw"), "]", ref("Organization", "parent_id", ',"partOf":'), "}",
    ]
    locations = [
        *head("Location", "id"), ',"status":"active","name":', Col("name"),
        ',"address":', Col("address", "raw"), ref("Organization", "id", ',"managingOrganization":'), "}",
    ]
    offering = with_columns(table, service=mapped(table["kind"], SERVICES))
    offering = offering.filter(pc.is_valid(offering["service"]))
    services = [
        *head("HealthcareService", "id"), ',"active":true', ref("Organization", "id", ',"providedBy":'),
        *coding(SERVICE, "service", ',"category":[', "]"), ref("Location", "id", ',"location":[', "]"), ',"name":', Col("name"), "}",
    ]
    return [rendered("Organization", table, "id", organisations, None), rendered("Location", table, "id", locations, None),
            rendered("HealthcareService", offering, "id", services, None)]


def load(resources: list[dict], kommune_of) -> dict[str, list]:
    """``organisation`` columns from Organization resources (Locations add nothing the Organization lacks)."""
    rows = {name: [] for name in ("id", "kind", "name", "organisation_number", "her_id", "resh_id", "parent_id", "kommune_number", "street_address")}
    for resource in resources:
        found = {i["system"]: i["value"] for i in resource.get("identifier", [])}
        address = resource["address"][0]
        rows["id"].append(int(resource["id"]))
        rows["kind"].append(resource["type"][0]["coding"][0]["code"])
        rows["name"].append(resource["name"])
        rows["organisation_number"].append(found[ids.ORGANISATION_NUMBER])
        rows["her_id"].append(found.get(ids.HER_ID))
        rows["resh_id"].append(found.get(ids.RESH))
        parent = resource.get("partOf", {}).get("reference")
        rows["parent_id"].append(None if parent is None else int(parent.split("/")[1]))
        rows["kommune_number"].append(kommune_of(address))
        rows["street_address"].append(address["line"][0])
    return rows
