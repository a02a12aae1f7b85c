"""Patient: a citizen, with the fødselsnummer or D-nummer in its no-basis system and the kommune on the address.

An address is the household's (its ``id`` is ``household-<id>``, so citizens at one address stay one
household). Every Patient is labelled HTEST (v3 ActReason *test health data*): the person is synthetic,
and a system that loads the export can tell. Address protection (§3.7) is a security label: fortrolig (kode 7) R, strengt fortrolig
(kode 6) V; a strengt fortrolig address is not exported beyond the kommune (§3.7: nobody may see it).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.render import Col, Rendered, fragments, head, optional, render, rendered, with_columns

GENDER = {"M": "male", "F": "female"}
SECURITY = {"fortrolig": "R", "strengt_fortrolig": "V"}  # v3-Confidentiality restricted / very restricted


def address_template() -> list:
    """An Address with the kommune (no-basis municipality code, and its name as district) and, where known,
    the household's street, postal code and poststed (columns kommune_number, kommune_name, household_id,
    street_address, postal_code, poststed)."""
    return [
        f'{{"extension":[{{"url":"{ids.MUNICIPALITY_EXTENSION}","valueCoding":{{"system":"{ids.KOMMUNE_CODES}","code":',
        Col("kommune_number"), Col("kommune_name", before=',"display":'), "}}]",
        Col("household_id", "raw", ',"id":"household-', '"'), Col("street_address", before=',"line":[', after="]"),
        Col("postal_code", before=',"postalCode":'), Col("poststed", before=',"city":'), Col("kommune_name", before=',"district":'), "}",
    ]


def _joined(source) -> pa.Table:
    citizens = source.sql("citizen")
    households = source.sql("household").select(["id", "street_address", "postal_code", "poststed"]).rename_columns(["household_id", "street_address", "postal_code", "poststed"])
    kommuner = source.sql("kommune").select(["number", "name"]).rename_columns(["kommune_number", "kommune_name"])
    table = citizens.join(households, "household_id", join_type="left outer").join(kommuner, "kommune_number", join_type="left outer")
    table = table.sort_by("id")
    hidden = pc.equal(table["address_protection"], "strengt_fortrolig")
    for name in ("household_id", "street_address", "postal_code", "poststed"):
        table = with_columns(table, **{name: pc.if_else(hidden, pa.scalar(None, table[name].type), table[name])})
    return table


def export(source) -> Rendered:
    """Every citizen as a Patient."""
    table = _joined(source)
    system = pc.if_else(pc.equal(table["person_number_kind"], "DNR"), ids.DNR, ids.FNR)
    phone = optional(table, "phone", ['{"system":"phone","value":', Col("phone"), ',"use":"mobile"}'])
    email = optional(table, "email", ['{"system":"email","value":', Col("email"), "}"])
    security = pc.if_else(pc.equal(table["address_protection"], "fortrolig"), "R",
                          pc.if_else(pc.equal(table["address_protection"], "strengt_fortrolig"), "V", pa.scalar(None, pa.string())))
    table = with_columns(table, system=system, telecom=fragments(phone, email), security=security,
                         gender=pc.if_else(pc.equal(table["sex"], "M"), "male", "female"))
    table = with_columns(table, address=render(table, address_template()))
    template = [
        *head("Patient", "id"),
        f',"meta":{{"security":[{{"system":"{ids.ACT_REASON}","code":"HTEST","display":"test health data"}}',
        Col("security", before=f',{{"system":"{ids.CONFIDENTIALITY}","code":', after="}"), "]}",
        ',"identifier":[{"system":', Col("system"), ',"value":', Col("person_number"), "}]",
        ',"name":[{"family":', Col("family_name"), ',"given":[', Col("given_name"), "]}]",
        Col("telecom", "raw", ',"telecom":[', "]"),
        ',"gender":', Col("gender"), ',"birthDate":', Col("birth_date"),
        Col("death_date", before=',"deceasedDateTime":'),
        ',"address":[', Col("address", "raw"), "]}",
    ]
    return rendered("Patient", table, "id", template, citizen_column="id")


#: Household kind for an address read from FHIR: the resource does not say who lives together how.
UNKNOWN_HOUSEHOLD_KIND = "ukjent"


def kommune_of(address: dict) -> str:
    """The kommunenummer of an Address (its no-basis municipality code)."""
    for extension in address.get("extension", []):
        if extension.get("url") == ids.MUNICIPALITY_EXTENSION:
            return extension["valueCoding"]["code"]
    raise KeyError("no-basis-municipalitycode")


def load(resources: list[dict]) -> tuple[dict[str, list], dict[str, list]]:
    """``citizen`` and ``household`` columns from Patients (households from the addresses' ids)."""
    protection = {code: name for name, code in SECURITY.items()}
    people = {n: [] for n in ("id", "person_number", "person_number_kind", "given_name", "family_name", "birth_date", "sex", "household_id",
                              "kommune_number", "address_protection", "phone", "email", "death_date")}
    homes: dict[int, dict] = {}
    for resource in resources:
        identifier, name, address = resource["identifier"][0], resource["name"][0], resource["address"][0]
        telecom = {t["system"]: t["value"] for t in resource.get("telecom", [])}
        labels = [protection[s["code"]] for s in resource.get("meta", {}).get("security", []) if s.get("code") in protection]
        home = int(address["id"].removeprefix("household-")) if "id" in address else None
        if home is not None:
            homes.setdefault(home, {"street_address": address["line"][0], "postal_code": address.get("postalCode"),
                                    "poststed": address.get("city"), "kommune_number": kommune_of(address), "size": 0})["size"] += 1
        values = (int(resource["id"]), identifier["value"], "DNR" if identifier["system"] == ids.DNR else "FNR", name["given"][0],
                  name["family"], resource["birthDate"], "M" if resource["gender"] == "male" else "F", home, kommune_of(address),
                  labels[0] if labels else "none", telecom.get("phone"), telecom.get("email"), resource.get("deceasedDateTime"))
        for column, value in zip(people, values):
            people[column].append(value)
    households = {"id": sorted(homes), "kind": [UNKNOWN_HOUSEHOLD_KIND] * len(homes), "partnership": [None] * len(homes)}
    for column in ("street_address", "postal_code", "poststed", "kommune_number", "size"):
        households[column] = [homes[h][column] for h in households["id"]]
    return people, households
