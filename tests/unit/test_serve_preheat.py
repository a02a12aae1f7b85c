"""helsekit serve's Voilà command keeps preheated kernels for the pilots, none for the gallery."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
from voila.voila_kernel_manager import voila_kernel_manager_factory

from helsekit.serve import GALLERY_NOTEBOOK, POOL_SIZE, voila_command


def _option(command: list[str], name: str) -> str | None:
    return next((arg.split("=", 1)[1] for arg in command if arg.startswith(f"--{name}=")), None)


def _preheated_by_voila(command: list[str], notebook: Path) -> bool:
    """Voilà's own filter (voila 0.5) of the notebooks it fills pools for, with the command's denylist."""
    denylist = json.loads(_option(command, "VoilaKernelManager.preheat_denylist"))
    manager = voila_kernel_manager_factory(MappingKernelManager, True, 1)
    return manager._notebook_filter(SimpleNamespace(preheat_denylist=denylist), notebook)


def test_the_served_pilots_are_preheated_with_the_chosen_pool_size(tmp_path):
    command = voila_command(tmp_path, port=9000)
    assert POOL_SIZE >= 1
    assert _option(command, "VoilaConfiguration.preheat_kernel") == "True"
    assert _option(command, "VoilaConfiguration.default_pool_size") == str(POOL_SIZE)
    assert float(_option(command, "VoilaKernelManager.fill_delay")) >= 0


def test_a_pool_size_of_zero_starts_a_kernel_per_request(tmp_path):
    command = voila_command(tmp_path, port=9000, pool_size=0)
    assert not [arg for arg in command if arg.startswith("--") and ("preheat" in arg or "pool_size" in arg)]


def test_the_gallery_gets_no_pool_but_every_pilot_notebook_does(tmp_path):
    folder = tmp_path / "published"
    command = voila_command(folder, port=9000)
    root = Path(command[1])
    assert root == folder.resolve()
    assert not _preheated_by_voila(command, root / GALLERY_NOTEBOOK)
    for notebook in ("fastlegetime/fastlegetime.ipynb", "index/index.ipynb", "published/index.ipynb", "min-helse/oversikt.ipynb"):
        assert _preheated_by_voila(command, root / notebook), notebook
