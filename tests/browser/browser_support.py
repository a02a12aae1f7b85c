"""Constants and helpers the browser tests and their fixtures share (imported by name: tests/ has no packages)."""

from __future__ import annotations

import os

from helsekit import config

CHROMIUM = os.environ.get("HELSEKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STATE = config.PROJECT_ROOT / ".test-state"
SCREENSHOTS = config.REPORTS_DIR / "output" / "screenshots"
READY_TIMEOUT_S = 60
#: A page must be completely rendered within this (Voilà's first render is 1–2.5 s here; CI may be slower).
PAGE_TIMEOUT_MS = 60_000
#: The test server culls a kernel idle this long, checking this often (helsekit serve: 120 s / 30 s).
CULL_IDLE_S = 20
CULL_INTERVAL_S = 5
PROBE_ID = "probe"
PLANNED_ID = "planlagt"
BROKEN_ID = "brukket"


def screenshot(page, name: str) -> None:
    """The whole page as reports/output/screenshots/<name>.png. Voilà's lab template scrolls an inner element,
    not the document, so the viewport is grown to the tallest scrolled content (at most 6,000 px) first."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll('*'), e => e.scrollHeight))")
    size = page.viewport_size or {"width": 1280, "height": 900}
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 6000))})
    page.evaluate("() => document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def wait_until_rendered(page) -> None:
    """Wait until Voilà has executed every cell, shown the page and drawn every widget (the spinner gone, the
    cells shown, no "Loading widget..." placeholder left)."""
    page.wait_for_selector("#loading", state="detached")
    page.wait_for_selector("#rendered_cells", state="visible")
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')")


def entry(server, pilot_id: str):
    """(pilot, sites shown, number of sites) of a published pilot."""
    return next(found for found in server.published.pilots if found[0].id == pilot_id)


def open_rendered(page, server, url: str) -> None:
    """Open ``url`` on the test server and wait until the page is completely rendered with its label."""
    page.goto(server.base + url)
    wait_until_rendered(page)
    page.get_by_text("Syntetiske data").first.wait_for(state="visible")


def act_for_oneself(page) -> None:
    """Logged in from ``?citizen=``: a person who may act for others still chooses whom to act for, and
    the choice starts with themself, so pressing "Fortsett" acts for oneself. Every pilot shares this log-in."""
    login = page.locator(".hk-login")
    login.wait_for()
    if "Innlogget som" not in login.inner_text():
        page.get_by_role("button", name="Fortsett").click()
    page.locator(".hk-login-status", has_text="Innlogget som").wait_for()
