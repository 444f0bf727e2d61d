"""Recording a node's staff census and reading its latest headcounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from hygie.apps.accounts.permissions import Action
from hygie.apps.awareness.models import StaffCategory, StaffCensus

if TYPE_CHECKING:
    import datetime as dt

    from hygie.apps.organizations.models import Node

__all__ = ["latest_headcounts", "record_census"]


def record_census(node: Node, headcounts: dict[str, int], as_of: dt.date) -> list[StaffCensus]:
    """One census row per category given; a second census on the same day replaces the first."""
    saved = []
    with transaction.atomic():
        for category, headcount in headcounts.items():
            StaffCategory(category)  # ValueError on an unknown category, before anything is written
            census, _created = StaffCensus.objects.update_or_create(
                node=node, category=category, as_of=as_of, defaults={"headcount": headcount}
            )
            saved.append(census)
    return saved


def latest_headcounts(node: Node, user: Any) -> dict[str, StaffCensus]:
    """The latest census of each category recorded on ``node`` itself (not its descendants)."""
    latest: dict[str, StaffCensus] = {}
    for census in StaffCensus.objects.restrict(user, Action.VIEW).filter(node=node).order_by("category", "-as_of"):
        latest.setdefault(census.category, census)
    return latest
