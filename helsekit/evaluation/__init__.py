"""Pilot evaluation (issue #10): does a pilot deliver the benefit it promised, at its sites, against comparison sites?

``evaluate(data, pilot)`` (:mod:`helsekit.evaluation.evaluate`) is the entry point; the benefit metrics are in
:mod:`~helsekit.evaluation.benefits`, comparison sites in :mod:`~helsekit.evaluation.matching`, the estimate in
:mod:`~helsekit.evaluation.did`, the bokmål verdict in :mod:`~helsekit.evaluation.verdict`, the roll-out in
:mod:`~helsekit.evaluation.projection`, and the planted-effect world the tests check it in, in
:mod:`~helsekit.evaluation.scenario`. Rules and thresholds: synthetic_data/specs/evaluation.toml.
"""
