"""Reading values back out of FHIR JSON: references, instants in Oslo time, dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from helsekit.fhir.render import OSLO

_OSLO = ZoneInfo(OSLO)


def reference_id(reference: dict | None, kind: str) -> str | None:
    """The id in a literal reference ``{"reference": "<kind>/<id>"}``, or None without one."""
    if not reference or "reference" not in reference:
        return None
    found_kind, _, found_id = reference["reference"].rpartition("/")
    if found_kind.rsplit("/", 1)[-1] != kind:
        raise ValueError(f"a reference to {kind} was expected, got {reference['reference']!r}")
    return found_id


def int_id(reference: dict | None, kind: str) -> int | None:
    """:func:`reference_id` as an integer helsekit id."""
    found = reference_id(reference, kind)
    return None if found is None else int(found)


def local_time(text: str | None) -> dt.datetime | None:
    """An instant or dateTime as naive Oslo local time (how helsekit stores times)."""
    if text is None:
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(_OSLO).replace(tzinfo=None) if moment.tzinfo else moment


def participant(resource: dict, kind: str) -> dict | None:
    """The first participant of an Appointment whose actor is a ``kind`` (its reference), or None."""
    for entry in resource.get("participant", []):
        actor = entry.get("actor", {})
        if actor.get("reference", "").rpartition("/")[0].endswith(kind) or actor.get("type") == kind:
            return actor
    return None
