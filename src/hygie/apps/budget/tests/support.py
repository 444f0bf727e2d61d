"""Helpers of the budget app's tests: a project with lines, an application with its milestones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from hygie.apps.budget.editing import LineData, create_application, save_project
from hygie.apps.budget.models import FundingApplication, FundingProgramme, ItProject
from hygie.apps.budget.programmes import load_programmes

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["application", "project"]


def project(node: Node, name: str, total: int, cyber: int, *, year: int = 2026, state_funded: bool = True,
            funding: FundingApplication | None = None) -> ItProject:
    """A project whose lines are ``total - cyber`` euros of other work and ``cyber`` euros of cybersecurity."""
    lines = [LineData("Work", Decimal(total - cyber))]
    if cyber:
        lines.append(LineData("Security", Decimal(cyber), cybersecurity=True))
    return save_project(ItProject(node=node, year=year, name=name, state_funded=state_funded,
                                  funding_application=funding), lines)


def application(node: Node, key: str = "care_d1", *, planned: dict[str, dt.date] | None = None) -> FundingApplication:
    """An application to programme ``key`` with its five milestones."""
    load_programmes()
    return create_application(node, FundingProgramme.objects.get(key=key), title=f"Application {key}",
                              amount_requested=Decimal("100000.00"), planned=planned)
