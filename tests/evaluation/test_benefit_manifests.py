"""Benefits in pilot.toml: every gallery pilot names the effects it promises, and a bad entry is refused by field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helsekit.generator import specs
from helsekit.pilots import ManifestError, discover, load

MANIFEST = """id = "prove"
title = "Prøvetjeneste"
owner = "Helsekit pilotteam"
description = "En syntetisk pilot."
status = "pilot"
notebook = "side.ipynb"
{started}
[sites]
kind = "{kind}"

[[benefits]]
metric = "{metric}"
direction = "{direction}"
description = "Færre uteblir"
"""


def _load(tmp_path: Path, started="started = 2024-01-01", kind="gp_office", metric="no_show_rate", direction="decrease"):
    folder = tmp_path / "prove"
    folder.mkdir()
    (folder / "side.ipynb").write_text("{}")
    (folder / "pilot.toml").write_text(MANIFEST.format(started=started, kind=kind, metric=metric, direction=direction))
    return load(folder / "pilot.toml")


def test_a_manifest_with_a_benefit_and_a_start_date_loads_them(tmp_path):
    pilot = _load(tmp_path)
    assert pilot.started == dt.date(2024, 1, 1)
    assert [(b.metric, b.direction, b.description) for b in pilot.benefits] == [("no_show_rate", "decrease", "Færre uteblir")]


@pytest.mark.parametrize("change, field", [
    ({"metric": "lykke"}, "benefits.metric"),
    ({"direction": "sideways"}, "benefits.direction"),
    ({"kind": "hospital"}, "benefits.metric"),  # no-shows at the GP office are not counted at a hospital
    ({"started": 'started = "snart"'}, "started"),
])
def test_a_bad_benefit_or_start_date_is_refused_naming_the_field(tmp_path, change, field):
    with pytest.raises(ManifestError) as error:
        _load(tmp_path, **change)
    assert error.value.field == field and error.value.message_nb


def test_every_committed_pilot_promises_benefits_from_the_catalogue_and_has_a_start_date():
    catalogue = specs.load("evaluation")["metrics"]
    ours = ("e-konsultasjon", "fastlegetime", "influensavaksine", "kreftforlop", "min-helse-oversikt", "sykehustimer",
            "velg-behandlingssted")
    pilots = {p.id: p for p in discover()[0]}
    for pilot_id in ours:
        assert pilots[pilot_id].started is not None, pilot_id
        assert pilots[pilot_id].benefits and all(b.metric in catalogue for b in pilots[pilot_id].benefits), pilot_id


def test_every_section_of_the_evaluation_spec_with_numbers_names_its_source_or_says_it_is_a_modelling_choice():
    spec = specs.load("evaluation")
    for name, section in spec.items():
        tables = section.items() if name == "metrics" else [(name, section)]
        for key, table in tables:
            assert "source" in table or "remarks" in table, f"evaluation.toml [{key}]"
