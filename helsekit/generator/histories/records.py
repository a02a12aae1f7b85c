"""Hospital record documents (§5.2, §5.3) and the access log of the kjernejournal and hospital record (§4.8, §5.3).

Placeholder: not yet generated.
"""

from __future__ import annotations

from helsekit.generator.histories.common import Context

TABLES: tuple[str, ...] = ()


def add_to(ctx: Context) -> None:
    """Nothing yet."""
