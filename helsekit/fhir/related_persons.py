"""RelatedPerson: a citizen's parents and step-parents (§3.2) and the holders of their fullmakter (§3.5, §3.6).

Both name the other person by fødselsnummer or D-nummer, the no-basis way, and are read back by it.
A parent's relation is a v3 RoleCode (MTH, FTH, STPMTH, STPFTH), with helsekit's ``foreldreansvar``
code beside it where the parent has parental responsibility; a fullmakt's scope is helsekit's code,
its period the fullmakt's (an indefinite one has no end, §3.5).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.render import Col, Rendered, head, mapped, ref, rendered, with_columns

ROLE = ids.ROLE_CODES
RELATION = {"mother": "MTH", "father": "FTH", "step_mother": "STPMTH", "step_father": "STPFTH"}
PARENTAL = ids.helsekit_system("parental-responsibility")
FULLMAKT = ids.helsekit_system("fullmakt-scope")


def _numbers(source, table: pa.Table, column: str) -> pa.Table:
    """``table`` with the person number and its system of the citizen in ``column``."""
    people = source.sql("citizen", limited=False)  # a chosen child's parent need not be chosen
    numbers = pa.table({column: people["id"], "number": people["person_number"],
                        "system": pc.if_else(pc.equal(people["person_number_kind"], "DNR"), ids.DNR, ids.FNR)})
    return table.join(numbers, column, join_type="inner")


def export(source) -> list[Rendered]:
    """Parent relations and fullmakter as RelatedPersons (ids ``parent-<child>-<parent>`` and ``fullmakt-<id>``)."""
    parents = _numbers(source, source.sql("parent_relation"), "parent_id").sort_by([("child_id", "ascending"), ("parent_id", "ascending")])
    parents = with_columns(parents, role=mapped(parents["relation"], RELATION),
                           key=pc.binary_join_element_wise(pc.cast(parents["child_id"], pa.string()), pc.cast(parents["parent_id"], pa.string()), "-"),
                           responsible=pc.if_else(parents["foreldreansvar"], "foreldreansvar", pa.scalar(None, pa.string())))
    relation = [
        *head("RelatedPerson", "key", "parent-"), ',"active":true', ref("Patient", "child_id", ',"patient":'),
        ',"identifier":[{"system":', Col("system"), ',"value":', Col("number"), "}]",
        f',"relationship":[{{"coding":[{{"system":"{ROLE}","code":', Col("role"), "}]}",
        Col("responsible", before=f',{{"coding":[{{"system":"{PARENTAL}","code":', after="}]}"), "]}",
    ]
    given = _numbers(source, source.sql("fullmakt"), "holder_id").sort_by("id")
    fullmakt = [
        *head("RelatedPerson", "id", "fullmakt-"), ',"active":true', ref("Patient", "giver_id", ',"patient":'),
        ',"identifier":[{"system":', Col("system"), ',"value":', Col("number"), "}]",
        f',"relationship":[{{"coding":[{{"system":"{FULLMAKT}","code":', Col("scope"), "}]}]",
        ',"period":{"start":', Col("valid_from"), Col("valid_to", before=',"end":'), "}}",
    ]
    return [rendered("RelatedPerson", parents, "key", relation, "child_id", "parent-"),
            rendered("RelatedPerson", given, "id", fullmakt, "giver_id", "fullmakt-")]


def load(resources: list[dict], citizen_of: dict[str, int]) -> tuple[dict[str, list], dict[str, list]]:
    """``parent_relation`` and ``fullmakt`` columns; ``citizen_of`` maps a person number to its citizen id."""
    back = {code: name for name, code in RELATION.items()}
    parents = {n: [] for n in ("child_id", "parent_id", "relation", "foreldreansvar")}
    fullmakter = {n: [] for n in ("id", "giver_id", "holder_id", "scope", "valid_from", "valid_to")}
    for resource in resources:
        patient = int(resource["patient"]["reference"].split("/")[1])
        other = citizen_of[resource["identifier"][0]["value"]]
        codes = {c["system"]: c["code"] for r in resource["relationship"] for c in r["coding"]}
        if resource["id"].startswith("fullmakt-"):
            values = (int(resource["id"].removeprefix("fullmakt-")), patient, other, codes[FULLMAKT], resource["period"]["start"],
                      resource["period"].get("end"))
            target = fullmakter
        else:
            values, target = (patient, other, back[codes[ROLE]], PARENTAL in codes), parents
        for name, value in zip(target, values):
            target[name].append(value)
    return parents, fullmakter
