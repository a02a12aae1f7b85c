"""Patient travel claims (pasientreiser) for trips to hospital appointments (§11).

Placeholder: not yet generated.
"""

from __future__ import annotations

from helsekit.generator.histories.common import Context

TABLES: tuple[str, ...] = ()


def add_to(ctx: Context) -> None:
    """Nothing yet."""
