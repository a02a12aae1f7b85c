"""Serving the pilots: a "published" folder holding only running pilots, a gallery page, and Voilà over it.

Voilà in directory mode executes every notebook below its root, so it never serves ``pilots/`` itself:
:func:`publish` copies the notebook of each pilot whose status is ``pilot``, without its markdown notes
for developers, into ``reports/output/published/<id>/`` (broken manifests are reported and skipped, the others published)
and writes ``index.ipynb``, the gallery: a "Syntetiske data" banner and a table of pilots × the
treatment sites where each is enabled, with links ``/voila/render/<id>/<notebook>?site=<site id>``.

:func:`voila_command` and :func:`voila_environment` give the command line and environment
``helsekit serve`` (and the browser tests) start Voilà with: the ``lab`` template (an error shows a
banner instead of a page that loads forever), sources stripped, no browser, localhost only unless asked,
idle kernels culled, a pool of preheated kernels per pilot (:data:`POOL_SIZE`), ``HELSEKIT_DB`` naming
the database the pilots use, and Jupyter's state kept inside the checkout.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from helsekit import SYNTHETIC_DATA_LABEL, config, pilots
from helsekit.errors import DatabaseError
from helsekit.services import roster
from helsekit.storage.database import add_missing_tables, engine_for, is_url

PUBLISHED_DIR = config.REPORTS_DIR / "output" / "published"
GALLERY_NOTEBOOK = "index.ipynb"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8866
#: An idle kernel (a page view whose tab was closed: Voilà's shutdown beacon fails) is shut down after this.
CULL_IDLE_TIMEOUT_S = 120
CULL_INTERVAL_S = 30
#: Preheated kernels kept ready per published pilot notebook (0: a kernel is started per request).
#:
#: How Voilà 0.5.13 does it (read in voila/voila_kernel_manager.py and handler.py, and measured): at start
#: it fills a pool for every notebook below the folder (the gallery is denylisted); a pooled kernel runs
#: the notebook until ``request_query_string()`` waits for a request, so the imports are done before
#: anyone asks, and the page a visitor gets holds those outputs plus the rest run for their query. A
#: taken kernel is replaced after :data:`POOL_FILL_DELAY_S`; a visitor who comes before the replacement
#: is ready waits for it (Voilà hands over the starting kernel), never for a second one. Pooled kernels
#: are never culled; used ones are, like any other. Kernels get Voilà's environment (``HELSEKIT_DB``).
#:
#: Why 1: each pooled kernel holds about 190 MiB (7 pilots on the default database: 1.37 GiB for the
#: server and its pool), so 8 pilots cost about 1.5 GiB idle and a pool of 2 twice that, for a demo
#: whose visitors rarely open the same pilot twice within a refill (2-4 s). On 2 cores the pools of 8
#: pilots are full 7-9 s after Voilà answers (the browser tests wait for it). Preheated, a pilot page
#: on the default database is completely drawn in 1.0-1.3 s (p50 of each of 7 pilots, max 1.4 s)
#: against 2.2-2.5 s per request (benchmarks/bench_pages.py, load average 2-4); while other work kept
#: the load at 5-11, 1.2-2.9 s against 3.6-5.2 s.
POOL_SIZE = 1
#: Seconds Voilà waits after a pooled kernel is taken before starting its replacement (Voilà's default).
POOL_FILL_DELAY_S = 1.0
#: The gallery links at most this many sites per pilot (a selector may match hundreds of GP offices).
SITES_SHOWN = 12
STATE_DIRS = {
    "JUPYTER_CONFIG_DIR": "jupyter-config",
    "JUPYTER_DATA_DIR": "jupyter-data",
    "IPYTHONDIR": "ipython",
    "MPLCONFIGDIR": "matplotlib",
}


@dataclass
class Published:
    """What :func:`publish` wrote: the folder, the pilots served with their sites, the manifests refused,
    and the services' tables it had to add to an older database (empty)."""

    folder: Path
    pilots: list[tuple[pilots.Pilot, list[tuple[int, str]], int]] = field(default_factory=list)
    errors: list[pilots.ManifestError] = field(default_factory=list)
    added_tables: list[str] = field(default_factory=list)

    def url(self, pilot: pilots.Pilot, site_id: int | None = None, base_url: str = "/") -> str:
        """The page of ``pilot`` (for ``site_id``), relative to the server's root."""
        query = f"?site={int(site_id)}" if site_id is not None else ""
        return f"{base_url}voila/render/{pilot.id}/{pilot.notebook}{query}"


def _check_database(db: str) -> None:
    if is_url(db) and not db.startswith("sqlite:///"):
        return
    path = Path(db.removeprefix("sqlite:///"))
    if not path.is_file():
        raise DatabaseError(f"db: no helsekit database at {path}; create one with `make demo`",
                            f"Fant ingen helsekit-database i {path}; lag en med `make demo`.", "db")


def pilot_sites(session: Session, pilot: pilots.Pilot) -> list[tuple[int, str]]:
    """The treatment sites (id, name) where ``pilot`` is enabled, by id: the pilot's own rule, as the services apply it."""
    return [(site.id, site.name) for site in roster.pilot_sites(session, pilot)]


def gallery_html(published: Published, base_url: str = "/") -> str:
    """The gallery's HTML: the banner, then one row per pilot with links to its sites. Everything is escaped."""
    e = html.escape
    rows = []
    for pilot, sites, total in published.pilots:
        links = "<br>".join(f'<a class="helsekit-site" href="{e(published.url(pilot, site_id, base_url))}">{e(name)} ({site_id})</a>'
                            for site_id, name in sites)
        if total > len(sites):
            links += f"<br>… og {total - len(sites)} til"
        if not sites:
            links = "Ingen behandlingssteder i denne databasen"
        rows.append(f'<tr class="helsekit-pilot" data-pilot="{e(pilot.id)}"><td><a href="{e(published.url(pilot, None, base_url))}">'
                    f"<b>{e(pilot.title)}</b></a><br>{e(pilot.description)}<br><small>Eier: {e(pilot.owner)}</small></td>"
                    f"<td>{links}</td></tr>")
    table = ('<table class="helsekit-gallery"><thead><tr><th>Pilot</th><th>Behandlingssteder</th></tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table>") if rows else "<p>Ingen piloter er publisert.</p>"
    refused = ""
    if published.errors:
        items = "".join(f"<li>{e(error.message_nb)}</li>" for error in published.errors)
        refused = f'<h3>Piloter som ikke kunne lastes</h3><ul class="helsekit-refused">{items}</ul>'
    banner = (f'<div class="helsekit-banner" style="background:#fff3cd;border:1px solid #c9a227;padding:6px 12px;'
              f'font-weight:bold">{e(SYNTHETIC_DATA_LABEL)}: alle personer og helseopplysninger er oppdiktet.</div>')
    return f"{banner}<h1>Piloter i helsekit</h1><p>Velg en pilot ved et behandlingssted.</p>{table}{refused}"


def _gallery_notebook(body: str) -> dict:
    # A markdown cell: rendered into the page by the server as plain HTML (an HTML output would be drawn
    # by JupyterLab's renderer, which opens every link in a new tab). Nothing runs in the kernel.
    return {
        "cells": [{"cell_type": "markdown", "id": "gallery", "metadata": {}, "source": body}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _publish_notebook(source: Path, target: Path) -> None:
    """Copy a pilot notebook without its markdown cells: they are notes for developers (in English, about
    the database and the query string); the page a visitor sees is what the widgets draw, in bokmål, with
    the "Syntetiske data" banner of the page chrome."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    notebook["cells"] = [cell for cell in notebook["cells"] if cell.get("cell_type") != "markdown"]
    target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")


def publish(db: str | None = None, pilots_dir: str | Path | None = None, target: str | Path | None = None,
            base_url: str = "/") -> Published:
    """Rebuild the published folder: the notebook of every running pilot, and the gallery.

    The folder is emptied first, so a pilot that was ended or removed is no longer reachable."""
    db = str(db or config.default_database())
    _check_database(db)
    added = add_missing_tables(db)
    folder = Path(target or PUBLISHED_DIR)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    found, errors = pilots.discover(Path(pilots_dir) if pilots_dir else None)
    published = Published(folder, errors=list(errors), added_tables=added)
    with Session(engine_for(db)) as session:
        for pilot in found:
            if pilot.status != "pilot":
                continue
            (folder / pilot.id).mkdir()
            _publish_notebook(pilot.folder / pilot.notebook, folder / pilot.id / pilot.notebook)
            sites = pilot_sites(session, pilot)
            published.pilots.append((pilot, sites[:SITES_SHOWN], len(sites)))
    (folder / GALLERY_NOTEBOOK).write_text(json.dumps(_gallery_notebook(gallery_html(published, base_url)), indent=1),
                                           encoding="utf-8")
    return published


def voila_command(folder: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                  cull_idle_timeout: int = CULL_IDLE_TIMEOUT_S, cull_interval: int = CULL_INTERVAL_S,
                  pool_size: int = POOL_SIZE) -> list[str]:
    """The Voilà command line serving ``folder`` (directory mode); with ``pool_size`` > 0, each pilot
    notebook keeps that many preheated kernels (see :data:`POOL_SIZE`), 0 starts a kernel per request."""
    voila = Path(sys.executable).with_name("voila")
    folder = Path(folder).resolve()
    # The gallery gets no pool: it is one markdown cell, nothing in it is worth a waiting kernel. Voilà
    # matches the denylist against the absolute paths of the notebooks below the folder (os.path.abspath).
    gallery = f"^{re.escape(str(folder / GALLERY_NOTEBOOK))}$"
    preheat = [
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaConfiguration.default_pool_size={int(pool_size)}",
        f"--VoilaKernelManager.preheat_denylist={json.dumps([gallery])}",
        f"--VoilaKernelManager.fill_delay={POOL_FILL_DELAY_S}",
    ] if pool_size > 0 else []
    return [
        str(voila) if voila.exists() else "voila", str(folder),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--Voila.port={int(port)}",
        "--Voila.port_retries=0",
        "--template=lab",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        *preheat,
    ]


def voila_environment(db: str | None = None, state_dir: str | Path | None = None) -> dict[str, str]:
    """The environment for Voilà and its kernels: ``HELSEKIT_DB`` and Jupyter's state inside the checkout."""
    env = dict(os.environ)
    env["HELSEKIT_DB"] = str(db or config.default_database())
    state = Path(state_dir or config.PROJECT_ROOT / ".test-state")
    for name, sub in STATE_DIRS.items():
        env.setdefault(name, str(state / sub))
        Path(env[name]).mkdir(parents=True, exist_ok=True)
    return env


def _interrupt(signum, frame) -> None:  # noqa: ARG001
    raise KeyboardInterrupt


def serve(db: str | None = None, pilots_dir: str | Path | None = None, host: str = DEFAULT_HOST,
          port: int = DEFAULT_PORT) -> int:
    """Publish, then run Voilà in the foreground until it stops (Ctrl-C); returns its exit code."""
    published = publish(db, pilots_dir)
    for error in published.errors:
        print(f"warning: pilot not served: {error.message_en}", file=sys.stderr)
    if published.added_tables:
        print(f"note: the database was generated before these (empty) tables of the services existed; added: "
              f"{', '.join(published.added_tables)}", file=sys.stderr)
    print(f"serving {len(published.pilots)} pilot(s) from {published.folder} — {SYNTHETIC_DATA_LABEL}")
    print(f"gallery: http://{host}:{port}/voila/render/{GALLERY_NOTEBOOK}  (open it in a browser; Ctrl-C stops the server)",
          flush=True)
    env = voila_environment(db)
    env["VOILA_APP_IP"] = host  # where a preheated kernel reaches the server for its request (default 127.0.0.1)
    process = subprocess.Popen(voila_command(published.folder, host, port), env=env)
    signal.signal(signal.SIGTERM, _interrupt)  # a `kill` stops Voilà too, not only Ctrl-C
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            return process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()
