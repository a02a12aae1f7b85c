"""Benchmark: time to the first complete render of every pilot page, served by Voilà on the `default` database,
with a kernel started per request (the baseline) and with preheated kernels (what ``helsekit serve`` does).

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_pages.py``). All data is synthetic
("Syntetiske data"). It:

1. takes the ``default`` database: ``--db PATH``, else ``synthetic_data/helsekit.db`` when it is a
   ``default`` database made from the current spec files (its spec digest matches), else one generated
   into a temporary folder; the pages act on a sandbox copy, never on that database;
2. publishes the running pilots of ``pilots/`` (:func:`helsekit.serve.publish`) into a temporary folder;
3. starts Voilà twice with :func:`helsekit.serve.voila_command`, in the same process: first with a kernel
   started per request (``pool_size=0``), then preheated (``--pool-size``, default
   :data:`helsekit.serve.POOL_SIZE`), waiting until every pool is full before the first view;
4. opens each pilot page at its first enabled site, logged in as the citizen its
   ``browser_check.citizen_for`` picks, ``--views`` times in a fresh Chromium context each (round robin
   over the pilots, as separate visitors would come; preheated, a view starts once the kernel the view
   before took has been replaced, unless ``--back-to-back``), and prints per pilot the time from ``goto`` to
   the first complete render (the definition of ``tests/browser/browser_support.wait_until_rendered``:
   cells executed, page shown, no "Loading widget..." left), p50 and max, and the ratio
   baseline/preheated of the p50s; then the server's resident memory (its whole process tree) at idle.

Target (issue #5): <= 1.5 s per page on ``default``. Printed, never asserted: the script exits 0 whatever
the timings (a page that fails to render is reported and counted as missing).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

import helsekit.domain  # noqa: F401 - every table in SQLModel.metadata
from helsekit import config, serve
from helsekit.generator import generate_database, spec_digest
from helsekit.pilots import PILOTS_DIR
from helsekit.storage import database
from helsekit.storage.database import engine_for
from helsekit.storage.sandbox import sandbox

# The browser tests' Chromium settings and their definition of "completely rendered", so both measure alike.
sys.path.insert(0, str(config.PROJECT_ROOT / "tests" / "browser"))
from browser_support import CHROMIUM, CHROMIUM_ARGS, kernels, wait_for_pools, wait_until_rendered, waiting_kernels  # noqa: E402

TARGET_S = 1.5
READY_TIMEOUT_S = 120
PAGE_TIMEOUT_MS = 90_000


def default_database(given: Path | None, tmp: Path) -> str:
    """``given``, else synthetic_data/helsekit.db when it matches the spec files, else a new one in ``tmp``."""
    if given is not None:
        print(f"database: {given} (--db)")
        return str(given)
    embedded = config.PROJECT_ROOT / "synthetic_data" / "helsekit.db"
    if embedded.is_file():
        meta = database.read_meta(str(embedded))
        missing = sorted(set(SQLModel.metadata.tables) - set(inspect(engine_for(str(embedded))).get_table_names()))
        if meta.get("profile") == "default" and meta.get("spec_sha256") == spec_digest() and not missing:
            print(f"database: {embedded} (default profile, spec digest matches, every table there)")
            return str(embedded)
        print(f"database: {embedded} is not current (profile {meta.get('profile')}, "
              f"{'spec digest differs' if meta.get('spec_sha256') != spec_digest() else 'spec digest matches'}"
              f"{', no table ' + ', '.join(missing) if missing else ''})")
    path = tmp / "default.db"
    start = time.perf_counter()
    generate_database("default", 42, str(path), progress=False)
    print(f"database: default profile generated in {time.perf_counter() - start:.1f} s")
    return str(path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss_mib(pid: int) -> float:
    total = 0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
    return total / 2**20


def _check_module(pilot):
    path = pilot.folder / "browser_check.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("bench_check_" + re.sub(r"\W", "_", pilot.id), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_urls(published: serve.Published, db: str) -> dict[str, str]:
    """Each published pilot's page at its first site, with the citizen of its browser check (if any)."""
    urls = {}
    with Session(engine_for(db)) as session:
        for pilot, sites, _ in published.pilots:
            if not sites:
                print(f"  {pilot.id}: enabled at no site of this database, left out")
                continue
            url = published.url(pilot, sites[0][0])
            try:
                check = _check_module(pilot)
                if check is not None:
                    url += f"&citizen={int(check.citizen_for(session, sites[0][0]))}"
            except Exception as error:  # noqa: BLE001 - a broken check only loses the log-in
                print(f"  {pilot.id}: browser_check.citizen_for failed ({error!r}); opened without a citizen")
            urls[pilot.id] = url
    return urls


class Server:
    """Voilà over ``folder`` on a free port, as ``helsekit serve`` starts it (short culling, so the kernels
    of the benchmark's closed pages do not pile up)."""

    def __init__(self, folder: Path, db: str, pool_size: int, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = serve.voila_command(folder, port=self.port, cull_idle_timeout=15, cull_interval=5, pool_size=pool_size)
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, env=serve.voila_environment(db), stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, idle_kernels: int) -> float:
        """Seconds until Voilà answers and its pools are full: ``idle_kernels`` kernels wait for a request."""
        start = time.perf_counter()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"Voilà exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/voila/static/voila.js", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Voilà not ready within {READY_TIMEOUT_S} s") from None
                time.sleep(0.2)
        if wait_for_pools(self.process.pid, self.port, idle_kernels, READY_TIMEOUT_S) is None:
            print(f"  warning: the pools were not full within {READY_TIMEOUT_S} s ({len(kernels(self.process.pid))} kernels)")
        return time.perf_counter() - start

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass


def measure(browser, server: Server, urls: dict[str, str], views: int, pause: float, idle: int,
            back_to_back: bool) -> dict[str, list[float]]:
    """Each page ``views`` times, round robin. Unless ``back_to_back``, a view starts once every pool is
    full again (the kernel taken by the view before has been replaced): a visitor coming to a server at
    rest. Back to back, the replacement starts while the next page draws, on the same 2 cores."""
    times: dict[str, list[float]] = {pilot_id: [] for pilot_id in urls}
    for _ in range(views):
        for pilot_id, url in urls.items():
            if idle and not back_to_back:
                deadline = time.monotonic() + READY_TIMEOUT_S
                while len(waiting_kernels(server.process.pid, server.port)) < idle and time.monotonic() < deadline:
                    time.sleep(0.2)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            try:
                start = time.perf_counter()
                page.goto(server.base + url)
                wait_until_rendered(page)
                times[pilot_id].append(time.perf_counter() - start)
                if not page.get_by_text("Syntetiske data").count():
                    print(f"  {pilot_id}: rendered without the Syntetiske data label")
            except Exception as error:  # noqa: BLE001 - reported, the benchmark goes on
                print(f"  {pilot_id}: no complete render ({type(error).__name__}: {str(error)[:120]})")
            finally:
                context.close()
            time.sleep(pause)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a default-profile database (default: synthetic_data/helsekit.db if current, else generated)")
    parser.add_argument("--pilots-dir", type=Path, default=PILOTS_DIR, help="where the pilots are (default pilots/)")
    parser.add_argument("--views", type=int, default=5, help="page views per pilot and mode (default 5)")
    parser.add_argument("--pool-size", type=int, default=serve.POOL_SIZE, help=f"preheated kernels per pilot (default {serve.POOL_SIZE})")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between two page views (default 1)")
    parser.add_argument("--back-to-back", action="store_true",
                        help="preheated: open the next page without waiting for the pools to be full again")
    parser.add_argument("--skip-baseline", action="store_true", help="measure only the preheated server")
    args = parser.parse_args(argv)

    print("helsekit page render benchmark - Syntetiske data (synthetic data only, no real persons)")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, {platform.platform()}, Python {platform.python_version()}")
    from playwright.sync_api import sync_playwright

    modes = ([("per request", 0)] if not args.skip_baseline else []) + [(f"preheated (pool {args.pool_size})", args.pool_size)]
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="helsekit-bench-pages-") as tmp_name:
        tmp = Path(tmp_name)
        db = sandbox(default_database(args.db, tmp), tmp / "sandbox")
        published = serve.publish(db, args.pilots_dir, tmp / "published")
        for error in published.errors:
            print(f"  not published: {error.message_en}")
        urls = page_urls(published, db)
        print(f"pilots: {', '.join(urls)}; {args.views} views each per mode, {args.pause:g} s apart"
              + ("" if args.back_to_back else "; preheated, each view once every pool is full again"))
        env = dict(os.environ, XDG_CONFIG_HOME=str(tmp / "xdg-config"), XDG_CACHE_HOME=str(tmp / "xdg-cache"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
            try:
                for name, pool_size in modes:
                    idle = pool_size * len(published.pilots)
                    server = Server(published.folder, db, pool_size, tmp / f"voila-{pool_size}.log")
                    try:
                        ready = server.wait_ready(idle)
                        print(f"\n{name}: ready in {ready:.1f} s with {idle} idle kernel(s), "
                              f"server {tree_rss_mib(server.process.pid):.0f} MiB resident")
                        results[name] = measure(browser, server, urls, args.views, args.pause, idle, args.back_to_back)
                    finally:
                        server.stop()
            finally:
                browser.close()

    print(f"\nfirst complete render (goto -> every cell and widget drawn), seconds; target <= {TARGET_S} s on default")
    header = f"{'pilot':<24}" + "".join(f"{name + ' p50/max':>30}" for name in results) + ("   ratio p50" if len(results) == 2 else "")
    print(header)
    for pilot_id in urls:
        row, p50s = f"{pilot_id:<24}", []
        for times in results.values():
            found = times.get(pilot_id) or []
            if found:
                p50s.append(statistics.median(found))
                row += f"{p50s[-1]:>21.2f} / {max(found):>5.2f}"
            else:
                p50s.append(None)
                row += f"{'no render':>30}"
        if len(p50s) == 2 and all(p50s):
            row += f"   {p50s[0] / p50s[1]:>6.1f}x"
        if p50s and p50s[-1] is not None:
            row += "   target met" if p50s[-1] <= TARGET_S else "   target missed"
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
