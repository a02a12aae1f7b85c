"""The published folder and the Voilà command, without a browser: what is served and how."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helsekit.serve import GALLERY_NOTEBOOK, publish, voila_command, voila_environment

HERE = Path(__file__).resolve().parent
MANIFEST = """id = "{id}"
title = "{title}"
owner = "Team"
description = "En pilot."
status = "{status}"
notebook = "probe.ipynb"
[sites]
kind = "gp_office"
"""


def _pilot(root: Path, pilot_id: str, title: str = "Prøve", status: str = "pilot") -> None:
    (root / pilot_id).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "probe_pilot" / "probe.ipynb", root / pilot_id / "probe.ipynb")
    (root / pilot_id / "pilot.toml").write_text(MANIFEST.format(id=pilot_id, title=title, status=status), encoding="utf-8")


def test_voila_listens_on_localhost_only_with_sources_stripped_the_lab_template_and_idle_kernels_culled(tmp_path):
    command = voila_command(tmp_path, port=9000)
    assert "--Voila.ip=127.0.0.1" in command and "--Voila.port=9000" in command and "--no-browser" in command
    assert "--strip_sources=True" in command and "--template=lab" in command
    assert "--MappingKernelManager.cull_idle_timeout=120" in command
    assert "--MappingKernelManager.cull_interval=30" in command
    env = voila_environment("/some/where.db", tmp_path)
    assert env["HELSEKIT_DB"] == "/some/where.db"
    assert all(Path(env[name]).is_dir() for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR"))


def test_the_gallery_escapes_what_a_manifest_says(tmp_path, tiny_db):
    _pilot(tmp_path / "pilots", "lur", title="<img src=x onerror=alert(1)>")
    publish(tiny_db, tmp_path / "pilots", tmp_path / "out")
    gallery = json.loads((tmp_path / "out" / GALLERY_NOTEBOOK).read_text(encoding="utf-8"))
    source = gallery["cells"][0]["source"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in source and "<img" not in source
    assert "Syntetiske data" in source


def test_publishing_again_serves_only_the_pilots_still_running(tmp_path, tiny_db):
    pilots = tmp_path / "pilots"
    _pilot(pilots, "en")
    _pilot(pilots, "to")
    publish(tiny_db, pilots, tmp_path / "out")
    assert (tmp_path / "out" / "to" / "probe.ipynb").is_file()
    _pilot(pilots, "to", status="ended")
    published = publish(tiny_db, pilots, tmp_path / "out")
    assert [pilot.id for pilot, _, _ in published.pilots] == ["en"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["en", GALLERY_NOTEBOOK]
    assert not list((tmp_path / "out" / "en").glob("*.toml")), "only notebooks are published"


def test_a_published_pilot_keeps_its_code_cells_and_drops_the_developers_markdown_notes(tmp_path, tiny_db):
    published = publish(tiny_db, target=tmp_path / "out")
    assert published.pilots
    for pilot, _, _ in published.pilots:
        source = json.loads((pilot.folder / pilot.notebook).read_text(encoding="utf-8"))
        served = json.loads((published.folder / pilot.id / pilot.notebook).read_text(encoding="utf-8"))
        assert any(cell["cell_type"] == "markdown" for cell in source["cells"]), f"{pilot.id} has no notes to drop"
        assert [cell for cell in served["cells"] if cell["cell_type"] == "markdown"] == []
        assert served["cells"] == [cell for cell in source["cells"] if cell["cell_type"] == "code"]
        assert served["metadata"] == source["metadata"]
