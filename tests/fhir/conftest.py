"""One export of the ``tiny`` database, its import into a new database and the export of that, shared by the FHIR tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from helsekit.fhir.export import export_fhir
from helsekit.fhir.importer import import_fhir


@pytest.fixture(scope="session")
def tiny_export(tiny_db, tmp_path_factory) -> Path:
    """The ``tiny`` database exported as FHIR."""
    out = tmp_path_factory.mktemp("fhir") / "first"
    export_fhir(tiny_db, out)
    return out


@pytest.fixture(scope="session")
def round_trip(tiny_export, tmp_path_factory):
    """(import result, the imported database, its export)."""
    folder = tmp_path_factory.mktemp("fhir-round-trip")
    db = str(folder / "imported.db")
    result = import_fhir(tiny_export, db)
    export_fhir(db, folder / "second")
    return result, db, folder / "second"
