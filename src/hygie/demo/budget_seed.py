"""The demo group's budget data (see docs/user-guide/budget.md)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hygie.apps.accounts.models import User
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Progress

__all__ = ["seed_budget"]


def seed_budget(owners: dict[str, Node], users: dict[str, User], progress: Progress, now: dt.datetime) -> None:
    """Write the demo's budget data through the models."""
