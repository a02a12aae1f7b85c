"""The pilot registry: manifests are checked field by field, a broken one does not stop the others,
and a pilot is offered only at the sites it is enabled at."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from helsekit.domain.organisations import Organisation
from helsekit.pilots import ManifestError, discover, enabled_at, load
from helsekit.storage.database import engine_for

GOOD = """id = "{id}"
title = "Prøvetjeneste"
owner = "Helsekit pilotteam"
description = "En syntetisk pilot."
status = "{status}"
notebook = "side.ipynb"
[sites]
{sites}
"""


def _pilot(root: Path, pilot_id: str, status: str = "pilot", sites: str = "ids = [1]") -> Path:
    folder = root / pilot_id
    folder.mkdir(parents=True)
    (folder / "side.ipynb").write_text("{}")
    (folder / "pilot.toml").write_text(GOOD.format(id=pilot_id, status=status, sites=sites))
    return folder / "pilot.toml"


def test_a_broken_manifest_is_reported_by_file_and_field_and_the_others_still_load(tmp_path):
    _pilot(tmp_path, "god")
    broken = _pilot(tmp_path, "brukket", status="kanskje")
    pilots, errors = discover(tmp_path)
    assert [p.id for p in pilots] == ["god"]
    assert len(errors) == 1 and errors[0].field == "status" and str(broken) in errors[0].message_en


@pytest.mark.parametrize(("change", "field"), [
    (lambda t: t.replace('id = "x"', 'id = "y"'), "id"),
    (lambda t: t.replace('notebook = "side.ipynb"', 'notebook = "mangler.ipynb"'), "notebook"),
    (lambda t: t.replace("ids = [1]", 'ids = ["en"]'), "sites.ids"),
    (lambda t: t.replace("ids = [1]", 'kind = "rhf"'), "sites.kind"),
    (lambda t: t.replace("ids = [1]", ""), "sites"),
    (lambda t: t.replace("ids = [1]", 'kind = "gp_office"\nkommune = "301"'), "sites.kommune"),
    (lambda t: t.replace("ids = [1]", 'kind = "gp_office"\nkommune = ["0301", 5001]'), "sites.kommune"),
    (lambda t: t.replace('title = "Prøvetjeneste"\n', ""), "title"),
    (lambda t: t + "[[[", "manifest"),
])
def test_each_manifest_rule_names_its_field(tmp_path, change, field):
    manifest = _pilot(tmp_path, "x")
    manifest.write_text(change(manifest.read_text()))
    with pytest.raises(ManifestError) as error:
        load(manifest)
    assert error.value.field == field


def test_a_pilot_is_offered_only_at_a_site_it_is_enabled_at(tmp_path, tiny_db):
    with Session(engine_for(tiny_db)) as session:
        offices = session.exec(select(Organisation).where(Organisation.kind == "gp_office").order_by(Organisation.id)).all()
        first, other = offices[0], next(o for o in offices if o.kommune_number != offices[0].kommune_number)
        _pilot(tmp_path, "en", sites=f"ids = [{first.id}]")
        _pilot(tmp_path, "kommune", sites=f'kind = "gp_office"\nkommune = "{other.kommune_number}"')
        _pilot(tmp_path, "planlagt", status="planned", sites=f"ids = [{first.id}]")
        pilots, errors = discover(tmp_path)
        assert not errors
        assert [(p.id, site) for p, site in enabled_at(session, {first.id}, pilots)] == [("en", first.id)]
        assert [(p.id, site) for p, site in enabled_at(session, {other.id}, pilots)] == [("kommune", other.id)]
        assert enabled_at(session, set(), pilots) == []


def test_a_selector_with_a_list_of_kommuner_runs_at_the_sites_of_each_and_nowhere_else(tmp_path, tiny_db):
    with Session(engine_for(tiny_db)) as session:
        offices = session.exec(select(Organisation).where(Organisation.kind == "gp_office").order_by(Organisation.id)).all()
        kommuner = sorted({o.kommune_number for o in offices})
        assert len(kommuner) >= 3
        chosen = kommuner[:2]
        _pilot(tmp_path, "to", sites=f'kind = "gp_office"\nkommune = ["{chosen[0]}", "{chosen[1]}"]')
        (pilot,), errors = discover(tmp_path)
        assert not errors
        assert [o.id for o in offices if pilot.runs_at(o)] == [o.id for o in offices if o.kommune_number in chosen]
