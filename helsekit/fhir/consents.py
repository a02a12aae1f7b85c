"""Consent: the citizen's Helsenorge consent level (§3.5) and their kjernejournal reservations (§4.7).

The level is the policy rule (the base provision denies for *ingen*, permits otherwise); each of the three
reservations, where made, is a nested deny provision.
The notification channel is a profile setting, not a consent, and is not exported.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from helsekit.fhir import identifiers as ids
from helsekit.fhir.render import Col, Rendered, fragments, head, ref, rendered, with_columns

LEVEL = ids.helsekit_system("helsenorge-consent-level")
CATEGORY = ids.helsekit_system("consent-category")
RESERVATION = ids.helsekit_system("kjernejournal-reservation")
#: Profile column → reservation code (§4.7: own web access blocked, health personnel stopped, no kjernejournal).
RESERVATIONS = {"kj_block_own_web_access": "sperre-egen-tilgang", "kj_block_health_personnel": "hindre-helsepersonell",
                "kj_reserved": "reservert"}


def export(source) -> list[Rendered]:
    """Every Helsenorge profile as a Consent (id ``helsenorge-<citizen id>``)."""
    table = source.sql("helsenorge_profile").sort_by("citizen_id")
    denials = [pc.if_else(table[column], f'{{"type":"deny","code":[{{"coding":[{{"system":"{RESERVATION}","code":"{code}"}}]}}]}}',
                          pa.scalar(None, pa.string())) for column, code in RESERVATIONS.items()]
    # "ingen": no consent to Helsenorge's services, so the base provision denies (§3.5)
    table = with_columns(table, denials=fragments(*denials),
                         base=pc.if_else(pc.equal(table["consent_level"], "ingen"), "deny", "permit"))
    template = [
        *head("Consent", "citizen_id", "helsenorge-"), ',"status":"active"',
        f',"scope":{{"coding":[{{"system":"{ids.CONSENT_SCOPE}","code":"patient-privacy"}}]}}',
        f',"category":[{{"coding":[{{"system":"{CATEGORY}","code":"helsenorge"}}]}}]', ref("Patient", "citizen_id", ',"patient":'),
        f',"policyRule":{{"coding":[{{"system":"{LEVEL}","code":', Col("consent_level"), "}]}",
        ',"provision":{"type":', Col("base"), Col("denials", "raw", ',"provision":[', "]"), "}}",
    ]
    return [rendered("Consent", table, "citizen_id", template, id_prefix="helsenorge-")]


def load(resources: list[dict]) -> dict[str, list]:
    """``helsenorge_profile`` columns from Consents (no notification channel)."""
    rows = {n: [] for n in ("citizen_id", "consent_level", "notification_channel", *RESERVATIONS)}
    for resource in resources:
        denied = {c["code"] for p in resource["provision"].get("provision", []) for cc in p.get("code", []) for c in cc["coding"]}
        values = (int(resource["patient"]["reference"].split("/")[1]), resource["policyRule"]["coding"][0]["code"], None,
                  *(code in denied for code in RESERVATIONS.values()))
        for name, value in zip(rows, values):
            rows[name].append(value)
    return rows
