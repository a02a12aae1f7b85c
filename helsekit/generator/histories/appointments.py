"""The status history of every appointment at the GP office and the hospital: booked, confirmed, changed, cancelled, attended, no-show.

Placeholder: not yet generated.
"""

from __future__ import annotations

from helsekit.generator.histories.common import Context

TABLES: tuple[str, ...] = ()


def add_to(ctx: Context) -> None:
    """Nothing yet."""
