"""``hygie demo``: load the demo hospital group."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the demo command to the root app."""
