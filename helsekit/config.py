"""Every path helsekit uses, in one place. Environment variables override the defaults."""

from __future__ import annotations

import os
from pathlib import Path

#: The checkout: helsekit is installed in editable mode, so the package sits in it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC_DATA_DIR = PROJECT_ROOT / "synthetic_data"
SPECS_DIR = Path(os.environ.get("HELSEKIT_SPECS", SYNTHETIC_DATA_DIR / "specs"))
REPORTS_DIR = PROJECT_ROOT / "reports"


def default_database() -> str:
    """The embedded SQLite database the CLI and ``helsekit.open()`` use unless told otherwise.

    ``HELSEKIT_DB`` may name another file or any SQLAlchemy URL.
    """
    return os.environ.get("HELSEKIT_DB", str(SYNTHETIC_DATA_DIR / "helsekit.db"))
