"""A tiny-scale world in which a known effect is planted, to check the evaluation against the truth.

Only what a GP-contact metric needs is generated (evaluation.toml [tiny_world]): a block of citizens drawn from
the population spec, each listed at one of a few GP offices for the whole window, and their contacts through
``gp_contacts.generate`` with the scenario hook (:mod:`helsekit.generator.scenarios`). One repetition is one
seed; 50 take seconds, where 50 generated databases would take minutes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helsekit.evaluation import benefits, did
from helsekit.evaluation.did import Estimate
from helsekit.generator import specs
from helsekit.generator.histories import gp_contacts
from helsekit.generator.histories.common import Block, ListRelations
from helsekit.generator.population import birth_dates, draw_ages_and_sexes
from helsekit.generator.scenarios import Scenario
from helsekit.generator.streams import Streams

FIRST_SITE_ID = 1000


def world() -> dict:
    """The tiny world's settings (evaluation.toml [tiny_world])."""
    return specs.load("evaluation")["tiny_world"]


def scenario(metric_id: str, relative: float, settings: dict | None = None) -> Scenario:
    """The tiny world's scenario: ``relative`` change of ``metric_id`` at its pilot offices from its start."""
    settings = settings or world()
    pilots = tuple(range(FIRST_SITE_ID, FIRST_SITE_ID + settings["pilot_sites"]))
    return Scenario(metric_id, pilots, np.datetime64(settings["start"], "D"), relative)


def citizens(settings: dict, streams: Streams) -> tuple[Block, ListRelations]:
    """The tiny world's citizens (ages and sexes from the population spec, alive throughout) and their one list each:
    citizen i at office FIRST_SITE_ID + i mod sites, from the window start or birth."""
    n = settings["sites"] * settings["citizens_per_site"]
    reference = np.datetime64(f"{settings['last_year'] + 1}-01-01", "D")
    ages, sexes = draw_ages_and_sexes(specs.load("population"), n, streams.rng("tiny_world/people"))
    birth = birth_dates(ages, reference, streams.rng("tiny_world/births"))
    nothing = np.full(n, -1, dtype=np.int64)
    block = Block(np.arange(1, n + 1, dtype=np.int64), birth, sexes, nothing, nothing, np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
                  np.zeros(n), np.full(n, "", dtype=object), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    site = FIRST_SITE_ID + np.arange(n) % settings["sites"]
    window_start = np.datetime64(f"{settings['first_year']}-01-01", "D")
    relations = ListRelations(np.arange(n), np.maximum(birth, window_start), site, site, nothing)
    return block, relations


def panel(seed: int, planted: Scenario | None, settings: dict | None = None) -> pd.DataFrame:
    """The site-month panel of ``planted.metric`` (or phone bookings without a scenario) in one tiny world."""
    settings = settings or world()
    streams = Streams(seed)
    block, relations = citizens(settings, streams)
    spec, copay = specs.load("gp_contacts"), specs.load("copayments")
    factors = gp_contacts.sex_factors(spec["rates"], specs.load("population"))
    table, _ = gp_contacts.generate(block, relations, settings["first_year"], settings["last_year"], spec, copay, factors,
                                    streams.rng("gp_contacts/0"), planted)
    contacts = table.select(["start", "kind", "status", "booking_channel", "gp_office_id"]).to_pandas()
    metric_id = planted.metric if planted is not None else "phone_bookings_per_listed"
    counts = benefits.gp_contact_numerators(contacts, metric_id)
    if metric_id == "no_show_rate":
        return counts[benefits.PANEL_COLUMNS]
    span = benefits.months(pd.Timestamp(f"{settings['first_year']}-01-01"), pd.Timestamp(f"{settings['last_year']}-12-31"))
    listed = benefits.listed_per_month(relations.gp_office_id, relations.valid_from, np.full(relations.person.size, np.datetime64("NaT"), "datetime64[D]"), span)
    return benefits.per_listed(counts, listed)


def recovered(seed: int, metric_id: str, relative: float, settings: dict | None = None) -> Estimate:
    """One repetition: plant ``relative`` on ``metric_id`` in the tiny world of ``seed`` and estimate it back,
    the pilot offices against every other office (all alike in this world, so no matching is needed)."""
    settings = settings or world()
    planted = scenario(metric_id, relative, settings)
    counts = did.before_after(panel(seed, planted, settings), range(FIRST_SITE_ID, FIRST_SITE_ID + settings["sites"]), planted.start)
    pilot = counts["site_id"].isin(planted.site_ids)
    change = did.site_changes(counts["before_num"], counts["before_den"], counts["after_num"], counts["after_den"], "relative")
    return did.estimate(change[pilot.to_numpy()], change[~pilot.to_numpy()], "relative", specs.load("evaluation")["interval"]["level"])
