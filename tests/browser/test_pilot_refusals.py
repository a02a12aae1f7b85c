"""A pilot page refuses gracefully in a real browser: at a site without the pilot, and for a citizen not on the site's list.

Parametrized over every running pilot under ``pilots/``. A widget value the page never offered (another
citizen, a slot at another site, acting for someone the rules deny) is refused by the service layer: that
is tested on the widgets themselves in tests/unit/test_widgets.py, where such a value can be sent.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from helsekit.pilots import discover
from helsekit.services import roster
from helsekit.services.access import reference_now
from helsekit.storage.database import engine_for

from browser_support import entry, open_rendered, screenshot

RUNNING = sorted(p.id for p in discover()[0] if p.status == "pilot")


def _sites_without(server, pilot_id: str) -> list[tuple[int, str]]:
    """The treatment sites where ``pilot_id`` is not enabled but another published pilot is."""
    own = {site_id for site_id, _ in entry(server, pilot_id)[1]}
    found = [(s, n) for _, sites, _ in server.published.pilots for s, n in sites if s not in own]
    assert found, f"every published site has {pilot_id}; the tiny database should have sites without it"
    return found


@pytest.mark.parametrize("pilot_id", RUNNING)
def test_a_pilot_opened_at_a_site_without_it_says_so_and_offers_no_log_in(page, server, pilot_id):
    pilot, _, _ = entry(server, pilot_id)
    site_id, name = _sites_without(server, pilot_id)[0]
    open_rendered(page, server, f"{server.published.url(pilot, site_id)}")
    status = page.locator(".hk-page-status").inner_text()
    assert "ikke tilgjengelig" in status and name in status, status
    assert page.locator(".hk-login").count() == 0
    assert page.get_by_role("button", name="Logg inn").count() == 0
    screenshot(page, f"refused-site-{pilot_id}")


@pytest.mark.parametrize("pilot_id", RUNNING)
def test_a_citizen_not_on_the_sites_list_is_refused_and_no_one_is_logged_in(page, server, pilot_id):
    pilot, sites, _ = entry(server, pilot_id)
    site_id = sites[0][0]
    with Session(engine_for(server.db)) as session:
        on_list = {p.citizen_id for p in roster.citizens_at(session, site_id, reference_now(session).date())}
        other = next((p.citizen_id for s, _ in _sites_without(server, pilot_id)
                      for p in roster.citizens_at(session, s, reference_now(session).date()) if p.citizen_id not in on_list), None)
    assert other is not None, "the tiny database has no citizen listed elsewhere"
    open_rendered(page, server, f"{server.published.url(pilot, site_id)}&citizen={other}")
    status = page.locator(".hk-page-status").inner_text()
    assert f"Innbygger {other} står ikke på listen" in status, status
    assert "Innlogget som" not in page.locator(".hk-login").inner_text()

