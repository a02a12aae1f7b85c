"""CLI commands for this topic (see helsekit/commands/__init__.py)."""

from __future__ import annotations


def register(groups: dict) -> None:
    """Add this topic's sub-commands to the CLI's parser groups."""
