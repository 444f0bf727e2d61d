"""The awareness objects of the two-tenant test world (see :mod:`hygie.testing.world`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["AWARENESS_KINDS", "awareness_objects"]

#: Kind of world object for each awareness model label.
AWARENESS_KINDS: dict[str, str] = {}


def awareness_objects(nodes: tuple[Node, Node], marks: tuple[str, str]) -> dict[str, tuple[Any, Any]]:
    """Per side: one object of every awareness kind, named with the side's mark."""
    return {}
