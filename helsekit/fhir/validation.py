"""Checks every resource must pass, exported or imported: R4 structure (the SMART ``fhirclient`` models,
generated from FHIR 4.0.1: types, cardinality, required elements, no unknown elements, date formats) and
helsekit's own rules: identifiers only in the no-basis systems (§14.5) with synthetic values (a real
person number is refused, §1.8), codes only from the code systems helsekit uses (§14.6 and its own).
"""

from __future__ import annotations

import importlib
import re

from fhirclient.models.fhirabstractbase import FHIRValidationError

from helsekit.domain import identifiers as domain_ids
from helsekit.domain import person_numbers
from helsekit.errors import HelsekitError, InvalidInput
from helsekit.fhir import identifiers as ids

EXTENSIONS = (ids.MUNICIPALITY_EXTENSION, ids.AUDIT_PATIENT_EXTENSION, ids.RESULT_STATUS_EXTENSION, ids.SAMPLE_APPOINTMENT_EXTENSION)
_VALUE_CHECKS = {
    ids.HPR: lambda v: domain_ids.validate_identifier("hpr", v),
    ids.HER_ID: lambda v: domain_ids.validate_identifier("her", v),
    ids.RESH: lambda v: domain_ids.validate_identifier("resh", v),
    ids.ORGANISATION_NUMBER: domain_ids.validate_organisation_number,
}


class InvalidResource(InvalidInput):
    """A FHIR resource breaks R4's structure or helsekit's rules; names the resource and the field."""

    def __init__(self, resource: dict | object, field: str, reason: str, reason_nb: str | None = None) -> None:
        name = describe(resource)
        super().__init__(f"{name} field {field}: {reason}", f"{name}, feltet {field}: {reason_nb or reason}", field)
        self.resource = name


def describe(resource: dict | object) -> str:
    """``Type/id`` of a resource, as far as it has them."""
    if not isinstance(resource, dict):
        return "a resource that is not a JSON object"
    return f"{resource.get('resourceType', '(no resourceType)')}/{resource.get('id', '(no id)')}"


def _model(resource_type: str):
    try:
        module = importlib.import_module(f"fhirclient.models.{resource_type.lower()}")
        return getattr(module, resource_type)
    except (ImportError, AttributeError):
        return None


def check_structure(resource: dict) -> None:
    """Raise :class:`InvalidResource` unless ``resource`` is a structurally valid FHIR R4 resource."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InvalidResource(resource, "resourceType", "missing: every resource names its type")
    model = _model(resource["resourceType"])
    if model is None:
        raise InvalidResource(resource, "resourceType", f"{resource['resourceType']!r} is not an R4 resource type")
    try:
        model(resource, strict=True)
    except FHIRValidationError as error:
        path, reason = _first(error)
        path = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", path)  # fhirclient's protocolApplied.0.x, written as helsekit's rules write it
        raise InvalidResource(resource, path or "(resource)", reason) from None


def _first(error: FHIRValidationError, path: str = "") -> tuple[str, str]:
    """The path and message of the first leaf error fhirclient found."""
    inner = [e for e in error.errors if isinstance(e, FHIRValidationError)]
    here = f"{path}.{error.path}" if path and error.path else (error.path or path)
    if inner:
        return _first(inner[0], here)
    message = str(error.errors[0]) if error.errors else str(error)
    unknown = re.match(r'Superfluous entry "([^"]+)"', message)
    if unknown:  # fhirclient names the element and then the object; the element is the field
        return (f"{here}.{unknown[1]}" if here else unknown[1]), "not an element of this resource type in R4"
    missing = re.search(r'Non-optional property "([^"]+)"', message)
    if missing:
        return (f"{here}.{missing[1]}" if here else missing[1]), "missing: required in R4"
    return here, message


def _walk(value, path: str):
    """Every (path, dict) inside ``value``."""
    if isinstance(value, dict):
        yield path, value
        for key, inner in value.items():
            yield from _walk(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _walk(inner, f"{path}[{i}]")


def check_rules(resource: dict) -> None:
    """Raise :class:`InvalidResource` where ``resource`` uses an identifier system, identifier value, code system
    or extension helsekit does not accept."""
    for path, node in _walk(resource, ""):
        last = path.rsplit(".", 1)[-1].split("[")[0]
        if last == "identifier" and "value" in node:
            _check_identifier(resource, path, node)
        elif "code" in node and "system" in node and isinstance(node["system"], str):
            if node["system"] not in ids.CODE_SYSTEMS and not node["system"].startswith(ids.HELSEKIT):
                raise InvalidResource(resource, f"{path}.system", f"code system {node['system']!r} is not one helsekit uses")
        if last == "extension" and "url" in node and node["url"] not in EXTENSIONS:
            raise InvalidResource(resource, f"{path}.url", f"extension {node['url']!r} is not one helsekit reads")


def _check_identifier(resource: dict, path: str, node: dict) -> None:
    system, value = node.get("system"), node.get("value")
    if system not in ids.IDENTIFIER_SYSTEMS:
        raise InvalidResource(resource, f"{path}.system", f"identifier system {system!r} is not a no-basis system helsekit uses "
                              f"({', '.join(ids.IDENTIFIER_SYSTEMS)})")
    try:
        if system in (ids.FNR, ids.DNR):
            decoded = person_numbers.validate(value, require_synthetic=True)
            if (system == ids.DNR) != (decoded.kind.value == "DNR"):
                raise InvalidResource(resource, f"{path}.value", f"{value} is not a {'D-nummer' if system == ids.DNR else 'fødselsnummer'}, "
                                      "as its system says (§1.4)")
        else:
            _VALUE_CHECKS[system](value)
    except InvalidResource:
        raise
    except HelsekitError as error:
        raise InvalidResource(resource, f"{path}.value", error.message_en, error.message_nb) from None


def check(resource: dict) -> None:
    """Both checks: R4 structure, then helsekit's rules."""
    check_structure(resource)
    check_rules(resource)
