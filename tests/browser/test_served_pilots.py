"""The served pilots in a real browser: the gallery, every pilot's page, escaping, and a new pilot by manifest alone.

Every running pilot found under ``pilots/`` is a parameter, so a new pilot joins these tests without
editing them; the probe pilot (a copy of a tiny notebook with its own manifest, see conftest.py) is
always among them. The time to the first complete render of each page is printed, not asserted.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import psutil
import pytest

from helsekit.pilots import discover

from browser_support import (BROKEN_ID, CULL_IDLE_S, CULL_INTERVAL_S, PAGE_TIMEOUT_MS, PLANNED_ID, PROBE_ID, screenshot,
                             wait_until_rendered)

XSS = "<img src=x onerror=window.__xss=1>"
PAGE_VIEWS = 8
RUNNING = sorted({p.id for p in discover()[0] if p.status == "pilot"} | {PROBE_ID})


def _entry(server, pilot_id):
    return next(entry for entry in server.published.pilots if entry[0].id == pilot_id)


def _code_lines(pilot) -> list[str]:
    """Distinctive lines of the pilot notebook's code cells (any of them in the page means sources leaked)."""
    notebook = json.loads((pilot.folder / pilot.notebook).read_text(encoding="utf-8"))
    lines = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            lines += [line.strip() for line in source.splitlines() if len(line.strip()) >= 12]
    return lines


def _open(page, server, url: str) -> float:
    started = time.perf_counter()
    page.goto(server.base + url)
    wait_until_rendered(page)
    page.get_by_text("Syntetiske data").first.wait_for(state="visible")
    return time.perf_counter() - started


def test_the_gallery_lists_every_published_pilot_and_its_sites(page, server):
    _open(page, server, "/voila/render/index.ipynb")
    assert server.published.pilots, "nothing was published"
    for pilot, sites, _ in server.published.pilots:
        row = page.locator(f'tr.helsekit-pilot[data-pilot="{pilot.id}"]')
        assert row.count() == 1, f"{pilot.id} is missing from the gallery"
        assert pilot.title in row.inner_text()
        hrefs = row.locator("a.helsekit-site").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert hrefs == [server.published.url(pilot, site_id) for site_id, _ in sites]
    screenshot(page, "gallery")


def test_only_running_pilots_are_published_and_a_broken_manifest_is_named_in_the_gallery(page, server):
    published = {pilot.id for pilot, _, _ in server.published.pilots}
    assert PLANNED_ID not in published and BROKEN_ID not in published
    for pilot_id in (PLANNED_ID, BROKEN_ID):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.base}/voila/render/{pilot_id}/probe.ipynb", timeout=30)
        assert refused.value.code == 404
    _open(page, server, "/voila/render/index.ipynb")
    assert page.locator(f'tr[data-pilot="{PLANNED_ID}"]').count() == 0
    assert f"{BROKEN_ID}/pilot.toml" in page.locator("ul.helsekit-refused").inner_text()


@pytest.mark.parametrize("pilot_id", RUNNING)
def test_every_pilot_page_renders_with_the_synthetic_data_label_and_without_its_source(page, server, pilot_id):
    pilot, sites, _ = _entry(server, pilot_id)
    seconds = _open(page, server, server.published.url(pilot, sites[0][0] if sites else None))
    print(f"\nfirst complete render of {pilot_id}: {seconds:.2f} s")
    content = page.content()
    assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor").count() == 0
    leaked = [line for line in _code_lines(pilot) if line in content]
    assert not leaked, f"source lines reached the browser: {leaked[:3]}"
    screenshot(page, f"pilot-{pilot_id}")


@pytest.mark.parametrize("pilot_id", RUNNING)
def test_markup_in_the_query_string_is_shown_as_text_and_never_run(page, server, pilot_id):
    pilot, _, _ = _entry(server, pilot_id)
    query = urllib.parse.urlencode({"site": XSS, "citizen": XSS})
    _open(page, server, f"/voila/render/{pilot.id}/{pilot.notebook}?{query}")
    page.wait_for_timeout(300)  # give an injected onerror handler the chance to run
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    if pilot_id == PROBE_ID:
        assert XSS in page.locator(".probe-site").inner_text()


def test_a_new_pilot_folder_with_its_own_manifest_appears_in_the_gallery_and_opens_for_its_site(page, server):
    _open(page, server, "/voila/render/index.ipynb")
    row = page.locator(f'tr.helsekit-pilot[data-pilot="{PROBE_ID}"]')
    assert "Prøvepilot fra nettlesertestene" in row.inner_text()
    _, sites, _ = _entry(server, PROBE_ID)
    assert sites, "the tiny database has no GP office for the probe pilot"
    with page.expect_navigation():
        row.locator("a.helsekit-site").first.click()
    wait_until_rendered(page)
    assert page.locator(".probe-site").inner_text() == f"Behandlingssted: {sites[0][0]}"
    screenshot(page, "pilot-probe-from-gallery")


def _kernels(server) -> int:
    """The kernels the Voilà server is running now (one per page view until it is culled). A kernel that
    has just exited (a zombie not yet reaped, or already gone) is not running and is not counted."""
    running = 0
    for child in psutil.Process(server.pid).children(recursive=True):
        try:
            running += child.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in " ".join(child.cmdline())
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
    return running


def test_the_kernels_of_closed_pages_are_culled_back_to_the_idle_count(chromium, server):
    before = _kernels(server)
    pilot, sites, _ = _entry(server, PROBE_ID)
    for _ in range(PAGE_VIEWS):
        context = chromium.new_context()
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        _open(page, server, server.published.url(pilot, sites[0][0]))
        context.close()  # a closed tab: Voilà's shutdown beacon does not stop the kernel
    assert _kernels(server) >= PAGE_VIEWS, "each page view should have started a kernel"
    deadline = time.monotonic() + CULL_IDLE_S + 2 * CULL_INTERVAL_S + 10
    while _kernels(server) > before and time.monotonic() < deadline:
        time.sleep(1)
    assert _kernels(server) <= before, f"{_kernels(server)} kernels still running, {before} before the page views"
