"""The demo group's compliance data (see docs/user-guide/compliance.md)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hygie.apps.accounts.models import User
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Progress

__all__ = ["seed_compliance"]


def seed_compliance(owners: dict[str, Node], users: dict[str, User], progress: Progress, now: dt.datetime) -> None:
    """Write the demo's compliance data through the models."""
