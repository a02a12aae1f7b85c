"""``helsekit import fhir``: load FHIR R4 resources (an export folder, an NDJSON file or a Bundle) into helsekit.

Everything is read and checked first (R4 structure and helsekit's rules, :mod:`helsekit.fhir.validation`);
one bad resource refuses the whole input, naming the resource and field, and nothing is written.

* Into a **new database** (no file there, or one without citizens): every type an export writes is
  loaded (Patients become citizens and households, Organizations organisations, Practitioners with
  their roles practitioners, and the history tables are written to the archive), all or nothing
  (:class:`helsekit.storage.database.TableWriter`). The bulk-data manifest's transactionTime is the
  reference date (without a manifest: today). Columns FHIR does not carry (egenandeler, GP lists, household kinds …) are left empty.
* Into a **database with citizens** (a provider feeding a pilot): booked or cancelled Appointments of
  known citizens at known hospitals and GP offices become bookings, in one transaction; the Patient
  and the site may be referenced by helsekit id or by identifier (fødselsnummer, organisasjonsnummer,
  RESH-id).

What is not loaded is reported with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from helsekit.errors import InvalidInput
from helsekit.fhir import validation
from helsekit.fhir.export import MANIFEST, ORDER


@dataclass
class ImportResult:
    """What an import loaded (resources per type) and skipped (resource and reason)."""

    db: str
    mode: str
    loaded: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, resource: dict, reason: str) -> None:
        """Record a resource not loaded and why."""
        self.skipped.append((validation.describe(resource), reason))


@dataclass
class Feed:
    """Resources read from the input, in order, and the reference date a bulk-data manifest gave."""

    resources: list[dict]
    reference_date: str | None = None


def _refuse(where: str, reason_en: str, reason_nb: str) -> InvalidInput:
    return InvalidInput(f"{where}: {reason_en}", f"{where}: {reason_nb}", "fhir")


def _json_lines(path: Path) -> list[dict]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise _refuse(f"{path.name} line {number}", f"not JSON ({error.msg})", f"ikke gyldig JSON ({error.msg})") from None
    return found


def _bundle(path: Path) -> list[dict]:
    try:
        bundle = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise _refuse(path.name, f"not JSON ({error.msg} at line {error.lineno})", f"ikke gyldig JSON ({error.msg})") from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return [bundle]
    validation.check_structure({**bundle, "entry": []})
    entries = bundle.get("entry", [])
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise validation.InvalidResource(bundle, f"entry[{i}].resource", "missing: each entry must carry a resource")
    return [entry["resource"] for entry in entries]


def read(path: str | Path) -> Feed:
    """The resources of an export folder (its NDJSON files and manifest), an NDJSON file or a Bundle (JSON)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.ndjson"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.name))
        if not files:
            raise _refuse(str(path), "no *.ndjson files", "ingen *.ndjson-filer")
        manifest = path / MANIFEST
        reference = json.loads(manifest.read_text(encoding="utf-8")).get("transactionTime") if manifest.is_file() else None
        return Feed([r for f in files for r in _json_lines(f)], reference or None)
    if not path.is_file():
        raise _refuse(str(path), "no such file or folder", "finnes ikke")
    return Feed(_json_lines(path) if path.suffix == ".ndjson" else _bundle(path))


def check_all(resources: list[dict]) -> None:
    """Refuse the input at the first resource that fails :func:`validation.check` (nothing is loaded)."""
    for resource in resources:
        validation.check(resource)


def import_fhir(path: str | Path, db: str, now: dt.datetime | None = None) -> ImportResult:
    """Load the resources at ``path`` into ``db`` (see the module docstring); ``now`` stamps bookings (default:
    the database's reference date at noon)."""
    from helsekit.fhir import load_new  # they import this module's types

    feed = read(path)
    check_all(feed.resources)
    if load_new.is_new(db):
        return load_new.load(feed, db)
    from helsekit.fhir import load_existing

    return load_existing.load(feed, db, now)
