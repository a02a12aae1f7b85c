"""The pilot registry: which pilot services are enabled at which treatment sites.

Each pilot is a folder ``pilots/<id>/`` with a manifest, ``pilot.toml``::

    id = "influensa"                      # the folder's name
    title = "Vaksinetime mot influensa"
    owner = "Helsekit pilotteam"
    description = "..."
    status = "pilot"                      # pilot, planned or ended
    notebook = "influensa.ipynb"          # the page Voilà serves
    started = 2024-09-01                  # the day it went live at its sites (optional; needed to evaluate it)
    [sites]
    ids = [1140, 1141]                    # explicit treatment sites (organisation ids), and/or
    kind = "gp_office"                    # a selector: every site of this kind ...
    kommune = "0301"                      # ... in this kommune, or these: ["0301", "5001"] (optional)
    [[benefits]]                          # the effects it promises (issue #10), each a metric of
    metric = "no_show_rate"               # synthetic_data/specs/evaluation.toml [metrics]
    direction = "decrease"                # decrease or increase
    description = "Færre uteblir fra timen"

:func:`discover` reads every manifest; a broken one is reported (:class:`ManifestError`, naming the
file and the field) and the others still load. :func:`enabled_at` resolves which of a citizen's own
sites have which pilots. The serving, widgets and gallery arrive with issue #5.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, select

from helsekit import config
from helsekit.domain.organisations import Organisation, OrganisationKind
from helsekit.errors import InvalidInput
from helsekit.generator import specs

PILOTS_DIR = config.PROJECT_ROOT / "pilots"
STATUSES = ("pilot", "planned", "ended")
DIRECTIONS = ("decrease", "increase")


class ManifestError(InvalidInput):
    """A pilot manifest is missing, unreadable or has a field out of its rules."""


@dataclass(frozen=True)
class Benefit:
    """An effect the pilot promises: a metric of the evaluation catalogue and the direction it should move."""

    metric: str
    direction: str  # decrease or increase
    description: str  # bokmål


@dataclass(frozen=True)
class Pilot:
    """One pilot service and where it is enabled."""

    id: str
    title: str
    owner: str
    description: str
    status: str
    notebook: str
    site_ids: tuple[int, ...] = ()
    site_kind: str | None = None
    site_kommuner: tuple[str, ...] = ()  # the selector's kommuner; empty: every kommune
    folder: Path = field(default=Path("."), compare=False)
    started: dt.date | None = None
    benefits: tuple[Benefit, ...] = ()

    def runs_at(self, site: Organisation) -> bool:
        """True where the pilot is enabled at ``site``: named among its ids, or matched by its selector."""
        return site.id in self.site_ids or (site.kind == self.site_kind and (not self.site_kommuner or site.kommune_number in self.site_kommuner))


def _error(path: Path, name: str, en: str, nb: str) -> ManifestError:
    return ManifestError(f"{path}: field '{name}' {en}", f"{path}: feltet «{name}» {nb}", name)


def load(path: Path) -> Pilot:
    """Read and check one manifest."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ManifestError(f"{path}: cannot be read as TOML: {error}", f"{path} kan ikke leses som TOML: {error}", "manifest") from None
    for name in ("id", "title", "owner", "description", "status", "notebook"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise _error(path, name, "is missing or not a non-empty text", "mangler eller er ikke en tekst")
    if data["id"] != path.parent.name:
        raise _error(path, "id", f"must equal the folder name {path.parent.name!r}", f"må være lik mappenavnet {path.parent.name!r}")
    if data["status"] not in STATUSES:
        raise _error(path, "status", f"must be one of {', '.join(STATUSES)}", f"må være en av {', '.join(STATUSES)}")
    if not (path.parent / data["notebook"]).is_file():
        raise _error(path, "notebook", f"names {data['notebook']!r}, which is not in the pilot's folder",
                     f"viser til {data['notebook']!r}, som ikke finnes i pilotens mappe")
    sites = data.get("sites", {})
    ids = sites.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise _error(path, "sites.ids", "must be a list of organisation ids", "må være en liste med organisasjons-id-er")
    kind = sites.get("kind")
    if kind is not None and kind not in OrganisationKind.TREATMENT_SITES:
        raise _error(path, "sites.kind", f"must be a kind of treatment site: {', '.join(OrganisationKind.TREATMENT_SITES)}",
                     "må være en type behandlingssted")
    if not ids and kind is None:
        raise _error(path, "sites", "must name site ids or a kind of site", "må angi behandlingssteder (ids eller kind)")
    kommuner = sites.get("kommune", [])
    kommuner = [kommuner] if isinstance(kommuner, str) else kommuner
    if not isinstance(kommuner, list) or not all(isinstance(k, str) and len(k) == 4 and k.isdigit() for k in kommuner):
        raise _error(path, "sites.kommune", "must be a kommune number of four digits or a list of them, e.g. \"0301\" or [\"0301\", \"5001\"]",
                     "må være et kommunenummer med fire sifre eller en liste med dem")
    started = data.get("started")
    if started is not None and (not isinstance(started, dt.date) or isinstance(started, dt.datetime)):
        raise _error(path, "started", "must be a date, e.g. 2024-09-01", "må være en dato, f.eks. 2024-09-01")
    return Pilot(data["id"], data["title"], data["owner"], data["description"], data["status"], data["notebook"],
                 tuple(ids), kind, tuple(kommuner), path.parent, started, _benefits(path, data.get("benefits", []), kind))


def _benefits(path: Path, entries: object, kind: str | None) -> tuple[Benefit, ...]:
    """The manifest's ``[[benefits]]``, each checked against the metric catalogue (evaluation.toml) and, when the
    pilot names a kind of site, against the kind of site the metric is counted at."""
    metrics = specs.load("evaluation")["metrics"]
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise _error(path, "benefits", "must be a list of [[benefits]] tables", "må være en liste med [[benefits]]-tabeller")
    found = []
    for entry in entries:
        if entry.get("metric") not in metrics:
            raise _error(path, "benefits.metric", f"must be one of: {', '.join(metrics)}", f"må være en av: {', '.join(metrics)}")
        if kind is not None and metrics[entry["metric"]]["site_kind"] not in ("any", kind):
            raise _error(path, "benefits.metric", f"{entry['metric']} is counted at a {metrics[entry['metric']]['site_kind']}, not a {kind}",
                         f"{entry['metric']} måles ikke ved denne typen behandlingssted")
        if entry.get("direction") not in DIRECTIONS:
            raise _error(path, "benefits.direction", f"must be one of {', '.join(DIRECTIONS)}", "må være decrease eller increase")
        if not isinstance(entry.get("description"), str) or not entry["description"].strip():
            raise _error(path, "benefits.description", "is missing or not a non-empty text", "mangler eller er ikke en tekst")
        found.append(Benefit(entry["metric"], entry["direction"], entry["description"]))
    return tuple(found)


def discover(folder: Path | None = None) -> tuple[list[Pilot], list[ManifestError]]:
    """Every pilot under ``folder`` (default ``pilots/``), and the errors of those that did not load.

    Manifests are read again only when one is added, removed or changed (the overview asks on every call)."""
    manifests = sorted(Path(folder or PILOTS_DIR).glob("*/pilot.toml"))
    found = _load_all(tuple((m, m.stat().st_mtime_ns) for m in manifests))
    return list(found[0]), list(found[1])


@lru_cache(maxsize=8)
def _load_all(manifests: tuple[tuple[Path, int], ...]) -> tuple[tuple[Pilot, ...], tuple[ManifestError, ...]]:
    pilots, errors = [], []
    for manifest, _ in manifests:
        try:
            pilots.append(load(manifest))
        except ManifestError as error:
            errors.append(error)
    return tuple(pilots), tuple(errors)


def enabled_at(session: Session, site_ids: set[int], pilots: list[Pilot]) -> list[tuple[Pilot, int]]:
    """The running pilots enabled at any of ``site_ids``, each with one of those sites."""
    if not site_ids or not pilots:
        return []
    sites = session.exec(select(Organisation).where(Organisation.id.in_(sorted(site_ids))).order_by(Organisation.id)).all()
    found = []
    for pilot in pilots:
        if pilot.status != "pilot":
            continue
        site = next((site for site in sites if pilot.runs_at(site)), None)
        if site is not None:
            found.append((pilot, site.id))
    return found
