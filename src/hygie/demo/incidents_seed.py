"""Demo incident response: regulatory profiles, crisis cells, incidents with their logs and clocks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from hygie.engines._core import Progress

__all__ = ["seed_incidents"]


def seed_incidents(owners: dict[str, Any], users: dict[str, Any], progress: Progress, now: dt.datetime) -> None:
    """Seed the demo group's crisis cells and incidents (written by the demo engineer)."""
