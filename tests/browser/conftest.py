"""One Voilà server and one Chromium for the browser tests.

The server serves a published folder built by :func:`helsekit.serve.publish` from a temporary pilots
folder: a copy of ``pilots/`` plus a probe pilot (the tiny notebook ``probe_pilot/probe.ipynb`` given a
new manifest), a planned pilot and a broken manifest. Its database is a sandbox copy of the ``tiny``
database. Like ``helsekit serve``, it keeps a preheated kernel per published pilot (the gallery has none):
the fixture waits until every pool is full, so the first page views are warm. Chromium is the system one (``/usr/bin/chromium``, or ``HELSEKIT_CHROMIUM``); without it or
without the ``playwright`` package the tests are skipped locally and FAIL when ``CI`` is "true"
(.ci/run installs Chromium).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from helsekit.pilots import PILOTS_DIR
from helsekit.serve import POOL_SIZE, Published, publish, voila_command, voila_environment
from helsekit.storage.sandbox import sandbox

from browser_support import (BROKEN_ID, RENDER_SECONDS, CHROMIUM, CHROMIUM_ARGS, CULL_IDLE_S, CULL_INTERVAL_S, PAGE_TIMEOUT_MS, PLANNED_ID,
                             POOL_TIMEOUT_S, PROBE_ID, READY_TIMEOUT_S, STATE, wait_for_pools)

HERE = Path(__file__).resolve().parent

MANIFEST = """id = "{id}"
title = "{title}"
owner = "Helsekit testpilot"
description = "En midlertidig pilot laget av nettlesertestene."
status = "{status}"
notebook = "probe.ipynb"
[sites]
kind = "gp_office"
"""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _missing(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason}: .ci/run installs Chromium and the test extras install playwright")
    pytest.skip(reason)


@dataclass
class Server:
    base: str
    published: Published
    db: str
    log: Path
    pid: int
    port: int
    #: Kernels the server runs when no page is open: its pools (POOL_SIZE per published pilot).
    idle_kernels: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_pilot(root: Path, pilot_id: str, title: str, status: str) -> None:
    folder = root / pilot_id
    folder.mkdir()
    shutil.copyfile(HERE / "probe_pilot" / "probe.ipynb", folder / "probe.ipynb")
    (folder / "pilot.toml").write_text(MANIFEST.format(id=pilot_id, title=title, status=status), encoding="utf-8")


@pytest.fixture(scope="session")
def chromium():
    """Playwright's Chromium object for the system browser, or a skip (locally) / failure (CI)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"no Chromium at {CHROMIUM}")
    env = dict(os.environ, XDG_CONFIG_HOME=str(STATE / "xdg-config"), XDG_CACHE_HOME=str(STATE / "xdg-cache"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def pilots_dir(tmp_path_factory) -> Path:
    """``pilots/`` copied, plus a new pilot made from the probe notebook, a planned one and a broken manifest."""
    root = tmp_path_factory.mktemp("pilots")
    for folder in sorted(PILOTS_DIR.iterdir()):
        if folder.is_dir() and (folder / "pilot.toml").is_file():
            shutil.copytree(folder, root / folder.name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _write_pilot(root, PROBE_ID, "Prøvepilot fra nettlesertestene", "pilot")
    _write_pilot(root, PLANNED_ID, "Planlagt prøvepilot", "planned")
    _write_pilot(root, BROKEN_ID, "Ødelagt prøvepilot", "kanskje")
    return root


@pytest.fixture(scope="session")
def server(chromium, tiny_db, pilots_dir, tmp_path_factory):
    """Voilà over the published folder, on a free port; stopped (its process group) at the end."""
    work = tmp_path_factory.mktemp("served")
    db = sandbox(tiny_db, work / "db")
    published = publish(db, pilots_dir, work / "published")
    port = _free_port()
    log = work / "voila.log"
    with log.open("wb") as out:
        # Short culling so the kernels of closed pages do not pile up during the session.
        process = subprocess.Popen(voila_command(published.folder, port=port, cull_idle_timeout=CULL_IDLE_S,
                                                 cull_interval=CULL_INTERVAL_S),
                                   env=voila_environment(db, STATE), stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"Voilà exited with code {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/voila/static/voila.js", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Voilà was not ready within {READY_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        idle = POOL_SIZE * len(published.pilots)
        filled = wait_for_pools(process.pid, port, idle, POOL_TIMEOUT_S)
        print(f"\nVoilà test server: {idle} pooled kernel(s) " + (f"ready {filled:.1f} s after the server" if filled is not None
              else f"not all ready within {POOL_TIMEOUT_S} s"))
        yield Server(base, published, db, log, process.pid, port, idle)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()



def pytest_terminal_summary(terminalreporter) -> None:
    """Print each pilot page's time to its first complete render (issue #5: reported, not asserted)."""
    if RENDER_SECONDS:
        terminalreporter.section("first complete render of each pilot page (tiny database, preheated kernels)")
        for pilot_id, seconds in sorted(RENDER_SECONDS.items()):
            terminalreporter.write_line(f"{pilot_id:<24} {seconds:5.2f} s")
