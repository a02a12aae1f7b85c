"""Constants and helpers the browser tests and their fixtures share (imported by name: tests/ has no packages)."""

from __future__ import annotations

import os
import time

import psutil

from helsekit import config

CHROMIUM = os.environ.get("HELSEKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STATE = config.PROJECT_ROOT / ".test-state"
SCREENSHOTS = config.REPORTS_DIR / "output" / "screenshots"
#: Seconds from opening each pilot's page to its first complete render, filled by the tests and printed
#: at the end of the run (conftest.py's terminal summary): measured, never asserted.
RENDER_SECONDS: dict[str, float] = {}
READY_TIMEOUT_S = 60
#: A page must be completely rendered within this (Voilà's first render is 1–2.5 s here; CI may be slower).
PAGE_TIMEOUT_MS = 60_000
#: The test server culls a kernel idle this long, checking this often (helsekit serve: 120 s / 30 s).
CULL_IDLE_S = 20
CULL_INTERVAL_S = 5
#: How long the test server may take to fill its kernel pools (a preheated kernel per published pilot).
POOL_TIMEOUT_S = 120
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


def kernels(server_pid: int) -> set[int]:
    """The process ids of the kernels a Voilà server runs now: pooled (preheated, waiting for a request) and
    serving pages, until culled. A kernel that has just exited (a zombie not yet reaped, or gone) is not
    counted."""
    found = set()
    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in " ".join(child.cmdline()):
                found.add(child.pid)
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
    return found


def waiting_kernels(server_pid: int, port: int) -> set[int]:
    """The pooled kernels that are ready: they ran their notebook up to ``request_query_string()`` and hold a
    connection to the server's port (Voilà's request channel) until a page view takes them."""
    waiting = set()
    for pid in kernels(server_pid):
        try:
            connections = psutil.Process(pid).net_connections(kind="tcp")
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
        if any(c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED for c in connections):
            waiting.add(pid)
    return waiting


def wait_for_pools(server_pid: int, port: int, idle_kernels: int, timeout_s: float) -> float | None:
    """Seconds until ``idle_kernels`` pooled kernels wait for a request and no other kernel runs, or None
    after ``timeout_s``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if len(waiting_kernels(server_pid, port)) == idle_kernels == len(kernels(server_pid)):
            return time.monotonic() - start
        time.sleep(0.5)
    return None
