"""Spec files: every generator number, with its source, read from ``synthetic_data/specs/*.toml``."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from helsekit import config
from helsekit.errors import InvalidOption

SPEC_NAMES = ("profiles", "population", "geography", "households", "health_services", "copayments", "histories", "gp_contacts", "prescriptions", "referrals", "helsenorge_profiles",
              "appointments", "records", "travel", "messages", "vaccinations", "test_results", "health_station", "home_care")


@lru_cache(maxsize=None)
def load(name: str, specs_dir: Path | None = None) -> dict[str, Any]:
    """One spec file as a dict (cached)."""
    path = (specs_dir or config.SPECS_DIR) / f"{name}.toml"
    with path.open("rb") as f:
        return tomllib.load(f)


def profile(name: str) -> dict[str, Any]:
    """A generator profile (tiny, default, norway) with the reference settings merged in."""
    spec = load("profiles")
    if name not in spec["profiles"]:
        known = ", ".join(sorted(spec["profiles"]))
        raise InvalidOption(
            f"profile {name!r} is unknown; choose one of: {known}",
            f"Profilen {name!r} finnes ikke; velg en av: {known}.",
            "profile",
        )
    return {**spec["reference"], **spec["profiles"][name], "name": name}


def profile_names() -> list[str]:
    """The profiles the spec defines, smallest first."""
    profiles = load("profiles")["profiles"]
    return sorted(profiles, key=lambda p: profiles[p]["citizens"])
