"""Practitioner (with the HPR-nummer) and PractitionerRole (the role at the organisation they work for)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.render import Col, Rendered, coding, head, ref, rendered, with_columns

PROFESSION = ids.helsekit_system("profession")
ROLE = ids.helsekit_system("practitioner-role")
SPECIALTY = ids.helsekit_system("specialty")
GENERAL_PRACTICE = "allmennmedisin"


def export(source) -> list[Rendered]:
    """Every practitioner as a Practitioner and a PractitionerRole."""
    table = source.sql("practitioner").sort_by("id")
    specialist = pc.if_else(table["specialist_general_practice"], GENERAL_PRACTICE, pa.scalar(None, pa.string()))
    table = with_columns(table, gender=pc.if_else(pc.equal(table["sex"], "M"), "male", "female"), specialty=specialist)
    practitioners = [
        *head("Practitioner", "id"), f',"identifier":[{{"system":"{ids.HPR}","value":', Col("hpr_number"), "}]",
        ',"active":true,"name":[{"family":', Col("family_name"), ',"given":[', Col("given_name"), "]}]",
        ',"gender":', Col("gender"), ',"birthDate":', Col("birth_date"),
        *coding(PROFESSION, "profession", ',"qualification":[{"code":', "}]"), "}",
    ]
    roles = [
        *head("PractitionerRole", "id"), ',"active":true', ref("Practitioner", "id", ',"practitioner":'),
        ref("Organization", "organisation_id", ',"organization":'), *coding(ROLE, "role", ',"code":[', "]"),
        Col("specialty", before=f',"specialty":[{{"coding":[{{"system":"{SPECIALTY}","code":', after="}]}]"), "}",
    ]
    return [rendered("Practitioner", table, "id", practitioners, None), rendered("PractitionerRole", table, "id", roles, None)]


def load(practitioners: list[dict], roles: list[dict]) -> dict[str, list]:
    """``practitioner`` columns from Practitioner and PractitionerRole resources (``salaried`` is not exported: false)."""
    role_of = {r["practitioner"]["reference"].split("/")[1]: r for r in roles}
    rows = {name: [] for name in ("id", "hpr_number", "given_name", "family_name", "sex", "birth_date", "profession", "role",
                                  "specialist_general_practice", "salaried", "organisation_id")}
    for resource in practitioners:
        role = role_of[resource["id"]]
        name = resource["name"][0]
        rows["id"].append(int(resource["id"]))
        rows["hpr_number"].append(resource["identifier"][0]["value"])
        rows["given_name"].append(name["given"][0])
        rows["family_name"].append(name["family"])
        rows["sex"].append("M" if resource["gender"] == "male" else "F")
        rows["birth_date"].append(resource["birthDate"])
        rows["profession"].append(resource["qualification"][0]["code"]["coding"][0]["code"])
        rows["role"].append(role["code"][0]["coding"][0]["code"])
        rows["specialist_general_practice"].append(any(c["code"] == GENERAL_PRACTICE for s in role.get("specialty", []) for c in s["coding"]))
        rows["salaried"].append(False)
        rows["organisation_id"].append(int(role["organization"]["reference"].split("/")[1]))
    return rows
