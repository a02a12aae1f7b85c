"""Each pilot's main action in a real browser (the refusals are in test_pilot_refusals.py).

Every running pilot brings ``pilots/<id>/browser_check.py`` with two functions::

    def citizen_for(session, site_id: int) -> int: ...   # a citizen who can use the pilot at this site
    def main_action(page, db: str, site_id: int, citizen_id: int) -> None: ...  # acts in the page, asserts page + database

The test logs the citizen in as themself first (the log-in every pilot shares), then calls ``main_action``.

The test below is parametrized over every running pilot found under ``pilots/``, so a new pilot joins
it without code changes here, and a running pilot without its check fails.
"""

from __future__ import annotations

import importlib.util
import re

import pytest
from sqlmodel import Session

from helsekit.pilots import discover
from helsekit.storage.database import engine_for

from browser_support import act_for_oneself, entry, open_rendered, screenshot

RUNNING = sorted(p.id for p in discover()[0] if p.status == "pilot")


def _load_check(pilots_dir, pilot_id: str):
    path = pilots_dir / pilot_id / "browser_check.py"
    if not path.is_file():
        pytest.fail(f"pilots/{pilot_id}/browser_check.py is missing: every pilot brings its browser check")
    name = "browser_check_" + re.sub(r"\W", "_", pilot_id)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("citizen_for", "main_action"):
        assert callable(getattr(module, name, None)), f"pilots/{pilot_id}/browser_check.py defines no {name}()"
    return module


@pytest.mark.parametrize("pilot_id", RUNNING)
def test_every_pilot_does_its_main_action_for_a_citizen_at_an_enabled_site(page, server, pilots_dir, pilot_id):
    check = _load_check(pilots_dir, pilot_id)
    pilot, sites, _ = entry(server, pilot_id)
    assert sites, f"{pilot_id} is enabled at no site of the tiny database"
    site_id = sites[0][0]
    with Session(engine_for(server.db)) as session:
        citizen_id = int(check.citizen_for(session, site_id))
    open_rendered(page, server, f"{server.published.url(pilot, site_id)}&citizen={citizen_id}")  # a fresh context
    try:
        act_for_oneself(page)
        check.main_action(page, server.db, site_id, citizen_id)
    finally:
        screenshot(page, f"action-{pilot_id}")  # for review, and to see why a check failed
