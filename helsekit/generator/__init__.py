"""The synthetic population generator: ``generate_database`` writes a profile to a database."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from tqdm.auto import tqdm

from helsekit import __version__, config
from helsekit.errors import InvalidOption
from helsekit.generator import specs
from helsekit.generator.run import STEPS, GeneratedWorld, generate
from helsekit.generator.scenarios import ScenarioRequest
from helsekit.generator.streams import check_seed
from helsekit.storage import database

__all__ = ["GeneratedWorld", "generate", "generate_database", "spec_digest"]


def spec_digest() -> str:
    """SHA-256 over the spec files, so a database records exactly which numbers made it."""
    digest = hashlib.sha256()
    for name in specs.SPEC_NAMES:
        digest.update((config.SPECS_DIR / f"{name}.toml").read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class GenerationResult:
    """What ``generate_database`` wrote."""

    db: str
    profile: str
    seed: int
    rows: dict[str, int]
    citizens: int  # alive on the reference date (the citizen table also keeps those who died in the window)


def generate_database(
    profile: str = "default",
    seed: int = 42,
    db: str | None = None,
    chunk_size: int = 100_000,
    progress: bool = True,
    histories: bool = True,
    workers: int | None = None,
    scenario: str | None = None,
) -> GenerationResult:
    """Generate a profile with a seed and write it to ``db`` (default: the embedded SQLite file).

    The same profile, seed and spec files always give the same content, whatever ``chunk_size``.
    An existing database at ``db`` (and its history archive) is replaced only once the new one is
    complete. ``histories=False`` skips the ten-year health histories; ``workers`` processes
    (default: one per core) generate them, with the same result for any number. ``scenario``
    (``PILOT:METRIC:EFFECT``, e.g. ``fastlegetime:phone_bookings_per_listed:-0.3``) plants a pilot's true
    effect at its sites from its start date, so that an evaluation can be checked against it (issue #10);
    it is recorded in the database's metadata.
    """
    db = str(db or config.default_database())
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidOption(
            f"chunk_size must be a whole number of at least 1, got {chunk_size!r}",
            f"chunk_size må være et heltall på minst 1, fikk {chunk_size!r}.", "chunk_size",
        )
    specs.profile(profile)  # clear errors for a bad profile or seed before any work
    check_seed(seed)
    request = None if scenario is None else ScenarioRequest.parse(scenario)
    if request is not None and not histories:
        raise InvalidOption("scenario needs the histories: it plants its effect in them; leave out --no-histories",
                            "Et scenario trenger historikken.", "scenario")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InvalidOption(
            f"workers must be a whole number of at least 1, got {workers!r}",
            f"workers må være et heltall på minst 1, fikk {workers!r}.", "workers",
        )
    database.check_writable(db)
    steps = tqdm(total=len(STEPS), desc=f"generating {profile}", unit="step", disable=not progress, leave=False)
    written = tqdm(desc=f"writing {db}", unit="row", unit_scale=True, disable=not progress, leave=False)
    writer = database.TableWriter(db, chunk_size=chunk_size, advance=written.update)
    try:
        world = generate(
            profile, seed, progress=lambda name: (steps.set_postfix_str(name), steps.update(1)),
            emit=writer.write, history_folder=writer.archive_temporary, with_histories=histories,
            workers=workers or os.cpu_count() or 1, scenario=request,
        )
        steps.close()
        writer.close({
            "profile": profile,
            "seed": str(world.seed),
            "reference_date": str(world.profile["reference_date"]),
            "helsekit_version": __version__,
            "spec_sha256": spec_digest(),
            "histories": "yes" if histories else "no",
            "history_block_size": str(specs.load("histories")["blocks"]["citizens"]),
        } | ({"scenario": str(request)} if request else {}))
    except BaseException:
        writer.abort()
        raise
    finally:
        steps.close()
        written.close()
    rows = dict(world.row_counts)
    return GenerationResult(db, profile, world.seed, rows, int(world.profile["citizens"]))
