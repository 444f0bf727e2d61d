"""The budget objects of the two-tenant test world (see :mod:`hygie.testing.world`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["BUDGET_KINDS", "budget_objects"]

#: Kind of world object for each budget model label.
BUDGET_KINDS: dict[str, str] = {}


def budget_objects(nodes: tuple[Node, Node], marks: tuple[str, str]) -> dict[str, tuple[Any, Any]]:
    """Per side: one object of every budget kind, named with the side's mark."""
    return {}
