"""Messages with the GP office: e-consultation threads, reception questions, renewal requests and GP notices such as the influenza-vaccination campaign.

Placeholder: not yet generated.
"""

from __future__ import annotations

from helsekit.generator.histories.common import Context

TABLES: tuple[str, ...] = ()


def add_to(ctx: Context) -> None:
    """Nothing yet."""
