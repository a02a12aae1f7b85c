"""``helsekit export fhir`` and ``helsekit import fhir``: FHIR R4 with the HL7 Norway no-basis identifiers (issue #8)."""

from __future__ import annotations

import argparse

from helsekit import SYNTHETIC_DATA_LABEL, config
from helsekit.errors import InvalidOption


def _citizen_ids(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        found = [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise InvalidOption(f"citizens must be citizen ids separated by commas, got {text!r}",
                            f"Innbyggerne må være id-er skilt med komma, fikk {text!r}.", "citizens") from None
    if not found:
        raise InvalidOption("citizens names no citizen", "Ingen innbyggere er valgt.", "citizens")
    return found


def _export(args: argparse.Namespace) -> None:
    from helsekit.analytics import HelseData
    from helsekit.fhir.export import export_fhir

    db = args.db or config.default_database()
    HelseData(db)  # a clear error if there is no database there
    result = export_fhir(db, args.out, _citizen_ids(args.citizens))
    total = sum(result.counts.values())
    print(f"wrote {result.out}: {total:,} resources ({', '.join(f'{t} {n:,}' for t, n in result.counts.items() if n)}) "
          f"and {result.bundles:,} transaction bundles in {result.seconds:.1f} s ({total / max(result.seconds, 1e-9):,.0f} resources/s) "
          f"— {SYNTHETIC_DATA_LABEL}")


def _import(args: argparse.Namespace) -> None:
    from helsekit.fhir.importer import import_fhir

    result = import_fhir(args.source, args.db or config.default_database())
    print(f"loaded into {result.db} ({result.mode}): "
          + (", ".join(f"{t} {n:,}" for t, n in result.loaded.items()) or "nothing") + f" — {SYNTHETIC_DATA_LABEL}")
    for resource, reason in result.skipped:
        print(f"skipped {resource}: {reason}")


def register(groups: dict) -> None:
    """Add ``export fhir`` and ``import fhir``."""
    export = groups["export"].add_parser("fhir", help="FHIR R4 (no-basis identifiers): NDJSON per resource type and a transaction Bundle per citizen")
    export.add_argument("--db", default=None, help=f"the database (default: {config.default_database()})")
    export.add_argument("--out", required=True, help="the folder to write (created if missing)")
    export.add_argument("--citizens", default=None, help="only these citizen ids, comma-separated (default: everyone)")
    export.set_defaults(run=_export)
    load = groups["import"].add_parser("fhir", help="load FHIR R4 resources: an export folder, an NDJSON file or a Bundle; nothing if any is invalid")
    load.add_argument("source", help="an export folder, a .ndjson file or a Bundle (.json)")
    load.add_argument("--db", default=None, help="a new database (everything is loaded) or one with citizens (their appointments become bookings); "
                                                 f"default: {config.default_database()}")
    load.set_defaults(run=_import)
